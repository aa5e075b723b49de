-- 002: the clerk's desk (sign-in, drafts, receipts). Filled by the desk work.

-- Half-filled forms, saved as the clerk types so a crash or a power cut loses
-- nothing. staff '' holds the device's own drafts (planned home pickups),
-- which every staff member of this device sees. data is the form's JSON.
CREATE TABLE drafts (
    staff      TEXT NOT NULL,
    key        TEXT NOT NULL,
    data       BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (staff, key)
);

-- The dossier table filters by agency newest first (001 has agency, state).
CREATE INDEX dossiers_agency_received ON dossiers(agency_code, received_at);

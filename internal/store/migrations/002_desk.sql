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

-- Covering indexes for the dossier table's filters, so a page is found and
-- ordered from the index alone (the rows carry each dossier's JSON and are
-- costly to visit): names newest first, and due dates of waiting dossiers.
CREATE INDEX dossiers_name_received ON dossiers(name_fold, received_at);
CREATE INDEX dossiers_due_received ON dossiers(state, due_date, received_at);

-- How many dossiers are in each state, kept by triggers, so the table's
-- row count (all states, or some) costs nothing at 200,000 dossiers. The
-- projection is written by one upsert only, which fires these triggers.
CREATE TABLE dossier_state_counts (
    state TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
);
INSERT INTO dossier_state_counts(state, n) SELECT state, count(*) FROM dossiers GROUP BY state;
CREATE TRIGGER dossiers_count_insert AFTER INSERT ON dossiers
BEGIN
    INSERT INTO dossier_state_counts(state, n) VALUES (NEW.state, 1)
        ON CONFLICT(state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dossiers_count_update AFTER UPDATE OF state ON dossiers WHEN OLD.state IS NOT NEW.state
BEGIN
    UPDATE dossier_state_counts SET n = n - 1 WHERE state = OLD.state;
    INSERT INTO dossier_state_counts(state, n) VALUES (NEW.state, 1)
        ON CONFLICT(state) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER dossiers_count_delete AFTER DELETE ON dossiers
BEGIN
    UPDATE dossier_state_counts SET n = n - 1 WHERE state = OLD.state;
END;

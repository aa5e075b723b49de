-- 005: the one-stop system's edge (docs/onestop.md).
--
-- onestop_changes is the feed GET /v1/onestop/dossiers pages through: one
-- row per dossier event the projection applies, written in the projection's
-- own transaction. seq is assigned inside that write transaction, and SQLite
-- has one writer at a time, so seq order is commit order: a reader's snapshot
-- holds every change up to its largest seq and none after it, and a poller
-- whose cursor is the last seq it read never skips or repeats a change.
CREATE TABLE onestop_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier TEXT NOT NULL,
    version INTEGER NOT NULL,          -- the dossier's version after this event
    state   TEXT NOT NULL,             -- its state after it (domain.State)
    event   TEXT NOT NULL,             -- the event's kind ('' for the rows below)
    at      TEXT NOT NULL              -- the event's time (domain.TimeLayout)
);
-- Dossiers already at the hub: one change each, as they stand.
INSERT INTO onestop_changes(dossier, version, state, event, at)
    SELECT id, version, state, '', updated_at FROM hub_dossiers ORDER BY updated_at, id;

-- The postal item code (MaBuuGui), a column for the export (the projection writes it).
ALTER TABLE hub_dossiers ADD COLUMN item_code TEXT NOT NULL DEFAULT '';
UPDATE hub_dossiers SET item_code = coalesce(json_extract(data, '$.item_code'), '');

-- The province catalog the hub pushes down (syncproto.CatalogChange), one
-- row per version; payload is the change exactly as queued to the devices.
CREATE TABLE hub_catalog_versions (
    version     INTEGER PRIMARY KEY,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    staff       TEXT NOT NULL DEFAULT '',
    agencies    INTEGER NOT NULL,
    procedures  INTEGER NOT NULL,
    calendars   INTEGER NOT NULL,
    payload     BLOB NOT NULL
);

-- The one-stop system's own list of dossiers (hub report import-onestop),
-- for the reconciliation: which dossiers it holds, by its code, and by
-- which channel they came (KenhThucHien, 3 = by post).
CREATE TABLE onestop_dossiers (
    official_code  TEXT PRIMARY KEY,     -- MaHoSo
    agency_code    TEXT NOT NULL,        -- MaCoQuan
    procedure_code TEXT NOT NULL DEFAULT '',
    received_at    TEXT NOT NULL,        -- NgayTiepNhan (domain.TimeLayout)
    month          TEXT NOT NULL,        -- its month in Vietnam's time, YYYY-MM
    channel        INTEGER NOT NULL,     -- KenhThucHien
    receipt        TEXT NOT NULL DEFAULT '',  -- SoBienNhan, when the one-stop system keeps it
    source         TEXT NOT NULL,
    imported_at    TEXT NOT NULL
);
CREATE INDEX onestop_dossiers_month ON onestop_dossiers(agency_code, month);
CREATE INDEX onestop_dossiers_receipt ON onestop_dossiers(receipt);

-- 001: the foundation. Times are TEXT in domain.TimeLayout (UTC, fixed width),
-- so text order is time order.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- This database's post point and device (one row).
CREATE TABLE device (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    post_point_code TEXT NOT NULL,
    post_point_name TEXT NOT NULL,
    commune         TEXT NOT NULL,
    province        TEXT NOT NULL,
    letter          TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE staff (
    username     TEXT PRIMARY KEY,
    full_name    TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('clerk', 'postal_worker', 'supervisor')),
    active       INTEGER NOT NULL DEFAULT 1,
    secret_hash  TEXT NOT NULL DEFAULT '',
    failed_tries INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL
);

CREATE TABLE agencies (
    code    TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE catalog_versions (
    version     INTEGER PRIMARY KEY,
    imported_at TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    agencies    INTEGER NOT NULL,
    procedures  INTEGER NOT NULL,
    added       INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    staff       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE procedures (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    name_fold       TEXT NOT NULL,
    field           TEXT NOT NULL,
    level           TEXT NOT NULL,
    agency_code     TEXT NOT NULL DEFAULT '',
    processing_days INTEGER NOT NULL DEFAULT 0,
    fee             INTEGER,              -- NULL: set elsewhere (unknown here)
    postage         INTEGER NOT NULL DEFAULT 0,
    documents       TEXT NOT NULL DEFAULT '[]',
    bcci_intake     INTEGER NOT NULL DEFAULT 0,
    bcci_return     INTEGER NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT '',
    catalog_version INTEGER NOT NULL REFERENCES catalog_versions(version)
);
CREATE INDEX procedures_name_fold ON procedures(name_fold);

-- The append-only event log and sync outbox. rowid is the order in which
-- events were applied on this machine; a replay follows it.
CREATE TABLE events (
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    dossier   TEXT NOT NULL DEFAULT '',
    staff     TEXT NOT NULL,
    at        TEXT NOT NULL,
    payload   BLOB,
    prev_hash BLOB NOT NULL,  -- 32-byte SHA-256 (empty for seq 1); hex in domain.Event
    hash      BLOB NOT NULL,
    UNIQUE (device_id, seq)
);
CREATE INDEX events_dossier ON events(dossier) WHERE dossier <> '';

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- The projection: each dossier's current state, written in the same
-- transaction as the event that changed it. data is the JSON of domain.Dossier.
CREATE TABLE dossiers (
    id              TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    option          TEXT NOT NULL,
    procedure_code  TEXT NOT NULL,
    agency_code     TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    name_fold       TEXT NOT NULL,
    citizen_id      TEXT NOT NULL,
    phone           TEXT NOT NULL,
    commune         TEXT NOT NULL,
    official_code   TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    data            BLOB NOT NULL
);
CREATE INDEX dossiers_name_fold ON dossiers(name_fold);
CREATE INDEX dossiers_citizen_id ON dossiers(citizen_id);
CREATE INDEX dossiers_phone ON dossiers(phone);
CREATE INDEX dossiers_official_code ON dossiers(official_code) WHERE official_code <> '';
CREATE INDEX dossiers_item_code ON dossiers(item_code) WHERE item_code <> '';
CREATE INDEX dossiers_received_at ON dossiers(received_at);
CREATE INDEX dossiers_state_received ON dossiers(state, received_at);
CREATE INDEX dossiers_procedure ON dossiers(procedure_code, received_at);
CREATE INDEX dossiers_agency ON dossiers(agency_code, state);
CREATE INDEX dossiers_due ON dossiers(state, due_date);

-- Receipt numbers: the last daily sequence used, per local date (yymmdd).
CREATE TABLE receipt_seq (
    day  TEXT PRIMARY KEY,
    last INTEGER NOT NULL
);

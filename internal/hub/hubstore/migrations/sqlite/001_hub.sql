-- 001: the province hub. Its own file (HUB.db), never a device's database.
-- Times are TEXT in domain.TimeLayout (UTC, fixed width), so text order is time order.

-- Secrets made at first start (signing key seed, age identity) and settings.
CREATE TABLE hub_meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE post_points (
    code       TEXT PRIMARY KEY,          -- 6-digit postal code
    name       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- One row per enrolled PC/laptop. id is domain.Device.ID(), e.g. "600900-A".
-- head_seq/head_hash: the last event stored for this device (the chain head).
CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    post_point_code TEXT NOT NULL REFERENCES post_points(code),
    public_key      BLOB NOT NULL,        -- ed25519, 32 bytes
    age_recipient   TEXT NOT NULL DEFAULT '',
    enrolled_at     TEXT NOT NULL,
    token_id        INTEGER,
    revoked_at      TEXT NOT NULL DEFAULT '',
    revoked_by      TEXT NOT NULL DEFAULT '',
    head_seq        INTEGER NOT NULL DEFAULT 0,
    head_hash       TEXT NOT NULL DEFAULT '',
    last_sync_at    TEXT NOT NULL DEFAULT '',   -- last accepted batch or pull
    last_batch_at   TEXT NOT NULL DEFAULT '',
    update_cursor   INTEGER NOT NULL DEFAULT 0, -- last update id the device asked past
    projected_seq   INTEGER NOT NULL DEFAULT 0  -- events applied to hub_dossiers (≤ head_seq)
);
CREATE INDEX devices_post_point ON devices(post_point_code);

-- One-time enrollment tokens; only the SHA-256 of the token is kept.
CREATE TABLE enrollment_tokens (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    post_point_code TEXT NOT NULL REFERENCES post_points(code),
    name            TEXT NOT NULL DEFAULT '',   -- a note: whose PC it is for
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL DEFAULT '',
    expires_at      TEXT NOT NULL,
    used_at         TEXT NOT NULL DEFAULT '',
    device_id       TEXT NOT NULL DEFAULT ''
);

-- Batches accepted, by id: a batch sent again gets the same signed ack back.
CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    batch_id    TEXT NOT NULL UNIQUE,     -- syncproto.BatchID: the batch's content identity
    device_id   TEXT NOT NULL REFERENCES devices(id),
    body_sha256 TEXT NOT NULL,
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    new_events  INTEGER NOT NULL,
    through_seq INTEGER NOT NULL,
    ack         BLOB NOT NULL,            -- the signed ack exactly as sent
    via         TEXT NOT NULL,            -- 'http' or 'file'
    received_at TEXT NOT NULL
);
CREATE INDEX batches_device ON batches(device_id, received_at);

-- Every event received, stored once per (device, seq), with the batch that
-- brought it (batches.id; its received_at is when). Append-only. A rowid
-- table (not WITHOUT ROWID): intake payloads are about 1 KB.
CREATE TABLE hub_events (
    device_id   TEXT NOT NULL REFERENCES devices(id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    dossier     TEXT NOT NULL DEFAULT '',
    staff       TEXT NOT NULL,
    at          TEXT NOT NULL,
    payload     BLOB,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    batch       INTEGER NOT NULL REFERENCES batches(id),
    UNIQUE (device_id, seq)
);

CREATE TRIGGER hub_events_append_only_update BEFORE UPDATE ON hub_events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;
CREATE TRIGGER hub_events_append_only_delete BEFORE DELETE ON hub_events
BEGIN SELECT RAISE(ABORT, 'hub events are append-only'); END;

-- An event whose (device, seq) is already stored with other content. The
-- stored event is never overwritten; this row is for an engineer to see.
CREATE TABLE conflicts (
    id            INTEGER PRIMARY KEY,
    device_id     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    batch_id      TEXT NOT NULL,
    stored_hash   TEXT NOT NULL,
    received_hash TEXT NOT NULL,
    received      BLOB NOT NULL,          -- JSON of the received event
    detected_at   TEXT NOT NULL,
    UNIQUE (device_id, seq, received_hash)
);

-- Refused batches and requests, newest kept for the web page (not evidence).
CREATE TABLE refusals (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    device_id TEXT NOT NULL DEFAULT '',
    batch_id  TEXT NOT NULL DEFAULT '',
    code      TEXT NOT NULL,
    message   TEXT NOT NULL
);

-- Updates going down to devices (syncproto.Update): agency outcomes,
-- result-only registrations, device keys and revocations. id is the
-- hub-wide sequence; a device pulls id > its cursor. device_id is the
-- device it is for, '*' for every device (keys, revocations), or '' for a
-- result-only registration of post_point_code that no device has claimed
-- yet: the first device of that post point to pull claims it, so exactly
-- one device registers it.
CREATE TABLE updates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    post_point_code TEXT NOT NULL DEFAULT '',
    device_id       TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,        -- outcome | register_result | device_key | revoke | catalog
    dossier         TEXT NOT NULL DEFAULT '',
    event           TEXT NOT NULL DEFAULT '',  -- for outcome: the dossier move to record
    payload         BLOB,                 -- JSON, by kind (see syncproto.Update)
    source          TEXT NOT NULL DEFAULT '',  -- import file name, 'api', 'enroll', 'revoke'
    dedup           TEXT NOT NULL UNIQUE, -- what the update says: the same row imported twice queues once
    created_at      TEXT NOT NULL,
    claimed_at      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX updates_device ON updates(device_id, id);
CREATE INDEX updates_dossier ON updates(dossier) WHERE dossier <> '';
CREATE INDEX updates_unclaimed ON updates(post_point_code) WHERE device_id = '';

-- The hub's projection of dossiers, from the events received (domain.Apply),
-- for the web page and province-wide reports. Times in domain.TimeLayout; ''
-- when not reached. data is the JSON of domain.Dossier (holds citizens' data).
CREATE TABLE hub_dossiers (
    id              TEXT PRIMARY KEY,     -- receipt number
    post_point_code TEXT NOT NULL,
    device_id       TEXT NOT NULL,
    option          TEXT NOT NULL,        -- send | send_return | return
    state           TEXT NOT NULL,        -- domain.State
    procedure_code  TEXT NOT NULL,
    procedure_name  TEXT NOT NULL,
    agency_code     TEXT NOT NULL,
    official_code   TEXT NOT NULL DEFAULT '',
    received_at     TEXT NOT NULL,        -- intake (or result-only registration)
    expected_date   TEXT NOT NULL DEFAULT '',  -- promised at intake
    handed_over_at  TEXT NOT NULL DEFAULT '',
    due_date        TEXT NOT NULL DEFAULT '',  -- set by the agency
    result_ready_at TEXT NOT NULL DEFAULT '',
    result_at_post_at TEXT NOT NULL DEFAULT '',
    delivered_at    TEXT NOT NULL DEFAULT '',
    closed_at       TEXT NOT NULL DEFAULT '',  -- delivered, returned to agency or cancelled
    fee             INTEGER NOT NULL DEFAULT 0,
    postage         INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL,        -- time of the last event applied
    version         INTEGER NOT NULL,     -- events applied
    last_seq        INTEGER NOT NULL,     -- device seq of the last event applied
    apply_error     TEXT NOT NULL DEFAULT '',  -- an event the hub could not apply (kept, never dropped)
    data            BLOB NOT NULL
);
CREATE INDEX hub_dossiers_post_point ON hub_dossiers(post_point_code, received_at);
CREATE INDEX hub_dossiers_procedure ON hub_dossiers(procedure_code, received_at);
CREATE INDEX hub_dossiers_state ON hub_dossiers(state, received_at);
CREATE INDEX hub_dossiers_official_code ON hub_dossiers(official_code) WHERE official_code <> '';

-- Province staff who sign in to the web page.
CREATE TABLE hub_users (
    username     TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,           -- argon2id (internal/auth)
    created_at   TEXT NOT NULL,
    failed_tries INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT NOT NULL DEFAULT ''
);

CREATE TABLE hub_sessions (
    token_hash TEXT PRIMARY KEY,          -- sha256 of the cookie value
    username   TEXT NOT NULL REFERENCES hub_users(username) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- API tokens for the province's one-stop system (POST /v1/outcomes).
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT NOT NULL DEFAULT ''
);

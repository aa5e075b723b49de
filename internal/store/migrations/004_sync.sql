-- 004: sync to the province (enrollment, acks, inbound updates).

-- This device's enrollment at the province hub (one row once enrolled).
CREATE TABLE sync_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    hub_url           TEXT NOT NULL,
    hub_name          TEXT NOT NULL DEFAULT '',
    hub_sign_key      BLOB NOT NULL,            -- Ed25519 public key: verifies acks, updates, replies
    hub_age_recipient TEXT NOT NULL,            -- age X25519 recipient: encrypts USB batch files
    enrolled_at       TEXT NOT NULL,
    acked_through_seq INTEGER NOT NULL DEFAULT 0, -- events 1..N are held by the hub (verified ack)
    acked_hash        TEXT NOT NULL DEFAULT '',   -- hash of event N, as the hub signed it
    ack_blob          BLOB,                       -- the last verified signed ack, verbatim
    acked_at          TEXT NOT NULL DEFAULT '',
    update_cursor     INTEGER NOT NULL DEFAULT 0, -- last hub update id applied
    revoked_at        TEXT NOT NULL DEFAULT '',
    revoked_reason    TEXT NOT NULL DEFAULT '',
    last_success      TEXT NOT NULL DEFAULT ''
);

-- Nothing is ever unmarked: the acknowledged sequence and the update cursor only increase.
CREATE TRIGGER sync_state_ack_only_up BEFORE UPDATE OF acked_through_seq ON sync_state
WHEN NEW.acked_through_seq < OLD.acked_through_seq
BEGIN SELECT RAISE(ABORT, 'acked_through_seq only increases'); END;
CREATE TRIGGER sync_state_cursor_only_up BEFORE UPDATE OF update_cursor ON sync_state
WHEN NEW.update_cursor < OLD.update_cursor
BEGIN SELECT RAISE(ABORT, 'update_cursor only increases'); END;

-- The history of sync rounds (network, USB export, USB reply import).
CREATE TABLE sync_rounds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    via             TEXT NOT NULL,               -- network | usb_export | usb_import
    pushed          INTEGER NOT NULL DEFAULT 0,  -- events sent in this round
    batches         INTEGER NOT NULL DEFAULT 0,
    acked_through   INTEGER NOT NULL DEFAULT 0,  -- acknowledged sequence after the round
    updates_applied INTEGER NOT NULL DEFAULT 0,
    updates_skipped INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT ''
);

-- Every hub update seen, applied or skipped (with the reason). A skipped
-- outcome keeps its data and is retried on later rounds, so an outcome that
-- arrives before the local handover is recorded is applied once it can be.
CREATE TABLE sync_updates (
    id         INTEGER PRIMARY KEY,              -- the hub's update id
    kind       TEXT NOT NULL,
    dossier    TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL CHECK (status IN ('applied', 'skipped')),
    reason     TEXT NOT NULL DEFAULT '',
    event_seq  INTEGER NOT NULL DEFAULT 0,       -- the local event it became
    round_id   INTEGER NOT NULL DEFAULT 0,       -- the round that last tried it
    tries      INTEGER NOT NULL DEFAULT 1,
    data       BLOB NOT NULL,                    -- the update JSON as received
    first_seen TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX sync_updates_skipped ON sync_updates(status) WHERE status = 'skipped';

-- Public keys of the province's other devices, so their receipts verify here.
CREATE TABLE sync_device_keys (
    device     TEXT PRIMARY KEY,
    post_point TEXT NOT NULL,
    public_key BLOB NOT NULL,
    revoked_at TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);

-- 007: one post point, many devices. The other devices' events live in
-- `events` under their own device id; what this device knows of their keys
-- says how far a revoked device's log is accepted.
ALTER TABLE sync_device_keys ADD COLUMN revoked_through INTEGER NOT NULL DEFAULT 0; -- the hub's last seq of it at revocation

-- Peer runs refused (signature, chain, revocation…), newest kept for the Sync screen.
CREATE TABLE peer_refusals (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    device  TEXT NOT NULL,
    via     TEXT NOT NULL,            -- hub | file | lan
    seq     INTEGER NOT NULL DEFAULT 0,
    code    TEXT NOT NULL,
    message TEXT NOT NULL
);

ALTER TABLE sync_rounds ADD COLUMN peer_events INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_rounds ADD COLUMN peer_refused INTEGER NOT NULL DEFAULT 0;

-- A dossier two devices moved incompatibly, until a supervisor settles it
-- (domain.Dossier.InConflict), for the home screen's list.
ALTER TABLE dossiers ADD COLUMN in_conflict INTEGER NOT NULL DEFAULT 0;
CREATE INDEX dossiers_in_conflict ON dossiers(in_conflict) WHERE in_conflict = 1;

-- Peer files (docs/sync-protocol.md §11.4): the other devices' age
-- recipients (peer files are encrypted to them), the files imported (each
-- once), and the envelopes a file brought that this device hands on to the
-- hub at its next round, so the hub gets them whichever device brings them.
ALTER TABLE sync_device_keys ADD COLUMN age_recipient TEXT NOT NULL DEFAULT '';
CREATE TABLE peer_files (
    file_id     TEXT PRIMARY KEY,
    from_device TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    events      INTEGER NOT NULL
);
CREATE TABLE peer_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    origin      TEXT NOT NULL,
    last_seq    INTEGER NOT NULL,
    envelope    BLOB NOT NULL,
    received_at TEXT NOT NULL
);

-- 005 (PostgreSQL): as ../sqlite/005_peers.sql.
CREATE TABLE hub_envelopes (
    batch     bigint PRIMARY KEY REFERENCES batches(id),
    device_id text NOT NULL REFERENCES devices(id),
    first_seq bigint NOT NULL,
    last_seq  bigint NOT NULL,
    envelope  bytea NOT NULL
);
CREATE INDEX hub_envelopes_device ON hub_envelopes(device_id, last_seq);

CREATE INDEX hub_events_dossier ON hub_events(dossier) WHERE dossier <> '';

ALTER TABLE hub_dossiers ADD COLUMN in_conflict bigint NOT NULL DEFAULT 0;
CREATE INDEX hub_dossiers_in_conflict ON hub_dossiers(in_conflict) WHERE in_conflict = 1;

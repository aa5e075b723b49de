-- 007: delivery proofs at the hub (docs/sync-protocol.md §12), kept exactly
-- as the device sealed them (age, to the device's proof key and the hub's
-- key): the hub reads one only with its identity (OpenProof). Parts wait in
-- hub_proof_parts until the whole file arrived and its SHA-256 matched.
CREATE TABLE hub_proofs (
    device      TEXT NOT NULL,
    name        TEXT NOT NULL,
    dossier     TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    data        BLOB NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device, name)
);
CREATE INDEX hub_proofs_dossier ON hub_proofs(dossier);
CREATE TABLE hub_proof_parts (
    device      TEXT NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    part_offset INTEGER NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (device, name, sha256, part_offset)
);

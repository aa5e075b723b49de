-- 007 (PostgreSQL): as ../sqlite/007_proofs.sql; the sealed files are bytea.
CREATE TABLE hub_proofs (
    device      text NOT NULL,
    name        text NOT NULL,
    dossier     text NOT NULL,
    size        bigint NOT NULL,
    sha256      text NOT NULL,
    data        bytea NOT NULL,
    received_at text NOT NULL,
    PRIMARY KEY (device, name)
);
CREATE INDEX hub_proofs_dossier ON hub_proofs(dossier);
CREATE TABLE hub_proof_parts (
    device      text NOT NULL,
    name        text NOT NULL,
    sha256      text NOT NULL,
    part_offset bigint NOT NULL,
    data        bytea NOT NULL,
    PRIMARY KEY (device, name, sha256, part_offset)
);

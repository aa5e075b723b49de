-- 009: delivery proofs are kept encrypted (store/proofkey.go). The device's
-- proof key is an age identity whose public recipient is meta
-- 'proof_recipient'; its secret is kept only sealed, once per staff member,
-- to that member's PIN or password (age scrypt), and opened at sign-in.
CREATE TABLE proof_key_slots (
	username TEXT PRIMARY KEY,
	sealed   BLOB NOT NULL,
	made_at  TEXT NOT NULL
);

-- Every proof file sealed here, with the hub recipient it was sealed to
-- ('' before enrollment: sealed again to the hub, with the proof key open,
-- before it goes up) and when the hub confirmed holding it whole (§12).
CREATE TABLE proof_files (
	name          TEXT PRIMARY KEY,
	dossier       TEXT NOT NULL,
	hub_recipient TEXT NOT NULL,
	sent_sha256   TEXT NOT NULL DEFAULT '',
	sent_at       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX proof_files_unsent ON proof_files(name) WHERE sent_at = '';
ALTER TABLE sync_rounds ADD COLUMN proofs_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_rounds ADD COLUMN proofs_waiting INTEGER NOT NULL DEFAULT 0;

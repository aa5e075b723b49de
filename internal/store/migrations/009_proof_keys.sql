-- 009: delivery proofs are kept encrypted (store/proofkey.go). The device's
-- proof key is an age identity whose public recipient is meta
-- 'proof_recipient'; its secret is kept only sealed, once per staff member,
-- to that member's PIN or password (age scrypt), and opened at sign-in.
CREATE TABLE proof_key_slots (
	username TEXT PRIMARY KEY,
	sealed   BLOB NOT NULL,
	made_at  TEXT NOT NULL
);

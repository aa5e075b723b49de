-- 013: LAN sync relays (docs/sync-protocol.md §11.6): the signed batch
-- envelopes of the other devices' events this device stored, as their
-- origin signed them, so it can hand them on to a third device of the post
-- point, which verifies each with the origin's key. One kept per run that
-- brought new events (a run already held keeps nothing).
CREATE TABLE peer_envelopes (
    origin    TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    envelope  BLOB NOT NULL,
    PRIMARY KEY (origin, first_seq, last_seq)
) WITHOUT ROWID;

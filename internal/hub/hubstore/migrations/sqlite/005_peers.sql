-- 005: one post point, many devices. Every accepted batch that brought new
-- events is kept as its device signed it, so the hub can hand it to the
-- other devices of the post point (GET /v1/peers), which verify it with the
-- origin device's own key. Events stored before this migration have no
-- envelope and are not relayed.
CREATE TABLE hub_envelopes (
    batch     INTEGER PRIMARY KEY REFERENCES batches(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    envelope  BLOB NOT NULL
);
CREATE INDEX hub_envelopes_device ON hub_envelopes(device_id, last_seq);

-- The projection builds a dossier again from the events of all the post
-- point's devices when one arrives out of the rule's order (domain/order.go).
CREATE INDEX hub_events_dossier ON hub_events(dossier) WHERE dossier <> '';

-- A dossier two devices moved incompatibly, until a supervisor settles it
-- (domain.Dossier.InConflict), for the web page's list.
ALTER TABLE hub_dossiers ADD COLUMN in_conflict INTEGER NOT NULL DEFAULT 0;
CREATE INDEX hub_dossiers_in_conflict ON hub_dossiers(in_conflict) WHERE in_conflict = 1;

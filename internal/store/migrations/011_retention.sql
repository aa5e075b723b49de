-- 011: retention (store/purge.go, docs/sync-protocol.md §13). A purge may
-- replace the payload of an event — and nothing else of it — once the
-- event is listed here in the same transaction; check then verifies the
-- redacted event through the personal_data.purged event that records it.
CREATE TABLE event_redactions (
	device_id     TEXT NOT NULL,
	seq           INTEGER NOT NULL,
	redacted_hash BLOB NOT NULL,
	PRIMARY KEY (device_id, seq)
);
DROP TRIGGER events_append_only_update;
CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
WHEN NOT (NEW.device_id IS OLD.device_id AND NEW.seq IS OLD.seq AND NEW.kind IS OLD.kind
	AND NEW.dossier IS OLD.dossier AND NEW.staff IS OLD.staff AND NEW.at IS OLD.at
	AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash
	AND EXISTS (SELECT 1 FROM event_redactions r WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq))
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- 009: the hub's own retention for its copy (README Security, "Retention";
-- docs/sync-protocol.md §13). After it, a done dossier's hub events have
-- their payload redacted (domain.RedactPayload) and nothing else of them
-- changes: hash and prev stay as written, so every chain still links.
-- Portable SQL except the trigger (postgres/009 has its own).

-- One row per redacted hub event: the hash as written (the chain's link)
-- and the hash of the event with its redacted payload (what hub check
-- recomputes). A payload of hub_events may change only when listed here.
CREATE TABLE hub_event_redactions (
    device_id     TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    dossier       TEXT NOT NULL,
    hash          TEXT NOT NULL,     -- as written
    redacted_hash TEXT NOT NULL,     -- domain.Event.ComputeHash with the redacted payload
    purged_at     TEXT NOT NULL,     -- domain.TimeLayout
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX hub_event_redactions_dossier ON hub_event_redactions(dossier);

-- One row per dossier the hub purged: version is the dossier's version then
-- (a later event makes it due again), events how many were redacted in all.
CREATE TABLE hub_purges (
    dossier   TEXT PRIMARY KEY,
    days      INTEGER NOT NULL,      -- the hub's retention that applied
    version   INTEGER NOT NULL,
    events    INTEGER NOT NULL,
    purged_at TEXT NOT NULL
);

DROP TRIGGER hub_events_append_only_update;
CREATE TRIGGER hub_events_append_only_update BEFORE UPDATE ON hub_events
WHEN NOT (NEW.device_id IS OLD.device_id AND NEW.seq IS OLD.seq AND NEW.kind IS OLD.kind
    AND NEW.dossier IS OLD.dossier AND NEW.staff IS OLD.staff AND NEW.at IS OLD.at
    AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash AND NEW.batch IS OLD.batch
    AND EXISTS (SELECT 1 FROM hub_event_redactions r WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq AND r.hash = OLD.hash))
BEGIN SELECT RAISE(ABORT, 'hub events are append-only (only the retention redacts a payload, once listed in hub_event_redactions)'); END;

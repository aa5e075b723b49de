-- 009 (PostgreSQL): as ../sqlite/009_hub_retention.sql; the trigger is a
-- plpgsql function. Deletes stay refused (hub_events_append_only).
CREATE TABLE hub_event_redactions (
    device_id     text NOT NULL,
    seq           bigint NOT NULL,
    dossier       text NOT NULL,
    hash          text NOT NULL,
    redacted_hash text NOT NULL,
    purged_at     text NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX hub_event_redactions_dossier ON hub_event_redactions(dossier);

CREATE TABLE hub_purges (
    dossier   text PRIMARY KEY,
    days      bigint NOT NULL,
    version   bigint NOT NULL,
    events    bigint NOT NULL,
    purged_at text NOT NULL
);

DROP TRIGGER hub_events_append_only ON hub_events;
CREATE TRIGGER hub_events_append_only BEFORE DELETE ON hub_events
    FOR EACH ROW EXECUTE FUNCTION hub_events_append_only();

CREATE FUNCTION hub_events_redact_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.device_id IS NOT DISTINCT FROM OLD.device_id AND NEW.seq IS NOT DISTINCT FROM OLD.seq
        AND NEW.kind IS NOT DISTINCT FROM OLD.kind AND NEW.dossier IS NOT DISTINCT FROM OLD.dossier
        AND NEW.staff IS NOT DISTINCT FROM OLD.staff AND NEW.at IS NOT DISTINCT FROM OLD.at
        AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash AND NEW.hash IS NOT DISTINCT FROM OLD.hash
        AND NEW.batch IS NOT DISTINCT FROM OLD.batch
        AND EXISTS (SELECT 1 FROM hub_event_redactions r WHERE r.device_id = OLD.device_id AND r.seq = OLD.seq AND r.hash = OLD.hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'hub events are append-only (only the retention redacts a payload, once listed in hub_event_redactions)';
END $$;
CREATE TRIGGER hub_events_redact_only BEFORE UPDATE ON hub_events
    FOR EACH ROW EXECUTE FUNCTION hub_events_redact_only();

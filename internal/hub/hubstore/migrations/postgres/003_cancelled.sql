-- 003 (PostgreSQL): the sent column and the triggers that keep the BCCI
-- counts of ../sqlite/002_reports.sql and ../sqlite/003_cancelled.sql, with
-- the same rule: a dossier counts as received when its option sends it and
-- it is not cancelled before its first handover (sent = 0); registered when
-- its option is return; returned in its delivery's month. A change of a
-- counted column takes the old row's counts off and adds the new row's.
ALTER TABLE hub_dossiers ADD COLUMN sent bigint NOT NULL DEFAULT 0;

CREATE INDEX hub_dossiers_report_received ON hub_dossiers(
    strftime('%Y-%m', received_at, '+7 hours'), procedure_code, agency_code, post_point_code, option, state, sent, received_at);

CREATE FUNCTION hub_report_cells_add(r hub_dossiers, sign bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m text;
    rec bigint;
    reg bigint;
BEGIN
    IF r.received_at <> '' THEN
        m := strftime('%Y-%m', r.received_at, '+7 hours');
        rec := CASE WHEN r.option <> 'return' AND NOT (r.state = 'cancelled' AND r.sent = 0) THEN sign ELSE 0 END;
        reg := CASE WHEN r.option = 'return' THEN sign ELSE 0 END;
        INSERT INTO hub_report_cells AS c (month, procedure_code, agency_code, post_point_code, received, registered)
            VALUES (m, r.procedure_code, r.agency_code, r.post_point_code, rec, reg)
            ON CONFLICT (month, procedure_code, agency_code, post_point_code)
            DO UPDATE SET received = c.received + excluded.received, registered = c.registered + excluded.registered;
        INSERT INTO hub_report_cells_total AS c (month, procedure_code, agency_code, received, registered)
            VALUES (m, r.procedure_code, r.agency_code, rec, reg)
            ON CONFLICT (month, procedure_code, agency_code)
            DO UPDATE SET received = c.received + excluded.received, registered = c.registered + excluded.registered;
    END IF;
    IF r.delivered_at <> '' THEN
        m := strftime('%Y-%m', r.delivered_at, '+7 hours');
        INSERT INTO hub_report_cells AS c (month, procedure_code, agency_code, post_point_code, returned)
            VALUES (m, r.procedure_code, r.agency_code, r.post_point_code, sign)
            ON CONFLICT (month, procedure_code, agency_code, post_point_code)
            DO UPDATE SET returned = c.returned + excluded.returned;
        INSERT INTO hub_report_cells_total AS c (month, procedure_code, agency_code, returned)
            VALUES (m, r.procedure_code, r.agency_code, sign)
            ON CONFLICT (month, procedure_code, agency_code)
            DO UPDATE SET returned = c.returned + excluded.returned;
    END IF;
END $$;

CREATE FUNCTION hub_report_cells_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM hub_report_cells_add(OLD, -1);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM hub_report_cells_add(NEW, 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER hub_report_cells_insert AFTER INSERT ON hub_dossiers
    FOR EACH ROW EXECUTE FUNCTION hub_report_cells_trigger();
CREATE TRIGGER hub_report_cells_update AFTER UPDATE ON hub_dossiers
    FOR EACH ROW WHEN (OLD.received_at IS DISTINCT FROM NEW.received_at OR OLD.option IS DISTINCT FROM NEW.option
        OR (OLD.state = 'cancelled') IS DISTINCT FROM (NEW.state = 'cancelled') OR OLD.sent IS DISTINCT FROM NEW.sent
        OR OLD.procedure_code IS DISTINCT FROM NEW.procedure_code OR OLD.agency_code IS DISTINCT FROM NEW.agency_code
        OR OLD.post_point_code IS DISTINCT FROM NEW.post_point_code OR OLD.delivered_at IS DISTINCT FROM NEW.delivered_at)
    EXECUTE FUNCTION hub_report_cells_trigger();
CREATE TRIGGER hub_report_cells_delete AFTER DELETE ON hub_dossiers
    FOR EACH ROW EXECUTE FUNCTION hub_report_cells_trigger();

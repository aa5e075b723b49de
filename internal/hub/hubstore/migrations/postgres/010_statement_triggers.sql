-- 010 (PostgreSQL): the BCCI counts of hub_report_cells and
-- hub_report_cells_total kept by statement-level triggers instead of the
-- row-level ones of 003, with the same rule and the same counts: a dossier
-- counts as received when its option sends it and it is not cancelled
-- before its first handover (sent = 0); registered when its option is
-- return; returned in its delivery's month. A changed row takes its old
-- counts off and adds its new ones; an update that changes no counted
-- column counts nothing (003's WHEN). A statement touches the same cells
-- as 003's triggers did, each once, with the sum of its rows (zero sums
-- included, as before).
--
-- Why: the projector writes hub_dossiers with multi-row upserts (64 rows a
-- statement), and 003's row-level plpgsql trigger made two to four cell
-- upserts for every row, a third of the PostgreSQL server's time in a
-- 100,000-event push. A statement-level trigger reads all of a
-- statement's rows at once from its transition tables. Writers take the
-- hub's write lock in turn (hubstore/postgres.go), so the counts stay exact.
-- SQLite keeps its row triggers (../sqlite/010_statement_triggers.sql).
DROP TRIGGER hub_report_cells_insert ON hub_dossiers;
DROP TRIGGER hub_report_cells_update ON hub_dossiers;
DROP TRIGGER hub_report_cells_delete ON hub_dossiers;
DROP FUNCTION hub_report_cells_trigger();
DROP FUNCTION hub_report_cells_add(hub_dossiers, bigint);

-- One signed row's counted columns: +1 for a row's new version, -1 for its old one.
CREATE TYPE hub_report_cell_row AS (
    sign bigint, received_at text, delivered_at text, option text, state text, sent bigint,
    procedure_code text, agency_code text, post_point_code text);

-- hub_report_cells_count adds the counts of signed rows to both tables.
CREATE FUNCTION hub_report_cells_count(rs hub_report_cell_row[]) RETURNS void LANGUAGE sql AS $$
WITH r AS (SELECT * FROM unnest(rs)),
c AS (
    SELECT strftime('%Y-%m', received_at, '+7 hours') AS month, procedure_code, agency_code, post_point_code,
        CASE WHEN option <> 'return' AND NOT (state = 'cancelled' AND sent = 0) THEN sign ELSE 0 END AS received,
        CASE WHEN option = 'return' THEN sign ELSE 0 END AS registered, 0::bigint AS returned
    FROM r WHERE received_at <> ''
    UNION ALL
    SELECT strftime('%Y-%m', delivered_at, '+7 hours'), procedure_code, agency_code, post_point_code, 0, 0, sign
    FROM r WHERE delivered_at <> ''
), cells AS (
    INSERT INTO hub_report_cells AS t (month, procedure_code, agency_code, post_point_code, received, registered, returned)
    SELECT month, procedure_code, agency_code, post_point_code, sum(received)::bigint, sum(registered)::bigint, sum(returned)::bigint
    FROM c GROUP BY month, procedure_code, agency_code, post_point_code ORDER BY 1, 2, 3, 4
    ON CONFLICT (month, procedure_code, agency_code, post_point_code) DO UPDATE SET received = t.received + excluded.received,
        registered = t.registered + excluded.registered, returned = t.returned + excluded.returned
)
INSERT INTO hub_report_cells_total AS t (month, procedure_code, agency_code, received, registered, returned)
SELECT month, procedure_code, agency_code, sum(received)::bigint, sum(registered)::bigint, sum(returned)::bigint
FROM c GROUP BY month, procedure_code, agency_code ORDER BY 1, 2, 3
ON CONFLICT (month, procedure_code, agency_code) DO UPDATE SET received = t.received + excluded.received,
    registered = t.registered + excluded.registered, returned = t.returned + excluded.returned
$$;

CREATE FUNCTION hub_report_cells_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hub_report_cells_count(ARRAY(SELECT ROW(1, n.received_at, n.delivered_at, n.option, n.state, n.sent,
        n.procedure_code, n.agency_code, n.post_point_code)::hub_report_cell_row FROM new_rows n));
    RETURN NULL;
END $$;

CREATE FUNCTION hub_report_cells_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hub_report_cells_count(ARRAY(SELECT ROW(-1, o.received_at, o.delivered_at, o.option, o.state, o.sent,
        o.procedure_code, o.agency_code, o.post_point_code)::hub_report_cell_row FROM old_rows o));
    RETURN NULL;
END $$;

CREATE FUNCTION hub_report_cells_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM hub_report_cells_count(ARRAY(SELECT v.s FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES
            (ROW(-1, o.received_at, o.delivered_at, o.option, o.state, o.sent, o.procedure_code, o.agency_code, o.post_point_code)::hub_report_cell_row),
            (ROW(1, n.received_at, n.delivered_at, n.option, n.state, n.sent, n.procedure_code, n.agency_code, n.post_point_code)::hub_report_cell_row)) AS v(s)
        WHERE o.received_at IS DISTINCT FROM n.received_at OR o.option IS DISTINCT FROM n.option
            OR (o.state = 'cancelled') IS DISTINCT FROM (n.state = 'cancelled') OR o.sent IS DISTINCT FROM n.sent
            OR o.procedure_code IS DISTINCT FROM n.procedure_code OR o.agency_code IS DISTINCT FROM n.agency_code
            OR o.post_point_code IS DISTINCT FROM n.post_point_code OR o.delivered_at IS DISTINCT FROM n.delivered_at));
    RETURN NULL;
END $$;

CREATE TRIGGER hub_report_cells_insert AFTER INSERT ON hub_dossiers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_report_cells_inserted();
CREATE TRIGGER hub_report_cells_update AFTER UPDATE ON hub_dossiers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_report_cells_updated();
CREATE TRIGGER hub_report_cells_delete AFTER DELETE ON hub_dossiers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_report_cells_deleted();

-- hub_events' references to devices and batches, checked once a statement
-- instead of once a row. A foreign key is checked by a row trigger: two
-- lookups with a row lock for every event, half the server's time in the
-- events' inserts of a push (measured: 12 µs an event of 25). The statement
-- trigger below takes the same lock (FOR KEY SHARE) on the statement's
-- distinct devices and batches — one device, one batch for a push's 256
-- events — and refuses the statement when one is missing; the triggers on
-- devices and batches refuse deleting a referenced row, or changing its id,
-- as the foreign keys did (NO ACTION). SQLite keeps its foreign keys.
ALTER TABLE hub_events DROP CONSTRAINT hub_events_device_id_fkey, DROP CONSTRAINT hub_events_batch_fkey;

CREATE FUNCTION hub_events_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    IF (SELECT count(*) FROM (SELECT d.id FROM devices d WHERE d.id IN (SELECT n.device_id FROM new_rows n) FOR KEY SHARE) x)
            < (SELECT count(DISTINCT n.device_id) FROM new_rows n) THEN
        SELECT n.device_id, n.seq INTO bad FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = n.device_id) LIMIT 1;
        RAISE EXCEPTION 'hub_events: device % (event %) is not in devices', bad.device_id, bad.seq
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF (SELECT count(*) FROM (SELECT b.id FROM batches b WHERE b.id IN (SELECT n.batch FROM new_rows n) FOR KEY SHARE) x)
            < (SELECT count(DISTINCT n.batch) FROM new_rows n) THEN
        SELECT n.device_id, n.seq, n.batch INTO bad FROM new_rows n WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.id = n.batch) LIMIT 1;
        RAISE EXCEPTION 'hub_events: batch % (device % event %) is not in batches', bad.batch, bad.device_id, bad.seq
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER hub_events_references AFTER INSERT ON hub_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_events_references();

CREATE FUNCTION hub_events_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.id IS NOT DISTINCT FROM NEW.id THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'devices' AND EXISTS (SELECT 1 FROM hub_events WHERE device_id = OLD.id) THEN
        RAISE EXCEPTION 'devices: % has events in hub_events', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_TABLE_NAME = 'batches' AND EXISTS (SELECT 1 FROM hub_events WHERE batch = OLD.id) THEN
        RAISE EXCEPTION 'batches: % has events in hub_events', OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER hub_events_referenced BEFORE DELETE OR UPDATE OF id ON devices
    FOR EACH ROW EXECUTE FUNCTION hub_events_referenced();
CREATE TRIGGER hub_events_referenced BEFORE DELETE OR UPDATE OF id ON batches
    FOR EACH ROW EXECUTE FUNCTION hub_events_referenced();

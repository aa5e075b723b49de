-- 003: figure 2 leaves out dossiers cancelled before handover to the agency
-- (internal/report's doc: such an intake counts nowhere).
--
-- sent is 1 once the dossier was handed to the agency (a dossier.handover
-- event), and stays 1 when a supplement request brings it back to the post:
-- the projection's handed_over_at is cleared then, so it cannot tell. A
-- dossier counts as received when its option sends it and it is not
-- cancelled with sent = 0. The triggers of migration 002 are replaced with
-- that rule and the kept counts rebuilt.
ALTER TABLE hub_dossiers ADD COLUMN sent INTEGER NOT NULL DEFAULT 0;
UPDATE hub_dossiers SET sent = 1 WHERE id IN (SELECT dossier FROM hub_events WHERE kind = 'dossier.handover' AND dossier <> '');

DROP TRIGGER hub_report_cells_insert;
DROP TRIGGER hub_report_cells_update_received;
DROP TRIGGER hub_report_cells_update_returned;
DROP TRIGGER hub_report_cells_delete;

-- The covering index of a period's cut months reads state and sent too.
DROP INDEX hub_dossiers_report_received;
CREATE INDEX hub_dossiers_report_received ON hub_dossiers(
    strftime('%Y-%m', received_at, '+7 hours'), procedure_code, agency_code, post_point_code, option, state, sent, received_at);

-- A dossier adds its intake (or registration) and its delivery.
CREATE TRIGGER hub_report_cells_insert AFTER INSERT ON hub_dossiers BEGIN
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code,
            NEW.option <> 'return' AND NOT (NEW.state = 'cancelled' AND NEW.sent = 0), NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code,
            NEW.option <> 'return' AND NOT (NEW.state = 'cancelled' AND NEW.sent = 0), NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, returned)
        SELECT strftime('%Y-%m', NEW.delivered_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code, 1
        WHERE NEW.delivered_at <> ''
        ON CONFLICT DO UPDATE SET returned = returned + 1;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, returned)
        SELECT strftime('%Y-%m', NEW.delivered_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, 1
        WHERE NEW.delivered_at <> ''
        ON CONFLICT DO UPDATE SET returned = returned + 1;
END;

-- A change of what a dossier counts towards moves its counts.
CREATE TRIGGER hub_report_cells_update_received AFTER UPDATE ON hub_dossiers
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.option IS NOT NEW.option
    OR (OLD.state = 'cancelled') IS NOT (NEW.state = 'cancelled') OR OLD.sent IS NOT NEW.sent OR OLD.procedure_code IS NOT NEW.procedure_code
    OR OLD.agency_code IS NOT NEW.agency_code OR OLD.post_point_code IS NOT NEW.post_point_code
BEGIN
    UPDATE hub_report_cells SET received = received - (OLD.option <> 'return' AND NOT (OLD.state = 'cancelled' AND OLD.sent = 0)), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET received = received - (OLD.option <> 'return' AND NOT (OLD.state = 'cancelled' AND OLD.sent = 0)), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code,
            NEW.option <> 'return' AND NOT (NEW.state = 'cancelled' AND NEW.sent = 0), NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code,
            NEW.option <> 'return' AND NOT (NEW.state = 'cancelled' AND NEW.sent = 0), NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
END;
CREATE TRIGGER hub_report_cells_update_returned AFTER UPDATE ON hub_dossiers
WHEN OLD.delivered_at IS NOT NEW.delivered_at OR OLD.procedure_code IS NOT NEW.procedure_code
    OR OLD.agency_code IS NOT NEW.agency_code OR OLD.post_point_code IS NOT NEW.post_point_code
BEGIN
    UPDATE hub_report_cells SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, returned)
        SELECT strftime('%Y-%m', NEW.delivered_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code, 1
        WHERE NEW.delivered_at <> ''
        ON CONFLICT DO UPDATE SET returned = returned + 1;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, returned)
        SELECT strftime('%Y-%m', NEW.delivered_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, 1
        WHERE NEW.delivered_at <> ''
        ON CONFLICT DO UPDATE SET returned = returned + 1;
END;

CREATE TRIGGER hub_report_cells_delete AFTER DELETE ON hub_dossiers BEGIN
    UPDATE hub_report_cells SET received = received - (OLD.option <> 'return' AND NOT (OLD.state = 'cancelled' AND OLD.sent = 0)), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET received = received - (OLD.option <> 'return' AND NOT (OLD.state = 'cancelled' AND OLD.sent = 0)), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
    UPDATE hub_report_cells SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
END;

-- The kept counts, rebuilt under the new rule.
DELETE FROM hub_report_cells;
DELETE FROM hub_report_cells_total;
INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered, returned)
    SELECT month, procedure_code, agency_code, post_point_code, sum(received), sum(registered), sum(returned) FROM (
        SELECT strftime('%Y-%m', received_at, '+7 hours') AS month, procedure_code, agency_code, post_point_code,
            option <> 'return' AND NOT (state = 'cancelled' AND sent = 0) AS received, option = 'return' AS registered, 0 AS returned
        FROM hub_dossiers WHERE received_at <> ''
        UNION ALL
        SELECT strftime('%Y-%m', delivered_at, '+7 hours'), procedure_code, agency_code, post_point_code, 0, 0, 1
        FROM hub_dossiers WHERE delivered_at <> '')
    GROUP BY month, procedure_code, agency_code, post_point_code;
INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered, returned)
    SELECT month, procedure_code, agency_code, sum(received), sum(registered), sum(returned) FROM hub_report_cells
    GROUP BY month, procedure_code, agency_code;

-- 002: reports (internal/hub/report_*.go; the province's three BCCI figures).
-- The hub's own dossiers are the numerators; these tables hold what the
-- figures divide by and group with. Times in domain.TimeLayout; months 'YYYY-MM'.

-- The province's catalog, as the reports read it: which procedures are
-- deployed for BCCI (open for intake or return), their field and agency.
CREATE TABLE hub_report_procedures (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    field       TEXT NOT NULL,
    level       TEXT NOT NULL DEFAULT '',
    agency_code TEXT NOT NULL DEFAULT '',
    bcci_intake INTEGER NOT NULL DEFAULT 0,
    bcci_return INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE hub_report_agencies (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    level TEXT NOT NULL DEFAULT ''
);

-- Communes: which commune a post point serves, and which agencies are a
-- commune's own (its People's Committee, its police…): a commune is graded
-- on its own agencies' procedures.
CREATE TABLE hub_report_post_point_communes (
    post_point_code TEXT PRIMARY KEY,
    commune         TEXT NOT NULL
);
CREATE TABLE hub_report_agency_communes (
    agency_code TEXT PRIMARY KEY,
    commune     TEXT NOT NULL
);

-- All-channel totals (same meaning as a post point's report_totals, see
-- internal/report/TOTALS.md), imported at the province.
CREATE TABLE hub_report_totals_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,
    sha256      TEXT NOT NULL DEFAULT '',
    staff       TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    rows        INTEGER NOT NULL
);
CREATE TABLE hub_report_totals (
    procedure_code TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    month          TEXT NOT NULL,
    dossiers       INTEGER NOT NULL CHECK (dossiers >= 0),
    results        INTEGER NOT NULL CHECK (results >= 0),
    source         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    import_id      INTEGER NOT NULL REFERENCES hub_report_totals_imports(id),
    PRIMARY KEY (procedure_code, agency_code, month)
) WITHOUT ROWID;
CREATE INDEX hub_report_totals_month ON hub_report_totals(month);
CREATE TABLE hub_report_totals_coverage (
    agency_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   INTEGER NOT NULL REFERENCES hub_report_totals_imports(id),
    PRIMARY KEY (agency_code, month)
) WITHOUT ROWID;

-- Covering indexes for the figures over a year of a province's dossiers,
-- ordered like the report's GROUP BY so SQLite streams the groups instead
-- of sorting a million rows: intakes and registrations by their month in
-- Vietnam time, deliveries by theirs. The time itself ends each index: a
-- query naming the column is then answered from the index alone.
CREATE INDEX hub_dossiers_report_received ON hub_dossiers(
    strftime('%Y-%m', received_at, '+7 hours'), procedure_code, agency_code, post_point_code, option, received_at);
CREATE INDEX hub_dossiers_report_delivered ON hub_dossiers(
    strftime('%Y-%m', delivered_at, '+7 hours'), procedure_code, agency_code, post_point_code, delivered_at)
    WHERE delivered_at <> '';

-- The BCCI counts per cell, kept up to date by triggers on the projection
-- so a year's figures read a few thousand rows instead of a million
-- dossiers: per month (Vietnam time), procedure, agency and post point
-- (hub_report_cells), and the same without the post point
-- (hub_report_cells_total). received: intakes (option send or
-- send_return, by received_at's month); registered: result-only
-- registrations (option return, by received_at's month); returned:
-- deliveries (by delivered_at's month). The expression indexes above
-- answer periods that cut a month.
CREATE TABLE hub_report_cells (
    month           TEXT NOT NULL,
    procedure_code  TEXT NOT NULL,
    agency_code     TEXT NOT NULL,
    post_point_code TEXT NOT NULL,
    received        INTEGER NOT NULL DEFAULT 0,
    registered      INTEGER NOT NULL DEFAULT 0,
    returned        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, procedure_code, agency_code, post_point_code)
) WITHOUT ROWID;
CREATE TABLE hub_report_cells_total (
    month          TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    received       INTEGER NOT NULL DEFAULT 0,
    registered     INTEGER NOT NULL DEFAULT 0,
    returned       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (month, procedure_code, agency_code)
) WITHOUT ROWID;

-- A dossier adds its intake (or registration) and its delivery.
CREATE TRIGGER hub_report_cells_insert AFTER INSERT ON hub_dossiers BEGIN
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code,
            NEW.option <> 'return', NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code,
            NEW.option <> 'return', NEW.option = 'return' WHERE NEW.received_at <> ''
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
WHEN OLD.received_at IS NOT NEW.received_at OR OLD.option IS NOT NEW.option OR OLD.procedure_code IS NOT NEW.procedure_code
    OR OLD.agency_code IS NOT NEW.agency_code OR OLD.post_point_code IS NOT NEW.post_point_code
BEGIN
    UPDATE hub_report_cells SET received = received - (OLD.option <> 'return'), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET received = received - (OLD.option <> 'return'), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
    INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code, NEW.post_point_code,
            NEW.option <> 'return', NEW.option = 'return' WHERE NEW.received_at <> ''
        ON CONFLICT DO UPDATE SET received = received + excluded.received, registered = registered + excluded.registered;
    INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered)
        SELECT strftime('%Y-%m', NEW.received_at, '+7 hours'), NEW.procedure_code, NEW.agency_code,
            NEW.option <> 'return', NEW.option = 'return' WHERE NEW.received_at <> ''
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
    UPDATE hub_report_cells SET received = received - (OLD.option <> 'return'), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET received = received - (OLD.option <> 'return'), registered = registered - (OLD.option = 'return')
        WHERE OLD.received_at <> '' AND month = strftime('%Y-%m', OLD.received_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
    UPDATE hub_report_cells SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code AND post_point_code = OLD.post_point_code;
    UPDATE hub_report_cells_total SET returned = returned - 1
        WHERE OLD.delivered_at <> '' AND month = strftime('%Y-%m', OLD.delivered_at, '+7 hours') AND procedure_code = OLD.procedure_code
        AND agency_code = OLD.agency_code;
END;

-- Dossiers already projected before this migration.
INSERT INTO hub_report_cells(month, procedure_code, agency_code, post_point_code, received, registered, returned)
    SELECT month, procedure_code, agency_code, post_point_code, sum(received), sum(registered), sum(returned) FROM (
        SELECT strftime('%Y-%m', received_at, '+7 hours') AS month, procedure_code, agency_code, post_point_code,
            option <> 'return' AS received, option = 'return' AS registered, 0 AS returned FROM hub_dossiers WHERE received_at <> ''
        UNION ALL
        SELECT strftime('%Y-%m', delivered_at, '+7 hours'), procedure_code, agency_code, post_point_code, 0, 0, 1
        FROM hub_dossiers WHERE delivered_at <> '')
    GROUP BY month, procedure_code, agency_code, post_point_code;
INSERT INTO hub_report_cells_total(month, procedure_code, agency_code, received, registered, returned)
    SELECT month, procedure_code, agency_code, sum(received), sum(registered), sum(returned) FROM hub_report_cells
    GROUP BY month, procedure_code, agency_code;

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

-- Covering indexes for the figures over a year of a province's dossiers:
-- intakes and registrations by received_at, deliveries by delivered_at.
CREATE INDEX hub_dossiers_report_received ON hub_dossiers(received_at, option, procedure_code, agency_code, post_point_code);
CREATE INDEX hub_dossiers_report_delivered ON hub_dossiers(delivered_at, procedure_code, agency_code, post_point_code)
    WHERE delivered_at <> '';

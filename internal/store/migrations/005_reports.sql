-- 005: reports (all-channel totals from the one-stop system).
--
-- The province's three BCCI figures divide what went through the post by
-- what every channel handled. The post point knows its own numerators (its
-- event log); the denominators come from the agencies' one-stop system,
-- imported from a file or typed in by a supervisor (internal/report/TOTALS.md).

-- One import (a file, or a supervisor's typed month of one agency).
CREATE TABLE IF NOT EXISTS report_totals_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source      TEXT NOT NULL,               -- file name, or 'typed'
    sha256      TEXT NOT NULL DEFAULT '',    -- of the file's bytes ('' when typed)
    staff       TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    period_from TEXT NOT NULL,               -- first month covered, 'YYYY-MM'
    period_to   TEXT NOT NULL,               -- last month covered
    rows        INTEGER NOT NULL
);

-- The totals, per procedure, agency and month (Vietnam time), every channel
-- included (BCCI too). A later import covering the same agency and month
-- replaces them.
CREATE TABLE IF NOT EXISTS report_totals (
    procedure_code TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    month          TEXT NOT NULL,            -- 'YYYY-MM'
    dossiers       INTEGER NOT NULL CHECK (dossiers >= 0),  -- dossiers received, all channels
    results        INTEGER NOT NULL CHECK (results >= 0),   -- results returned, all channels
    source         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    import_id      INTEGER NOT NULL REFERENCES report_totals_imports(id),
    PRIMARY KEY (procedure_code, agency_code, month)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS report_totals_month ON report_totals(month);

-- Which agency and month an import covered: the import is that agency's
-- complete record of the month, so a procedure it does not list had no
-- dossier. A figure uses only covered cells on both sides of the division.
CREATE TABLE IF NOT EXISTS report_totals_coverage (
    agency_code TEXT NOT NULL,
    month       TEXT NOT NULL,
    import_id   INTEGER NOT NULL REFERENCES report_totals_imports(id),
    PRIMARY KEY (agency_code, month)
) WITHOUT ROWID;

package hubstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/report"
	"postdesk/internal/store"
)

// The SQL of the province report (internal/hub/hubreport puts the
// figures together): its catalog, communes, targets, the BCCI counts kept
// by triggers on hub_dossiers, the agencies' totals and the dossiers'
// timelines. Tables in migrations/002_reports.sql.

// ReportCatalog returns the procedures and agencies the province report
// uses; when none was imported it falls back to the sample catalog shipped
// with PostDesk (sample true).
func (s *Store) ReportCatalog(ctx context.Context) (procs []domain.Procedure, agencies []domain.Agency, sample bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, field, level, agency_code, bcci_intake, bcci_return
		FROM hub_report_procedures ORDER BY code`)
	if err != nil {
		return nil, nil, false, err
	}
	for rows.Next() {
		var p domain.Procedure
		if err := rows.Scan(&p.Code, &p.Name, &p.Field, &p.Level, &p.AgencyCode, &p.BCCIIntake, &p.BCCIReturn); err != nil {
			rows.Close()
			return nil, nil, false, err
		}
		procs = append(procs, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, false, err
	}
	arows, err := s.db.QueryContext(ctx, "SELECT code, name, level FROM hub_report_agencies ORDER BY code")
	if err != nil {
		return nil, nil, false, err
	}
	for arows.Next() {
		var a domain.Agency
		if err := arows.Scan(&a.Code, &a.Name, &a.Level); err != nil {
			arows.Close()
			return nil, nil, false, err
		}
		agencies = append(agencies, a)
	}
	arows.Close()
	if err := arows.Err(); err != nil {
		return nil, nil, false, err
	}
	if len(procs) > 0 {
		return procs, agencies, false, nil
	}
	f, err := catalog.Sample()
	if err != nil {
		return nil, nil, false, err
	}
	return f.Procedures, f.Agencies, true, nil
}

// ImportReportCatalog replaces the province report's catalog with f (a
// parsed catalog file, or several merged): the figures' deployed flags,
// fields and agencies. It returns the number of procedures.
func (s *Store) ImportReportCatalog(ctx context.Context, f *catalog.File) (int, error) {
	if len(f.Procedures) == 0 {
		return 0, domain.Errors{domain.Errf(f.Name, "hub.report.err.no_procedures", "the catalog has no procedures")}
	}
	known := map[string]bool{}
	for _, a := range f.Agencies {
		known[a.Code] = true
	}
	var errs domain.Errors
	for _, code := range f.MissingAgencies {
		if !known[code] {
			errs = append(errs, domain.Errf(f.Name, "err.catalog.unknown_agency", "agency %s is not in the file", code).WithArgs("Code", code, "Value", code))
		}
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return replaceReportCatalog(ctx, tx, f) })
	return len(f.Procedures), err
}

// replaceReportCatalog puts f in place of the report's catalog, inside tx.
func replaceReportCatalog(ctx context.Context, tx *sql.Tx, f *catalog.File) error {
	for _, q := range []string{"DELETE FROM hub_report_procedures", "DELETE FROM hub_report_agencies"} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	for _, a := range f.Agencies {
		if _, err := tx.ExecContext(ctx, "INSERT INTO hub_report_agencies(code, name, level) VALUES(?, ?, ?)", a.Code, a.Name, a.Level); err != nil {
			return err
		}
	}
	for _, p := range f.Procedures {
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_report_procedures(code, name, field, level, agency_code, bcci_intake, bcci_return)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, p.Code, p.Name, p.Field, p.Level, p.AgencyCode, p.BCCIIntake, p.BCCIReturn); err != nil {
			return err
		}
	}
	return nil
}

// ImportReportCommunes replaces the communes file: a CSV with the columns
// commune, post_point_code, agency_code; each row names a commune and a
// post point serving it, or one of its own agencies, or both. Every bad
// row is listed; nothing is imported then.
func (s *Store) ImportReportCommunes(ctx context.Context, data []byte, name string) (posts, agencies int, err error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	if first, _, _ := bytes.Cut(data, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		r.Comma = ';'
	}
	head, err := r.Read()
	if err != nil {
		return 0, 0, domain.Errors{domain.Errf(name, "err.totals.empty", "the file has no rows")}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ReplaceAll(strings.ToLower(strings.TrimSpace(domain.Fold(h))), " ", "_")] = i
	}
	var errs domain.Errors
	for _, c := range []string{"commune", "post_point_code", "agency_code"} {
		if _, ok := col[c]; !ok {
			errs = append(errs, domain.Errf("line 1: "+c, "err.totals.missing_column", "required column %q is missing", c).WithArgs("Value", c))
		}
	}
	if err := errs.Err(); err != nil {
		return 0, 0, err
	}
	pp := map[string]string{}
	ag := map[string]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return 0, 0, domain.Errors{domain.Errf(fmt.Sprintf("line %d", line), "err.totals.bad_csv", "the CSV is malformed: %v", err).WithArgs("Line", strconv.Itoa(line))}
		}
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return domain.Clean(rec[i])
			}
			return ""
		}
		commune, p, a := get("commune"), get("post_point_code"), strings.ToUpper(get("agency_code"))
		if commune+p+a == "" {
			continue
		}
		field := func(c string) string { return fmt.Sprintf("line %d: %s", line, c) }
		switch {
		case commune == "":
			errs = append(errs, domain.Errf(field("commune"), "err.totals.required", "empty"))
		case p == "" && a == "":
			errs = append(errs, domain.Errf(field("post_point_code"), "err.totals.required", "give a post point or an agency"))
		}
		if p != "" {
			if err := domain.ValidPostPointCode(p); err != nil {
				errs = append(errs, domain.Errf(field("post_point_code"), "hub.report.err.post_point", "%q is not a post point code", p).WithArgs("Value", p))
			} else if c, dup := pp[p]; dup && c != commune {
				errs = append(errs, domain.Errf(field("post_point_code"), "hub.report.err.two_communes", "post point %s is already in commune %s", p, c).WithArgs("Value", p, "Commune", c))
			}
			pp[p] = commune
		}
		if a != "" {
			if c, dup := ag[a]; dup && c != commune {
				errs = append(errs, domain.Errf(field("agency_code"), "hub.report.err.two_communes", "agency %s is already in commune %s", a, c).WithArgs("Value", a, "Commune", c))
			}
			ag[a] = commune
		}
	}
	if err := errs.Err(); err != nil {
		return 0, 0, err
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{"DELETE FROM hub_report_post_point_communes", "DELETE FROM hub_report_agency_communes"} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for p, c := range pp {
			if _, err := tx.ExecContext(ctx, "INSERT INTO hub_report_post_point_communes(post_point_code, commune) VALUES(?, ?)", p, c); err != nil {
				return err
			}
		}
		for a, c := range ag {
			if _, err := tx.ExecContext(ctx, "INSERT INTO hub_report_agency_communes(agency_code, commune) VALUES(?, ?)", a, c); err != nil {
				return err
			}
		}
		if err := s.reapplyDeviceTotals(ctx, tx); err != nil {
			return err
		}
		// every post point's devices learn what their report counts
		scopes, err := reportScopes(ctx, tx)
		if err != nil {
			return err
		}
		return queueScopes(ctx, tx, slices.Sorted(maps.Keys(scopes)), formatTime(s.Now()))
	})
	return len(pp), len(ag), err
}

// ReportCommunes gives the communes file's post points (post point code →
// commune) and agencies (agency code → commune); see ImportReportCommunes.
func (s *Store) ReportCommunes(ctx context.Context) (postPoints, agencies map[string]string, err error) {
	if postPoints, err = s.stringMap(ctx, "SELECT post_point_code, commune FROM hub_report_post_point_communes"); err != nil {
		return nil, nil, err
	}
	agencies, err = s.stringMap(ctx, "SELECT agency_code, commune FROM hub_report_agency_communes")
	return postPoints, agencies, err
}

func (s *Store) stringMap(ctx context.Context, q string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// The BCCI counts of whole months come from hub_report_cells (per post
// point) and hub_report_cells_total, kept by triggers on hub_dossiers
// (migration 002); a month the period only partly covers is counted from
// the dossiers themselves, through two covering indexes on expressions:
// intakes and registrations by received_at's month, deliveries by
// delivered_at's month (Vietnam time: UTC + 7 hours), each followed by the
// procedure, agency and post point so the GROUP BY follows the index.
const (
	monthReceived  = "strftime('%Y-%m', received_at, '+7 hours')"
	monthDelivered = "strftime('%Y-%m', delivered_at, '+7 hours')"
)

// Each group comes back as two columns — "month|procedure|agency|post
// point" and its counts packed in one integer (intakes << 42 |
// registrations << 21 | deliveries; a cell never holds 2 million) —
// because a province's year has hundreds of thousands of groups by post
// point and every column read costs.
const packed = "received * 4398046511104 + registered * 2097152 + returned"

// cellsSQL reads the kept counts of months ?1..?2. By post point, the
// post points of a cell come in one text, "600900 n,600910 n,…" (a year has
// hundreds of thousands of post point cells; a row each would cost more
// than the reading itself). On PostgreSQL the join is string_agg, its own:
// the group_concat of migrations/postgres/001 is an SQL function called
// for every cell: 1.9 s by commune over 300,000 dossiers against … below
// (hubreport BenchmarkHubFiguresPostgres).
func cellsSQL(pp, pg bool) string {
	if pp {
		agg := "group_concat"
		if pg {
			agg = "string_agg"
		}
		return "SELECT month || '|' || procedure_code || '|' || agency_code || '|', " + agg + "(post_point_code || ' ' || (" + packed +
			"), ',') FROM hub_report_cells WHERE month >= ?1 AND month <= ?2 AND received + registered + returned > 0" +
			" GROUP BY month, procedure_code, agency_code"
	}
	return "SELECT month || '|' || procedure_code || '|' || agency_code || '|', " + packed +
		" FROM hub_report_cells_total WHERE month >= ?1 AND month <= ?2 AND received + registered + returned > 0"
}

// exactSQL counts one kind of event in month ?1 with times in [?2, ?3),
// from the dossiers.
func exactSQL(delivered, pp bool) string {
	m, at, n := monthReceived, "received_at", "sum(CASE WHEN "+receivedSQL+" THEN 1 ELSE 0 END) * 4398046511104 + sum(CASE WHEN option = 'return' THEN 1 ELSE 0 END) * 2097152"
	where := ""
	if delivered {
		m, at, n = monthDelivered, "delivered_at", "count(*)"
		where = " AND delivered_at <> ''"
	}
	key, group := m+" || '|' || procedure_code || '|' || agency_code || '|'", "procedure_code, agency_code"
	if pp {
		key, group = key+" || post_point_code", group+", post_point_code"
	}
	return "SELECT " + key + ", " + n + " FROM hub_dossiers WHERE " + m + " = ?1" + where +
		" AND " + at + " >= ?2 AND " + at + " < ?3 GROUP BY " + m + ", " + group
}

// receivedSQL is whether a hub_dossiers row counts as received through
// BCCI (figure 2): sent by post and not cancelled before its first
// handover (internal/report's doc; migration 003 keeps the same rule).
const receivedSQL = "option <> 'return' AND NOT (state = 'cancelled' AND sent = 0)"

// ReportCountsSQL is the query of the province's figures over whole months
// ?1..?2, for benchmarks that run it straight in sqlite3.
var ReportCountsSQL = cellsSQL(false, false)

// ReportScanSQL is what the kept counts replace: the province's intakes and
// deliveries of whole months counted from the dossiers themselves (through
// the covering expression indexes), for benchmarks that compare the two.
var ReportScanSQL = "SELECT " + monthReceived + " || '|' || procedure_code || '|' || agency_code || '|', " +
	"sum(CASE WHEN option <> 'return' THEN 1 ELSE 0 END) * 4398046511104 + sum(CASE WHEN option = 'return' THEN 1 ELSE 0 END) * 2097152 FROM hub_dossiers WHERE " +
	monthReceived + " >= ?1 AND " + monthReceived + " <= ?2 GROUP BY " + monthReceived + ", procedure_code, agency_code"

// ReportCounts reads the BCCI counts of period p per procedure, agency and
// month; with byPostPoint also per post point (Count.Unit), else Unit is "".
func (s *Store) ReportCounts(ctx context.Context, p domain.Period, byPostPoint bool) ([]report.Count, error) {
	return reportCounts(ctx, s.db, p, byPostPoint, s.pg)
}

// reportQueryer is a *sql.DB or *sql.Tx.
type reportQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func reportCounts(ctx context.Context, q reportQueryer, p domain.Period, pp, pg bool) ([]report.Count, error) {
	idx := map[string]int{}
	var out []report.Count
	add := func(key string, n int64) error {
		i, ok := idx[key]
		if !ok {
			parts := strings.SplitN(key, "|", 4)
			if len(parts) != 4 {
				return fmt.Errorf("report counts: bad group %q", key)
			}
			i = len(out)
			idx[key] = i
			out = append(out, report.Count{Month: domain.Month(parts[0]), Procedure: parts[1], Agency: parts[2], Unit: parts[3]})
		}
		const mask = 1<<21 - 1
		out[i].Received += n >> 42
		out[i].Registered += (n >> 21) & mask
		out[i].Returned += n & mask
		return nil
	}
	run := func(query string, args ...any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key, val string
			if err := rows.Scan(&key, &val); err != nil {
				return err
			}
			if !strings.HasSuffix(key, "|") || !strings.ContainsRune(val, ' ') {
				n, err := strconv.ParseInt(val, 10, 64)
				if err != nil {
					return fmt.Errorf("report counts: bad count %q", val)
				}
				if err := add(key, n); err != nil {
					return err
				}
				continue
			}
			// "600900 n,600910 n,…": one cell's post points, each cell once
			// (whole months come only from here), so no merging is needed
			parts := strings.SplitN(key, "|", 4)
			if len(parts) != 4 {
				return fmt.Errorf("report counts: bad group %q", key)
			}
			const mask = 1<<21 - 1
			for len(val) > 0 {
				item, rest, _ := strings.Cut(val, ",")
				val = rest
				pp, num, ok := strings.Cut(item, " ")
				n, err := strconv.ParseInt(num, 10, 64)
				if !ok || err != nil {
					return fmt.Errorf("report counts: bad post point count %q", item)
				}
				out = append(out, report.Count{Month: domain.Month(parts[0]), Procedure: parts[1], Agency: parts[2], Unit: pp,
					Received: n >> 42, Registered: (n >> 21) & mask, Returned: n & mask})
			}
		}
		return rows.Err()
	}
	// whole months from the kept counts; the period's cut months from the dossiers
	var whole []domain.Month
	for _, m := range p.Months() {
		if !m.Start().Before(p.Start()) && !m.Next().Start().After(p.End()) {
			whole = append(whole, m)
			continue
		}
		for _, delivered := range []bool{false, true} {
			if err := run(exactSQL(delivered, pp), string(m), formatTime(p.Start()), formatTime(p.End())); err != nil {
				return nil, err
			}
		}
	}
	if len(whole) > 0 {
		from, to := string(whole[0]), string(whole[len(whole)-1])
		if pp { // hundreds of thousands of cells: size the list once
			var n int
			if err := q.QueryRowContext(ctx, "SELECT count(*) FROM hub_report_cells WHERE month >= ?1 AND month <= ?2", from, to).Scan(&n); err != nil {
				return nil, err
			}
			out = slices.Grow(out, n)
		}
		if err := run(cellsSQL(pp, pg), from, to); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImportReportTotals checks a parsed totals file against the report
// catalog and the BCCI counts of every post point, and stores it all or
// nothing (see internal/report/TOTALS.md).
func (s *Store) ImportReportTotals(ctx context.Context, staff string, f *report.TotalsFile) (int64, error) {
	procs, agencies, _, err := s.ReportCatalog(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.write(ctx, func(tx *sql.Tx) error {
		per, err := domain.NewPeriod(f.From.Start(), f.To.Next().Start().AddDate(0, 0, -1))
		if err != nil {
			return err
		}
		counts, err := reportCounts(ctx, tx, per, false, s.pg)
		if err != nil {
			return err
		}
		if err := report.Check(f, procs, agencies, counts); err != nil {
			return err
		}
		// the province's import wins over every change held (§11.5), and
		// goes down to the post points of the communes it covers
		at, err := provinceTotalsAt(ctx, tx, s.Now())
		if err != nil {
			return err
		}
		imp := totalsImport{source: f.Name, sha256: f.SHA256, staff: staff, from: f.From, to: f.To, agencies: f.Agencies()}
		for _, r := range f.Rows {
			imp.rows = append(imp.rows, r.TotalsRow)
		}
		now := formatTime(s.Now())
		if id, err = writeTotalsCells(ctx, tx, imp, totalsMark{at: formatTime(at)}, now, true); err != nil {
			return err
		}
		return queueTotalsDown(ctx, tx, imp, at, now)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// ReportTotals returns the stored totals and coverage of months from..to.
func (s *Store) ReportTotals(ctx context.Context, from, to domain.Month) ([]store.TotalsRow, []store.TotalsCover, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT procedure_code, agency_code, month, dossiers, results, source, imported_at
		FROM hub_report_totals WHERE month >= ? AND month <= ?`, string(from), string(to))
	if err != nil {
		return nil, nil, err
	}
	var totals []store.TotalsRow
	for rows.Next() {
		var r store.TotalsRow
		var month, at string
		if err := rows.Scan(&r.Procedure, &r.Agency, &month, &r.Dossiers, &r.Results, &r.Source, &at); err != nil {
			rows.Close()
			return nil, nil, err
		}
		r.Month, r.ImportedAt = domain.Month(month), parseTime(at)
		totals = append(totals, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	crows, err := s.db.QueryContext(ctx, "SELECT agency_code, month FROM hub_report_totals_coverage WHERE month >= ? AND month <= ?", string(from), string(to))
	if err != nil {
		return nil, nil, err
	}
	defer crows.Close()
	var cov []store.TotalsCover
	for crows.Next() {
		var c store.TotalsCover
		var month string
		if err := crows.Scan(&c.Agency, &month); err != nil {
			return nil, nil, err
		}
		c.Month = domain.Month(month)
		cov = append(cov, c)
	}
	return totals, cov, crows.Err()
}

// ReportTargets are the province's targets, kept in hub_meta as JSON of
// domain.Targets under "report_targets" (the defaults until set).
func (s *Store) ReportTargets(ctx context.Context) (domain.Targets, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, "SELECT value FROM hub_meta WHERE key = 'report_targets'").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.DefaultSettings().Targets, nil
	}
	if err != nil {
		return domain.Targets{}, err
	}
	var t domain.Targets
	if err := json.Unmarshal(v, &t); err != nil {
		return domain.Targets{}, fmt.Errorf("stored report targets unreadable: %w", err)
	}
	return t, nil
}

// SetReportTargets stores the province's targets (percent, 0–100).
func (s *Store) SetReportTargets(ctx context.Context, t domain.Targets) error {
	for _, v := range []float64{t.ProceduresWithBCCI, t.DossiersViaBCCI, t.ResultsViaBCCI} {
		if v < 0 || v > 100 {
			return domain.Errf("targets", "hub.report.err.target", "a target is a percentage from 0 to 100")
		}
	}
	if !domain.ValidResultsBase(t.ResultsBase) {
		return domain.Errf("targets", "hub.report.err.results_base", "figure 3 divides by dossiers or results, not %q", t.ResultsBase).
			WithArgs("Value", t.ResultsBase)
	}
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES('report_targets', ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, v)
		return err
	})
}

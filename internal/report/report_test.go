package report

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// demoDossier is one row of the projection, read for the independent count.
type demoDossier struct {
	option, proc, agency string
	received, delivered  time.Time
}

// readDossiers reads the projection (not the event log the report counts
// from), with the delivery time out of the dossier's JSON.
func readDossiers(t *testing.T, db *sql.DB) []demoDossier {
	t.Helper()
	rows, err := db.Query(`SELECT option, procedure_code, agency_code, received_at, coalesce(json_extract(data, '$.delivery.at'), '') FROM dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []demoDossier
	for rows.Next() {
		var d demoDossier
		var rec, del string
		if err := rows.Scan(&d.option, &d.proc, &d.agency, &rec, &del); err != nil {
			t.Fatal(err)
		}
		if d.received, err = time.Parse(time.RFC3339Nano, rec); err != nil {
			t.Fatal(err)
		}
		if del != "" {
			if d.delivered, err = time.Parse(time.RFC3339Nano, del); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, d)
	}
	return out
}

// totalsCSV generates an all-channel totals file for months from..to
// (inclusive) covering every agency with BCCI activity: each cell's totals
// are its BCCI counts (computed here in Go from the projection) plus a
// random number of dossiers from other channels. It returns the file and
// the sums of the deployed procedures' totals.
func totalsCSV(t *testing.T, ds []demoDossier, deployed map[string]bool, from, to domain.Month, seed uint64) (csv []byte, sumD, sumR int64) {
	t.Helper()
	type cell struct {
		proc, agency string
		month        domain.Month
	}
	recv, ret := map[cell]int64{}, map[cell]int64{}
	cells := map[cell]bool{}
	for _, d := range ds {
		if d.option != "return" {
			m := domain.Month(d.received.In(domain.Zone).Format("2006-01"))
			if m >= from && m <= to {
				c := cell{d.proc, d.agency, m}
				recv[c]++
				cells[c] = true
			}
		}
		if !d.delivered.IsZero() {
			m := domain.Month(d.delivered.In(domain.Zone).Format("2006-01"))
			if m >= from && m <= to {
				c := cell{d.proc, d.agency, m}
				ret[c]++
				cells[c] = true
			}
		}
	}
	keys := make([]cell, 0, len(cells))
	for c := range cells {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.month+domain.Month(a.agency+a.proc) < b.month+domain.Month(b.agency+b.proc)
	})
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	b.WriteString("period_from;period_to;procedure_code;agency_code;month;dossiers_total;results_total;note\n")
	for _, c := range keys {
		d, r := recv[c]+int64(rng.IntN(40)), ret[c]+int64(rng.IntN(30))
		if deployed[c.proc] {
			sumD += d
			sumR += r
		}
		fmt.Fprintf(&b, "%s;%s;%s;%s;%s;%d;%d;Ghi chú\n", from.Label(), to.Label(), c.proc, c.agency, c.month.Label(), d, r)
	}
	return []byte(b.String()), sumD, sumR
}

// undeploy turns BCCI off for one procedure that has demo dossiers, so the
// figures must leave it out.
func undeploy(t *testing.T, s *store.Store) string {
	t.Helper()
	var code string
	if err := testtool.DB(t, s.Path()).QueryRow("SELECT procedure_code FROM dossiers GROUP BY procedure_code ORDER BY count(*) DESC LIMIT 1").Scan(&code); err != nil {
		t.Fatal(err)
	}
	procs, err := s.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	agencies, err := s.Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range procs {
		if procs[i].Code == code {
			procs[i].BCCIIntake, procs[i].BCCIReturn = false, false
		}
	}
	if _, err := s.ImportCatalog(ctx, "admin", store.CatalogImport{FileName: "changed.csv", Agencies: agencies, Procedures: procs}); err != nil {
		t.Fatal(err)
	}
	return code
}

func scalar(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func utc(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05") }

// TestFiguresMatchIndependentSQL seeds a year of demo dossiers, imports
// generated totals for January–September and checks the three figures
// against queries written here over the projection (the report counts from
// the event log), for a year, a quarter and a month.
func TestFiguresMatchIndependentSQL(t *testing.T) {
	s := newPoint(t, 1500)
	gone := undeploy(t, s)
	db := testtool.DB(t, s.Path())
	ds := readDossiers(t, db)
	deployed := map[string]bool{}
	procs, _ := s.Procedures(ctx)
	for _, p := range procs {
		deployed[p.Code] = p.BCCIIntake || p.BCCIReturn
	}
	if deployed[gone] {
		t.Fatal("undeploy did not take")
	}
	data, sumD, sumR := totalsCSV(t, ds, deployed, "2026-01", "2026-09", 1)
	f, err := ParseTotalsCSV(data, "tong-so.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPoint(ctx, s, "truong", f); err != nil {
		t.Fatal(err)
	}
	agencies := f.Agencies()
	inAgencies := "'" + strings.Join(agencies, "','") + "'"

	// independent: the projection, julianday() on the stored times, the
	// delivery time read from the dossier's JSON
	deployedSQL := "JOIN procedures p ON p.code = d.procedure_code AND (p.bcci_intake OR p.bcci_return)"
	// received: not cancelled while never handed over (the dossier's JSON
	// keeps handed_over_at when cancelled after a handover)
	notCancelledUnsent := " AND NOT (d.state = 'cancelled' AND json_extract(d.data, '$.handed_over_at') IS NULL)"
	check := func(name string, per domain.Period, covFrom, covTo time.Time, wantD, wantR int64) {
		t.Helper()
		r, err := PointReport(ctx, s, per)
		if err != nil {
			t.Fatal(err)
		}
		from, to := utc(per.Start()), utc(per.End())
		active := scalar(t, db, `SELECT count(DISTINCT d.procedure_code) FROM dossiers d `+deployedSQL+`
			WHERE (julianday(d.received_at) >= julianday(?) AND julianday(d.received_at) < julianday(?)`+notCancelledUnsent+`)
			   OR (json_extract(d.data, '$.delivery.at') IS NOT NULL
			       AND julianday(json_extract(d.data, '$.delivery.at')) >= julianday(?)
			       AND julianday(json_extract(d.data, '$.delivery.at')) < julianday(?))`, from, to, from, to)
		nDeployed := scalar(t, db, "SELECT count(*) FROM procedures WHERE bcci_intake OR bcci_return")
		// covered window: the period cut to the months the totals cover
		cf, ct := per.Start(), per.End()
		if covFrom.After(cf) {
			cf = covFrom
		}
		if covTo.Before(ct) {
			ct = covTo
		}
		recv := scalar(t, db, `SELECT count(*) FROM dossiers d `+deployedSQL+` WHERE d.option IN ('send', 'send_return')`+notCancelledUnsent+`
			AND d.agency_code IN (`+inAgencies+`) AND julianday(d.received_at) >= julianday(?) AND julianday(d.received_at) < julianday(?)`,
			utc(cf), utc(ct))
		ret := scalar(t, db, `SELECT count(*) FROM dossiers d `+deployedSQL+` WHERE d.agency_code IN (`+inAgencies+`)
			AND json_extract(d.data, '$.delivery.at') IS NOT NULL
			AND julianday(json_extract(d.data, '$.delivery.at')) >= julianday(?) AND julianday(json_extract(d.data, '$.delivery.at')) < julianday(?)`,
			utc(cf), utc(ct))
		allRecv := scalar(t, db, `SELECT count(*) FROM dossiers d `+deployedSQL+` WHERE d.option IN ('send', 'send_return')`+notCancelledUnsent+`
			AND julianday(d.received_at) >= julianday(?) AND julianday(d.received_at) < julianday(?)`, from, to)

		want := []domain.Figure{
			{Kind: domain.FigureProcedures, Numerator: active, Denominator: nDeployed, DenominatorKnown: true, Target: 50},
			{Kind: domain.FigureDossiers, Numerator: recv, Denominator: wantD, DenominatorKnown: true, Target: 10},
			// figure 3 over all dossiers, as the letter words it
			{Kind: domain.FigureResults, Numerator: ret, Denominator: wantD, DenominatorKnown: true, Target: 15},
		}
		for i, w := range want {
			if got := r.Total.Figures[i]; got != w {
				t.Errorf("%s: figure %s = %+v, independent query says %+v", name, w.Kind, got, w)
			}
		}
		if r.Total.Received != allRecv {
			t.Errorf("%s: every BCCI intake %d, independent %d", name, r.Total.Received, allRecv)
		}
		if r.Total.UncoveredReceived != allRecv-recv {
			t.Errorf("%s: uncovered %d, want %d", name, r.Total.UncoveredReceived, allRecv-recv)
		}
		if active == 0 || recv == 0 || ret == 0 {
			t.Errorf("%s: the seed should give activity (%d, %d, %d)", name, active, recv, ret)
		}
		// the JSON lists the same numbers
		var buf bytes.Buffer
		if err := WriteJSON(&buf, r, vi(t)); err != nil {
			t.Fatal(err)
		}
		var j struct {
			Figures []FigureView `json:"figures"`
		}
		if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			g := j.Figures[i]
			if g.Numerator != w.Numerator || g.Denominator == nil || *g.Denominator != w.Denominator {
				t.Errorf("%s: JSON figure %s = %d/%v, want %d/%d", name, w.Kind, g.Numerator, g.Denominator, w.Numerator, w.Denominator)
			}
			wantPct := math.Round(10000*float64(w.Numerator)/float64(w.Denominator)) / 100
			if g.Percent == nil || math.Abs(*g.Percent-wantPct) > 0.006 || g.Met != (wantPct > w.Target) {
				t.Errorf("%s: JSON figure %s percent %v met %v, want %v", name, w.Kind, g.Percent, g.Met, wantPct)
			}
		}
	}
	covFrom := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Zone)
	covTo := time.Date(2026, 10, 1, 0, 0, 0, 0, domain.Zone)
	check("year 2026", domain.YearPeriod(2026), covFrom, covTo, sumD, sumR)

	// a quarter: the totals of April–June only
	q2 := totalsOf(t, s, "2026-04", "2026-06", deployed)
	check("Q2 2026", domain.QuarterPeriod(2026, 2), covFrom, covTo, q2[0], q2[1])
	m := totalsOf(t, s, "2026-07", "2026-07", deployed)
	check("July 2026", domain.MonthPeriod(2026, time.July), covFrom, covTo, m[0], m[1])

	// the undeployed procedure is in no figure but had dossiers
	r, _ := PointReport(ctx, s, domain.YearPeriod(2026))
	for _, p := range r.Procedures {
		if p.Code == gone {
			t.Errorf("undeployed %s listed among deployed procedures", gone)
		}
	}
	if len(r.MissingMonths) != 2 || r.MissingMonths[0] != "2026-10" || r.MissingMonths[1] != "2026-11" {
		t.Errorf("months without totals %v, want 10/2026 and 11/2026 (12/2026 is after the report)", r.MissingMonths)
	}
}

// totalsOf sums the stored totals of deployed procedures over months.
func totalsOf(t *testing.T, s *store.Store, from, to domain.Month, deployed map[string]bool) [2]int64 {
	t.Helper()
	rows, err := s.Totals(ctx, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var out [2]int64
	for _, r := range rows {
		if deployed[r.Procedure] {
			out[0] += r.Dossiers
			out[1] += r.Results
		}
	}
	return out
}

// small is a hand-made catalog: P1 open for intake at agency A, P2 open
// for return only at agency B, P3 closed to BCCI at agency A.
func small() Data {
	return Data{
		Scope: "Bưu điện Văn hóa xã Thử", ScopeCode: "600901",
		Period:  domain.Period{From: time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Zone), To: time.Date(2026, 2, 28, 0, 0, 0, 0, domain.Zone)},
		Targets: domain.DefaultSettings().Targets,
		Now:     time.Date(2026, 3, 10, 9, 0, 0, 0, domain.Zone),
		Procedures: []domain.Procedure{
			{Code: "1.000001", Name: "Khai sinh", Field: "Hộ tịch", AgencyCode: "A", BCCIIntake: true},
			{Code: "1.000002", Name: "Cấp bản sao", Field: "Chứng thực", AgencyCode: "B", BCCIReturn: true},
			{Code: "1.000003", Name: "Đất đai", Field: "Đất đai", AgencyCode: "A"},
		},
		Counts: []Count{
			{Procedure: "1.000001", Agency: "A", Month: "2026-01", Received: 3, Returned: 1},
			{Procedure: "1.000002", Agency: "B", Month: "2026-02", Registered: 2, Returned: 2},
			{Procedure: "1.000003", Agency: "A", Month: "2026-01", Received: 5},  // not deployed
			{Procedure: "1.000001", Agency: "B", Month: "2026-01", Received: 4},  // B has no totals for January
			{Procedure: "1.000001", Agency: "A", Month: "2026-03", Received: 50}, // after the period
		},
		Totals: []store.TotalsRow{
			{Procedure: "1.000001", Agency: "A", Month: "2026-01", Dossiers: 30, Results: 10},
			{Procedure: "1.000001", Agency: "A", Month: "2026-02", Dossiers: 20, Results: 5},
			{Procedure: "1.000002", Agency: "B", Month: "2026-02", Dossiers: 8, Results: 4},
			{Procedure: "1.000003", Agency: "A", Month: "2026-01", Dossiers: 900, Results: 900},
		},
		Coverage: []store.TotalsCover{{Agency: "A", Month: "2026-01"}, {Agency: "A", Month: "2026-02"}, {Agency: "B", Month: "2026-02"}},
	}
}

func wantFigure(t *testing.T, where string, f domain.Figure, num, den int64, pct float64, met bool) {
	t.Helper()
	p, ok := f.Percent()
	if !ok || f.Numerator != num || f.Denominator != den || math.Abs(p-pct) > 0.005 || f.Met() != met {
		t.Errorf("%s %s: %d/%d = %.2f%% met=%v (known %v), want %d/%d = %.2f%% met=%v", where, f.Kind, f.Numerator, f.Denominator, p, f.Met(), ok, num, den, pct, met)
	}
}

func TestHandComputed(t *testing.T) {
	r := Compute(small(), Grouping{})
	// 1: P1 and P2 had BCCI dossiers; P3 is not deployed → 2/2
	wantFigure(t, "period", r.Total.Figure(domain.FigureProcedures), 2, 2, 100, true)
	// 2: received in covered cells: P1/A/Jan 3 (P1/B/Jan is uncovered); totals 30+20+8 (P3 not deployed)
	wantFigure(t, "period", r.Total.Figure(domain.FigureDossiers), 3, 58, 300.0/58, false)
	// 3: returned 1 + 2 over all dossiers 30+20+8, as the letter words it
	// ("trên 15% tổng số hồ sơ"), not over the results 10+5+4
	wantFigure(t, "period", r.Total.Figure(domain.FigureResults), 3, 58, 300.0/58, false)
	if r.Total.UncoveredReceived != 4 || len(r.Total.Uncovered) != 1 || r.Total.Uncovered[0] != (store.TotalsCover{Agency: "B", Month: "2026-01"}) {
		t.Errorf("uncovered: %d %v", r.Total.UncoveredReceived, r.Total.Uncovered)
	}
	// January alone: targets are "above", so exactly 50% and 10% are not met
	jan := r.Trend[0]
	wantFigure(t, "January", figureOf(jan.Figures, domain.FigureProcedures), 1, 2, 50, false)
	wantFigure(t, "January", figureOf(jan.Figures, domain.FigureDossiers), 3, 30, 10, false)
	wantFigure(t, "January", figureOf(jan.Figures, domain.FigureResults), 1, 30, 100.0/30, false)
	feb := r.Trend[1]
	wantFigure(t, "February", figureOf(feb.Figures, domain.FigureDossiers), 0, 28, 0, false)
	if len(r.NoBCCI()) != 0 {
		t.Errorf("no procedure lacks a BCCI dossier, got %v", r.NoBCCI())
	}

	// by agency: A's own procedures are P1 (P3 is not deployed); B's is P2
	g := Grouping{Dim: "agency",
		OfCount:  func(c Count) string { return c.Agency },
		OfTotal:  func(t store.TotalsRow) string { return t.Agency },
		Deployed: func(u string, p domain.Procedure) bool { return p.AgencyCode == u },
		Agency:   func(u, a string) bool { return a == u }}
	ra := Compute(small(), g)
	if len(ra.Units) != 2 {
		t.Fatalf("units %+v", ra.Units)
	}
	a, b := ra.Units[0], ra.Units[1]
	wantFigure(t, "agency A", a.Figure(domain.FigureProcedures), 1, 1, 100, true)
	wantFigure(t, "agency A", a.Figure(domain.FigureDossiers), 3, 50, 6, false)
	wantFigure(t, "agency A", a.Figure(domain.FigureResults), 1, 50, 2, false)
	// B: P1's 4 intakes at B in January are uncovered; P2 is B's only own procedure
	wantFigure(t, "agency B", b.Figure(domain.FigureProcedures), 1, 1, 100, true)
	wantFigure(t, "agency B", b.Figure(domain.FigureDossiers), 0, 8, 0, false)
	wantFigure(t, "agency B", b.Figure(domain.FigureResults), 2, 8, 25, true)
	if w := ra.Worst(domain.FigureDossiers, 1); len(w) != 1 || w[0].Key != "B" {
		t.Errorf("furthest below target 2: %+v", w)
	}
}

// TestResultsBase: a province that reads figure 3 as a share of results
// switches the setting; the default is the letter's all dossiers.
func TestResultsBase(t *testing.T) {
	d := small()
	d.Targets.ResultsBase = domain.ResultsOverResults
	r := Compute(d, Grouping{})
	f := r.Total.Figure(domain.FigureResults)
	// returned 1 + 2 over the results 10+5+4
	wantFigure(t, "over results", f, 3, 19, 300.0/19, true)
	if !f.OverResults || f.RuleKey() != "report.rule.results_over_results" {
		t.Errorf("figure 3 over results: %+v, rule %s", f, f.RuleKey())
	}
	if k := Compute(small(), Grouping{}).Total.Figure(domain.FigureResults).RuleKey(); k != "report.rule.results" {
		t.Errorf("default rule %s", k)
	}
}

// TestExactlyOnTarget: "trên 15%" — 3 results over 20 dossiers is 15,0%
// and not met; 4 over 20 (20%) is met; 2 dossiers over 20 is 10% (not met).
func TestExactlyOnTarget(t *testing.T) {
	d := small()
	d.Counts = []Count{{Procedure: "1.000001", Agency: "A", Month: "2026-01", Received: 2, Returned: 3}}
	d.Totals = []store.TotalsRow{{Procedure: "1.000001", Agency: "A", Month: "2026-01", Dossiers: 20, Results: 20}}
	d.Coverage = []store.TotalsCover{{Agency: "A", Month: "2026-01"}}
	r := Compute(d, Grouping{})
	wantFigure(t, "on target", r.Total.Figure(domain.FigureResults), 3, 20, 15, false)
	wantFigure(t, "on target", r.Total.Figure(domain.FigureDossiers), 2, 20, 10, false)
	d.Counts[0].Returned = 4
	wantFigure(t, "above target", Compute(d, Grouping{}).Total.Figure(domain.FigureResults), 4, 20, 20, true)
}

func TestZeroAndMissing(t *testing.T) {
	// covered but nothing happened: 0 of 0 is 0%, not met, no error
	d := small()
	d.Counts, d.Totals = nil, nil
	r := Compute(d, Grouping{})
	wantFigure(t, "empty", r.Total.Figure(domain.FigureProcedures), 0, 2, 0, false)
	wantFigure(t, "empty", r.Total.Figure(domain.FigureDossiers), 0, 0, 0, false)
	wantFigure(t, "empty", r.Total.Figure(domain.FigureResults), 0, 0, 0, false)
	if len(r.NoBCCI()) != 2 {
		t.Errorf("both deployed procedures lack a BCCI dossier: %v", r.NoBCCI())
	}

	// no totals at all: the denominator is unknown and says so
	d = small()
	d.Totals, d.Coverage = nil, nil
	r = Compute(d, Grouping{})
	f := r.Total.Figure(domain.FigureDossiers)
	if _, ok := f.Percent(); ok || f.DenominatorKnown || f.Met() || f.Numerator != 7 {
		t.Errorf("without totals: %+v (want every BCCI intake, 7, and no percentage)", f)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r, vi(t)); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Figures []map[string]any `json:"figures"`
	}
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j.Figures[1]["denominator"] != nil || j.Figures[1]["percent"] != nil ||
		j.Figures[1]["note"] != "chưa có số liệu tổng từ hệ thống một cửa" {
		t.Errorf("JSON without totals: %v", j.Figures[1])
	}

	// an empty database: zeros, not an error
	s := newPoint(t, 0)
	pr, err := PointReport(ctx, s, domain.YearPeriod(2026))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pr.Total.Figures {
		if f.Numerator != 0 {
			t.Errorf("empty database: %+v", f)
		}
	}
	for _, format := range Formats {
		if err := Write(&bytes.Buffer{}, format, pr, vi(t)); err != nil {
			t.Errorf("empty database, %s: %v", format, err)
		}
	}
}

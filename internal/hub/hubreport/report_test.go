package hubreport

import (
	"bytes"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/report"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
	"postdesk/internal/testtool"
)

// reportNow is the demo seed's "today" and the hub's clock.
var reportNow = time.Date(2026, 11, 25, 12, 0, 0, 0, domain.Zone)

// reportSeededDevice is a real post point database with a year of demo dossiers.
func reportSeededDevice(t *testing.T, code, name string, n int, seed uint64) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), code+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return reportNow }
	if err := s.Setup(ctx, domain.PostPoint{Code: code, Name: name, Commune: name, Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCatalog(ctx, "admin", store.CatalogImport{FileName: f.Name, Agencies: f.Agencies, Procedures: f.Procedures}); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, s, demo.Options{Dossiers: n, Seed: seed, Now: reportNow}); err != nil {
		t.Fatal(err)
	}
	return s
}

// reportPushAll enrolls the device at the hub and sends every event it has, as
// the sync engine would: signed batches through ReceiveBatch.
func reportPushAll(t *testing.T, h *hubstore.Store, dev *store.Store) {
	t.Helper()
	d, pp, err := dev.Device(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := dev.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.EnsurePostPoint(ctx, pp.Code, pp.Name); err != nil {
		t.Fatal(err)
	}
	tok, err := h.IssueToken(ctx, pp.Code, "test", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Enroll(ctx, hubstore.Enrollment{Token: tok.Token, DeviceID: d.ID(), PublicKey: key.Public().(ed25519.PublicKey)}); err != nil {
		t.Fatal(err)
	}
	var after int64
	prev := ""
	for {
		events, err := dev.EventsAfter(ctx, d.ID(), after, 2000)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) == 0 {
			return
		}
		for len(events) > 0 {
			b, n, err := syncproto.EncodeBatch(key, d.ID(), pp.Code, prev, events[0].Seq, events, 0, reportNow, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := h.ReceiveBatch(ctx, b.Raw, "http"); err != nil {
				t.Fatal(err)
			}
			prev, after = events[n-1].Hash, events[n-1].Seq
			events = events[n:]
		}
	}
}

type hubFixture struct {
	hub      *hubstore.Store
	devices  []*store.Store
	deployed map[string]bool
	field    map[string]string
	sumD     map[string]int64 // generated totals of deployed procedures, by agency
	sumR     map[string]int64
	own      []string // Ia O's own agencies
}

// newProvince builds a hub from two seeded post points — 600900 (Ia O) and
// 600910 (Ia Chia) — with the sample catalog, a communes file giving Ia O
// its two agencies, and generated totals for January–September 2026.
func newProvince(t *testing.T) *hubFixture {
	t.Helper()
	h := hubtest.Open(t)
	h.Now = func() time.Time { return reportNow }
	fx := &hubFixture{hub: h, deployed: map[string]bool{}, field: map[string]string{}, sumD: map[string]int64{}, sumR: map[string]int64{},
		own: []string{"000.01.50.H21", "000.02.50.H21"}}
	fx.devices = []*store.Store{reportSeededDevice(t, "600900", "Bưu điện Văn hóa xã Ia O", 500, 11), reportSeededDevice(t, "600910", "Bưu điện Văn hóa xã Ia Chia", 300, 12)}
	for _, d := range fx.devices {
		reportPushAll(t, h, d)
	}
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.ImportReportCatalog(ctx, f); err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Procedures {
		fx.deployed[p.Code] = p.Deployed()
		fx.field[p.Code] = p.Field
	}
	communes := "commune,post_point_code,agency_code\nIa O,600900,\nIa O,,000.01.50.H21\nIa O,,000.02.50.h21\nIa Chia,600910,\n"
	if _, _, err := h.ImportReportCommunes(ctx, []byte(communes), "xa.csv"); err != nil {
		t.Fatal(err)
	}
	// totals: each cell's BCCI counts (from the projection, in Go) plus other channels
	rows, err := hubtest.DB(t, h).Query(`SELECT option, procedure_code, agency_code, received_at, delivered_at FROM hub_dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	type cell struct{ proc, agency, month string }
	recv, ret := map[cell]int64{}, map[cell]int64{}
	cells := map[cell]bool{}
	month := func(s string) string { return hubstore.ParseTime(s).In(domain.Zone).Format("2006-01") }
	for rows.Next() {
		var opt, proc, ag, rec, del string
		if err := rows.Scan(&opt, &proc, &ag, &rec, &del); err != nil {
			t.Fatal(err)
		}
		if m := month(rec); opt != "return" && m >= "2026-01" && m <= "2026-09" {
			recv[cell{proc, ag, m}]++
			cells[cell{proc, ag, m}] = true
		}
		if del != "" {
			if m := month(del); m >= "2026-01" && m <= "2026-09" {
				ret[cell{proc, ag, m}]++
				cells[cell{proc, ag, m}] = true
			}
		}
	}
	rows.Close()
	keys := make([]cell, 0, len(cells))
	for c := range cells {
		keys = append(keys, c)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	rng := rand.New(rand.NewPCG(5, 5))
	var b strings.Builder
	b.WriteString("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n")
	for _, c := range keys {
		d, r := recv[c]+int64(rng.IntN(50)), ret[c]+int64(rng.IntN(40))
		if fx.deployed[c.proc] {
			fx.sumD[c.agency] += d
			fx.sumR[c.agency] += r
		}
		m, _ := domain.ParseMonth(c.month)
		fmt.Fprintf(&b, "01/2026,09/2026,%s,%s,%s,%d,%d\n", c.proc, c.agency, m.Label(), d, r)
	}
	tf, err := report.ParseTotalsCSV([]byte(b.String()), "tong-so.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.ImportReportTotals(ctx, "tinh", tf); err != nil {
		t.Fatal(err)
	}
	return fx
}

func countSQL(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// window is a period's bounds, and the bounds of its covered part
// (January–September 2026), as the hub's time columns write them (fixed
// width UTC text, so text order is time order on both stores).
func coveredWindow(p domain.Period) (from, to, cfrom, cto string) {
	f := hubstore.FormatTime
	cs, ce := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Zone), time.Date(2026, 10, 1, 0, 0, 0, 0, domain.Zone)
	if p.Start().After(cs) {
		cs = p.Start()
	}
	if p.End().Before(ce) {
		ce = p.End()
	}
	return f(p.Start()), f(p.End()), f(cs), f(ce)
}

func sameFigure(t *testing.T, where string, got domain.Figure, num, den int64) {
	t.Helper()
	if got.Numerator != num || got.Denominator != den || !got.DenominatorKnown {
		t.Errorf("%s %s: %d/%d (known %v), independent query says %d/%d", where, got.Kind, got.Numerator, got.Denominator, got.DenominatorKnown, num, den)
	}
}

// TestProvinceFiguresMatchIndependentSQL pushes two seeded post points'
// events through the hub's ingest and checks the province figures, and
// those by commune, agency and field, against queries written here.
func TestProvinceFiguresMatchIndependentSQL(t *testing.T) {
	fx := newProvince(t)
	h, db := fx.hub, hubtest.DB(t, fx.hub)
	per := domain.YearPeriod(2026)
	from, to, cfrom, cto := coveredWindow(per)
	dep := "JOIN hub_report_procedures p ON p.code = d.procedure_code AND (p.bcci_intake <> 0 OR p.bcci_return <> 0)"
	// a dossier cancelled before any handover counts nowhere; independent of
	// the hub's sent column: the projection keeps handed_over_at when a
	// dossier is cancelled after a handover
	unsent := " AND NOT (d.state = 'cancelled' AND d.handed_over_at = '')"
	inPeriod := `((d.received_at >= ?1 AND d.received_at < ?2` + unsent + `)
		OR (d.delivered_at <> '' AND d.delivered_at >= ?1 AND d.delivered_at < ?2))`
	recvQ := `SELECT count(*) FROM hub_dossiers d ` + dep + ` WHERE d.option <> 'return'` + unsent + ` AND d.received_at >= ?1 AND d.received_at < ?2`
	retQ := `SELECT count(*) FROM hub_dossiers d ` + dep + ` WHERE d.delivered_at <> '' AND d.delivered_at >= ?1 AND d.delivered_at < ?2`
	var sumD, sumR int64
	for a := range fx.sumD {
		sumD += fx.sumD[a]
		sumR += fx.sumR[a]
	}

	r, err := Compute(ctx, h, per, Options{})
	if err != nil {
		t.Fatal(err)
	}
	nDep := countSQL(t, db, "SELECT count(*) FROM hub_report_procedures WHERE bcci_intake <> 0 OR bcci_return <> 0")
	sameFigure(t, "province", r.Total.Figure(domain.FigureProcedures),
		countSQL(t, db, `SELECT count(DISTINCT d.procedure_code) FROM hub_dossiers d `+dep+` WHERE `+inPeriod, from, to), nDep)
	sameFigure(t, "province", r.Total.Figure(domain.FigureDossiers), countSQL(t, db, recvQ, cfrom, cto), sumD)
	// figure 3 over all dossiers, the letter's "tổng số hồ sơ"
	sameFigure(t, "province", r.Total.Figure(domain.FigureResults), countSQL(t, db, retQ, cfrom, cto), sumD)

	// a range cut mid-month counts by the times themselves
	part, _ := domain.ParsePeriod("15/03/2026", "20/05/2026")
	pf, pt, _, _ := coveredWindow(part)
	rpart, err := Compute(ctx, h, part, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rpart.Total.Figure(domain.FigureDossiers).Numerator, countSQL(t, db, recvQ, pf, pt); got != want || want == 0 {
		t.Errorf("15/03–20/05: %d intakes, independent query %d", got, want)
	}
	if got, want := rpart.Total.Figure(domain.FigureResults).Numerator, countSQL(t, db, retQ, pf, pt); got != want || want == 0 {
		t.Errorf("15/03–20/05: %d deliveries, independent query %d", got, want)
	}

	// by commune: Ia O is graded on its own two agencies with its post point's dossiers
	rc, err := Compute(ctx, h, per, Options{By: "commune"})
	if err != nil {
		t.Fatal(err)
	}
	units := map[string]report.Unit{}
	for _, u := range rc.Units {
		units[u.Key] = u
	}
	iaO, ok := units["Ia O"]
	if !ok || len(rc.Units) != 2 {
		t.Fatalf("communes %+v", rc.Units)
	}
	own := "('" + strings.Join(fx.own, "','") + "')"
	ownDep := countSQL(t, db, "SELECT count(*) FROM hub_report_procedures WHERE (bcci_intake <> 0 OR bcci_return <> 0) AND agency_code IN "+own)
	sameFigure(t, "Ia O", iaO.Figure(domain.FigureProcedures),
		countSQL(t, db, `SELECT count(DISTINCT d.procedure_code) FROM hub_dossiers d `+dep+` WHERE d.post_point_code = '600900' AND p.agency_code IN `+own+` AND `+inPeriod, from, to), ownDep)
	sameFigure(t, "Ia O", iaO.Figure(domain.FigureDossiers),
		countSQL(t, db, recvQ+` AND d.post_point_code = '600900' AND d.agency_code IN `+own, cfrom, cto), fx.sumD[fx.own[0]]+fx.sumD[fx.own[1]])
	sameFigure(t, "Ia O", iaO.Figure(domain.FigureResults),
		countSQL(t, db, retQ+` AND d.post_point_code = '600900' AND d.agency_code IN `+own, cfrom, cto), fx.sumD[fx.own[0]]+fx.sumD[fx.own[1]])
	// Ia Chia has no agency of its own on record: figure 1 over every deployed procedure, no denominator
	chia := units["Ia Chia"]
	if f := chia.Figure(domain.FigureDossiers); f.DenominatorKnown {
		t.Errorf("Ia Chia has no agencies, yet a denominator: %+v", f)
	}
	sameFigure(t, "Ia Chia", chia.Figure(domain.FigureProcedures),
		countSQL(t, db, `SELECT count(DISTINCT d.procedure_code) FROM hub_dossiers d `+dep+` WHERE d.post_point_code = '600910' AND `+inPeriod, from, to), nDep)

	// by agency
	ra, err := Compute(ctx, h, per, Options{By: "agency"})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, u := range ra.Units {
		if fx.sumD[u.Key] == 0 {
			continue
		}
		checked++
		sameFigure(t, "agency "+u.Key, u.Figure(domain.FigureDossiers), countSQL(t, db, recvQ+` AND d.agency_code = ?3`, cfrom, cto, u.Key), fx.sumD[u.Key])
		sameFigure(t, "agency "+u.Key, u.Figure(domain.FigureResults), countSQL(t, db, retQ+` AND d.agency_code = ?3`, cfrom, cto, u.Key), fx.sumD[u.Key])
		sameFigure(t, "agency "+u.Key, u.Figure(domain.FigureProcedures),
			countSQL(t, db, `SELECT count(DISTINCT d.procedure_code) FROM hub_dossiers d `+dep+` WHERE d.agency_code = ?3 AND p.agency_code = ?3 AND `+inPeriod, from, to, u.Key),
			countSQL(t, db, "SELECT count(*) FROM hub_report_procedures WHERE (bcci_intake <> 0 OR bcci_return <> 0) AND agency_code = ?", u.Key))
		if u.Name == u.Key {
			t.Errorf("agency %s has no name", u.Key)
		}
	}
	if checked < 2 {
		t.Errorf("only %d agencies checked", checked)
	}

	// by field: every field's numerators add up to the province's
	rf, err := Compute(ctx, h, per, Options{By: "field"})
	if err != nil {
		t.Fatal(err)
	}
	var sum [3]int64
	for _, u := range rf.Units {
		for i, f := range u.Figures {
			sum[i] += f.Numerator
		}
		sameFigure(t, "field "+u.Key, u.Figure(domain.FigureDossiers),
			countSQL(t, db, recvQ+` AND p.field = ?3`, cfrom, cto, u.Key), fieldTotals(t, db, u.Key, "dossiers"))
	}
	for i, f := range r.Total.Figures {
		if sum[i] != f.Numerator {
			t.Errorf("fields' %s numerators add to %d, the province has %d", f.Kind, sum[i], f.Numerator)
		}
	}

	// by post point: each post point's every BCCI intake is what its own
	// database counts from its event log
	rp, err := Compute(ctx, h, per, Options{By: "post-point"})
	if err != nil {
		t.Fatal(err)
	}
	// (Ia O's post point counts its own agencies' procedures; Ia Chia's all)
	ownAgency := map[string]bool{fx.own[0]: true, fx.own[1]: true}
	for i, dev := range fx.devices {
		own, err := report.PointReport(ctx, dev, per)
		if err != nil {
			t.Fatal(err)
		}
		var recv, ret, active int64
		for _, p := range own.Procedures {
			if i == 1 || ownAgency[p.Agency] {
				recv += p.Received
				ret += p.Returned
				if p.Active() {
					active++
				}
			}
		}
		u := rp.Units[i]
		if u.Received != recv || u.Returned != ret || u.Figure(domain.FigureProcedures).Numerator != active || recv == 0 {
			t.Errorf("post point %s: hub %d/%d/%d, its own database %d/%d/%d", u.Key, u.Received, u.Returned,
				u.Figure(domain.FigureProcedures).Numerator, recv, ret, active)
		}
		if i == 1 && (recv != own.Total.Received || ret != own.Total.Returned) {
			t.Errorf("post point %s: every procedure %d/%d, total %d/%d", u.Key, recv, ret, own.Total.Received, own.Total.Returned)
		}
	}
	if f := rp.Units[0].Figure(domain.FigureDossiers); f != iaO.Figure(domain.FigureDossiers) {
		t.Errorf("600900 alone in Ia O: %+v, commune %+v", f, iaO.Figure(domain.FigureDossiers))
	}
}

func fieldTotals(t *testing.T, db *sql.DB, field, col string) int64 {
	t.Helper()
	return countSQL(t, db, `SELECT coalesce(sum(t.`+col+`), 0) FROM hub_report_totals t
		JOIN hub_report_procedures p ON p.code = t.procedure_code AND (p.bcci_intake <> 0 OR p.bcci_return <> 0) WHERE p.field = ?`, field)
}

func TestProvinceTotalsRefusals(t *testing.T) {
	fx := newProvince(t)
	before := countSQL(t, hubtest.DB(t, fx.hub), "SELECT count(*) FROM hub_report_totals")
	// a cell with BCCI activity given totals of 0, an unknown agency, a month outside
	var proc, ag, rec string
	if err := hubtest.DB(t, fx.hub).QueryRow(`SELECT procedure_code, agency_code, received_at FROM hub_dossiers WHERE option <> 'return'
		AND received_at >= '2026-02-01' AND received_at < '2026-02-20' LIMIT 1`).Scan(&proc, &ag, &rec); err != nil {
		t.Fatal(err)
	}
	m := hubstore.ParseTime(rec).In(domain.Zone).Format("01/2006")
	csv := "period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n" +
		"01/2026,03/2026," + proc + "," + ag + "," + m + ",0,1000\n" +
		"01/2026,03/2026," + proc + ",000.77.77.H21," + m + ",5,5\n" +
		"01/2026,03/2026," + proc + "," + ag + ",04/2026,5,5\n"
	tf, err := report.ParseTotalsCSV([]byte(csv), "x.csv")
	if err == nil {
		_, err = fx.hub.ImportReportTotals(ctx, "tinh", tf)
	}
	if err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Fatalf("month outside the period not refused: %v", err)
	}
	csv = strings.Replace(csv, "04/2026", "03/2026", 1)
	tf, err = report.ParseTotalsCSV([]byte(csv), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = fx.hub.ImportReportTotals(ctx, "tinh", tf)
	var es domain.Errors
	if !reportErrorsAs(err, &es) {
		t.Fatalf("want field errors, got %v", err)
	}
	keys := map[string]bool{}
	for _, e := range es {
		keys[e.Field+" "+e.Key] = true
	}
	for _, want := range []string{"line 2: dossiers_total err.totals.below_bcci", "line 3: agency_code err.totals.unknown_agency"} {
		if !keys[want] {
			t.Errorf("missing %q in %v", want, keys)
		}
	}
	if n := countSQL(t, hubtest.DB(t, fx.hub), "SELECT count(*) FROM hub_report_totals"); n != before {
		t.Errorf("a refused import changed the totals: %d → %d", before, n)
	}
}

func reportErrorsAs(err error, es *domain.Errors) bool {
	e, ok := err.(domain.Errors)
	if ok {
		*es = e
	}
	return ok
}

// TestReportPage signs in, opens the report by commune, sorts it, downloads
// the XLSX and reads it back, and imports a totals file through the form.
func TestReportPage(t *testing.T) {
	fx := newProvince(t)
	ts := newTestServer(t, fx.hub)
	if err := fx.hub.AddUser(ctx, "tinh", "mat-khau-dai"); err != nil {
		t.Fatal(err)
	}
	b := hubtest.NewBrowser(t, ts.URL)
	b.Login("tinh", "mat-khau-dai")
	code, body := b.Get("/report?from=01/01/2026&to=31/12/2026&by=commune")
	if code != 200 {
		t.Fatalf("report page: %d\n%s", code, body)
	}
	for _, want := range []string{"<td>Ia O</td>", "<td>Ia Chia</td>", `data:image/png;base64,`, "Thủ tục có phát sinh hồ sơ qua BCCI",
		"Đạt", "Toàn tỉnh — 01/01/2026 – 31/12/2026", `href="/report?by=commune&amp;format=xlsx`,
		// each figure's counting rule, one line under it
		`<small class="rule">` + html.EscapeString(i18n.T("report.rule.procedures")) + `</small>`,
		`<small class="rule">` + html.EscapeString(i18n.T("report.rule.dossiers")) + `</small>`,
		`<small class="rule">` + html.EscapeString(i18n.T("report.rule.results")) + `</small>`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	// sorted by figure 1, descending: Ia Chia (more procedures' worth of the catalog) order checks
	r, _ := Compute(ctx, fx.hub, domain.YearPeriod(2026), Options{By: "commune"})
	pct := map[string]float64{}
	for _, u := range r.Units {
		pct[u.Key], _ = u.Figure(domain.FigureProcedures).Percent()
	}
	first, second := "Ia O", "Ia Chia"
	if pct[second] > pct[first] {
		first, second = second, first
	}
	_, body = b.Get("/report?from=01/01/2026&to=31/12/2026&by=commune&sort=1&desc=1")
	if i, j := strings.Index(body, "<td>"+first+"</td>"), strings.Index(body, "<td>"+second+"</td>"); i < 0 || j < 0 || i > j {
		t.Errorf("sorted by figure 1 descending: %s (%.1f%%) should come before %s (%.1f%%)", first, pct[first], second, pct[second])
	}
	// the XLSX download: the commune sheet of figure 2 holds Ia O's numbers
	resp, err := b.C.Get(ts.URL + "/report?from=01/01/2026&to=31/12/2026&by=commune&format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	var xb bytes.Buffer
	xb.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("Content-Disposition"), ".xlsx") {
		t.Errorf("download headers %v", resp.Header)
	}
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("2. Hồ sơ tiếp nhận", excelize.Options{RawCellValue: true})
	var ia report.Unit
	for _, u := range r.Units {
		if u.Key == "Ia O" {
			ia = u
		}
	}
	found := false
	for _, row := range rows {
		if len(row) >= 4 && row[0] == "Ia O" {
			found = true
			f := ia.Figure(domain.FigureDossiers)
			if row[2] != fmt.Sprint(f.Numerator) || row[3] != fmt.Sprint(f.Denominator) {
				t.Errorf("XLSX Ia O: %v, report %d/%d", row, f.Numerator, f.Denominator)
			}
		}
	}
	if !found {
		t.Errorf("no Ia O row in the XLSX: %v", rows)
	}
	// the PDF download: the units, the furthest below target, in Vietnamese
	if testtool.Have(t, "pdftotext") {
		resp, err := b.C.Get(ts.URL + "/report?from=01/01/2026&to=31/12/2026&by=commune&format=pdf")
		if err != nil {
			t.Fatal(err)
		}
		pdf := filepath.Join(t.TempDir(), "r.pdf")
		var pb bytes.Buffer
		pb.ReadFrom(resp.Body)
		resp.Body.Close()
		os.WriteFile(pdf, pb.Bytes(), 0o644)
		txt, err := exec.Command("pdftotext", "-raw", pdf, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Kết quả theo đơn vị", "Đơn vị thấp nhất so với chỉ tiêu 2. Hồ sơ tiếp nhận qua BCCI", "Ia O", "Ia Chia", "TOÀN TỈNH"} {
			if !strings.Contains(string(txt), want) {
				t.Errorf("province PDF lacks %q", want)
			}
		}
	}
	// the JSON download lists the units
	resp, err = b.C.Get(ts.URL + "/report?from=01/01/2026&to=31/12/2026&by=agency&format=json")
	if err != nil {
		t.Fatal(err)
	}
	var j struct {
		Units []struct {
			Key string `json:"key"`
		} `json:"units"`
	}
	json.NewDecoder(resp.Body).Decode(&j)
	resp.Body.Close()
	if len(j.Units) == 0 {
		t.Error("JSON by agency has no units")
	}

	// a bad totals file through the form: listed, nothing imported
	_, page := b.Get("/report")
	var mb bytes.Buffer
	mw := multipart.NewWriter(&mb)
	mw.WriteField("csrf", hubtest.CSRFOf(t, page))
	fw, _ := mw.CreateFormFile("totals", "sai.csv")
	fw.Write([]byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n01/2026,01/2026,1.001193,000.01.50.H21,01/2026,-4,1\n"))
	mw.Close()
	before := countSQL(t, hubtest.DB(t, fx.hub), "SELECT count(*) FROM hub_report_totals_imports")
	resp, err = b.C.Post(ts.URL+"/report", mw.FormDataContentType(), &mb)
	if err != nil {
		t.Fatal(err)
	}
	var rb bytes.Buffer
	rb.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(rb.String(), "Dòng 2") || !strings.Contains(rb.String(), "là số âm") {
		t.Errorf("bad upload (%d):\n%s", resp.StatusCode, rb.String())
	}
	if n := countSQL(t, hubtest.DB(t, fx.hub), "SELECT count(*) FROM hub_report_totals_imports"); n != before {
		t.Error("a refused upload was recorded")
	}
}

// TestReportCellsFollowProjection checks the counts the triggers keep
// against a recount of the projection, after an ingest in batches (so
// dossiers were inserted, then updated as their later events arrived) and
// after a dossier changes and disappears.
func TestReportCellsFollowProjection(t *testing.T) {
	fx := newProvince(t)
	db := hubtest.DB(t, fx.hub)
	recount := `SELECT month, procedure_code, agency_code, post_point_code AS pp, sum(r) AS r, sum(g) AS g, sum(d) AS d FROM (
		SELECT strftime('%Y-%m', received_at, '+7 hours') AS month, procedure_code, agency_code, post_point_code,
			CASE WHEN option <> 'return' AND NOT (state = 'cancelled' AND handed_over_at = '') THEN 1 ELSE 0 END AS r,
			CASE WHEN option = 'return' THEN 1 ELSE 0 END AS g, 0 AS d FROM hub_dossiers
		UNION ALL SELECT strftime('%Y-%m', delivered_at, '+7 hours'), procedure_code, agency_code, post_point_code, 0, 0, 1
			FROM hub_dossiers WHERE delivered_at <> '') AS e GROUP BY 1, 2, 3, 4 HAVING sum(r) + sum(g) + sum(d) > 0`
	kept := `SELECT month, procedure_code, agency_code, post_point_code, received, registered, returned FROM hub_report_cells
		WHERE received + registered + returned > 0`
	keptTotal := `SELECT month, procedure_code, agency_code, received, registered, returned FROM hub_report_cells_total
		WHERE received + registered + returned > 0`
	recountTotal := `SELECT month, procedure_code, agency_code, sum(r), sum(g), sum(d) FROM (` + recount + `) AS c GROUP BY 1, 2, 3 HAVING sum(r) + sum(g) + sum(d) > 0`
	same := func(when string) {
		t.Helper()
		for _, pair := range [][2]string{{recount, kept}, {kept, recount}, {recountTotal, keptTotal}, {keptTotal, recountTotal}} {
			if n := countSQL(t, db, "SELECT count(*) FROM ("+pair[0]+" EXCEPT "+pair[1]+") AS x"); n != 0 {
				t.Errorf("%s: %d cells differ between the kept counts and a recount", when, n)
			}
		}
	}
	if countSQL(t, db, "SELECT count(*) FROM hub_report_cells WHERE received > 0") == 0 {
		t.Fatal("no kept counts")
	}
	same("after the ingest")
	// a dossier's procedure corrected, another one delivered later, a third removed
	if _, err := db.Exec(`UPDATE hub_dossiers SET procedure_code = '1.000656' WHERE id = (SELECT min(id) FROM hub_dossiers WHERE delivered_at <> '')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE hub_dossiers SET delivered_at = '2026-06-30T18:00:00.000000000Z' WHERE id = (SELECT min(id) FROM hub_dossiers WHERE delivered_at = '' AND option <> 'send')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM hub_dossiers WHERE id = (SELECT max(id) FROM hub_dossiers)`); err != nil {
		t.Fatal(err)
	}
	same("after changes")
	// a dossier cancelled before handover leaves figure 2; one handed over stays
	before := countSQL(t, db, "SELECT sum(received) FROM hub_report_cells_total")
	if _, err := db.Exec(`UPDATE hub_dossiers SET state = 'cancelled', sent = 0, handed_over_at = '' WHERE id = (SELECT min(id) FROM hub_dossiers WHERE option = 'send' AND state <> 'cancelled')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE hub_dossiers SET state = 'cancelled', sent = 1 WHERE id = (SELECT min(id) FROM hub_dossiers WHERE option = 'send' AND state <> 'cancelled' AND handed_over_at <> '')`); err != nil {
		t.Fatal(err)
	}
	same("after cancellations")
	if after := countSQL(t, db, "SELECT sum(received) FROM hub_report_cells_total"); after != before-1 {
		t.Errorf("cancelling one unsent and one sent dossier: received %d → %d, want one fewer", before, after)
	}
}

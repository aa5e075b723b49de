package app

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/report"
)

// reportsOf opens the Reports screen and waits for its first figures.
func reportsOf(t *testing.T, u *UI) *reportsScreen {
	t.Helper()
	u.Show("reports")
	s := u.session.reports
	if s == nil {
		t.Fatal("the reports screen did not build")
	}
	waitRefresh(t, s)
	return s
}

func waitRefresh(t *testing.T, s *reportsScreen) {
	t.Helper()
	done := make(chan struct{})
	fyne.DoAndWait(func() { s.refresh(func() { close(done) }) })
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the report never finished")
	}
	fyne.DoAndWait(func() {}) // let the last fyne.Do run
}

func TestReportsScreenShowsTheYear(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	s := reportsOf(t, u)
	if s.from.Text != "01/01/2026" || s.to.Text != "31/12/2026" {
		t.Errorf("default period %s – %s, want this year", s.from.Text, s.to.Text)
	}
	want, err := report.PointReport(u.Ctx, u.Store, domain.YearPeriod(2026))
	if err != nil {
		t.Fatal(err)
	}
	f := want.Total.Figure(domain.FigureProcedures)
	pct, _ := f.Percent()
	if got := s.cards[0].pct.Text; got != domain.FormatPercent(pct) {
		t.Errorf("figure 1 shows %q, want %s", got, domain.FormatPercent(pct))
	}
	if !strings.Contains(s.cards[0].detail.Text, formatCount(int(f.Numerator))+" / "+formatCount(int(f.Denominator))) {
		t.Errorf("figure 1 detail %q", s.cards[0].detail.Text)
	}
	wantStatus := "Chưa đạt"
	if f.Met() {
		wantStatus = "Đạt"
	}
	if !strings.HasPrefix(s.cards[0].status.Text, wantStatus) {
		t.Errorf("figure 1 status %q, want %s", s.cards[0].status.Text, wantStatus)
	}
	// each card shows its counting rule in one line under the figure
	for i, k := range domain.FigureKinds {
		if got, want := s.cards[i].rule.Text, i18n.T("report.rule."+string(k)); got != want || !s.cards[i].rule.Visible() {
			t.Errorf("figure %d rule %q, want %q", i+1, got, want)
		}
	}
	// no totals yet: figures 2 and 3 say so instead of a number
	for _, c := range s.cards[1:] {
		if c.pct.Text != "—" || c.status.Text != "chưa có số liệu tổng từ hệ thống một cửa" {
			t.Errorf("without totals: %q %q", c.pct.Text, c.status.Text)
		}
	}
	img, err := png.Decode(bytes.NewReader(s.chartPNG()))
	if err != nil || img.Bounds().Dx() < 500 {
		t.Errorf("chart: %v", err)
	}
	if len(want.NoBCCI()) > 0 && !strings.Contains(s.noBCCI.Text, want.NoBCCI()[0].Code) {
		t.Errorf("procedures without BCCI: %q", s.noBCCI.Text)
	}

	// a bad period is refused under the fields, and nothing is recomputed
	fyne.DoAndWait(func() { s.to.SetText("31/02/2026") })
	waitRefresh(t, s)
	if s.periodOK.Text == "" || s.periodOK.Hidden {
		t.Error("31/02/2026 accepted")
	}
	// a quarter
	fyne.DoAndWait(func() { s.setPeriod(domain.QuarterPeriod(2026, 1)) })
	waitRefresh(t, s)
	q1, _ := report.PointReport(u.Ctx, u.Store, domain.QuarterPeriod(2026, 1))
	if s.rep.Total.Figure(domain.FigureProcedures) != q1.Total.Figure(domain.FigureProcedures) {
		t.Errorf("Q1: %+v, want %+v", s.rep.Total.Figure(domain.FigureProcedures), q1.Total.Figure(domain.FigureProcedures))
	}
}

func TestReportsScreenTotalsAndExports(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	s := reportsOf(t, u)
	// a supervisor types February's totals for the commune's People's Committee
	var agency int = -1
	for i, c := range s.agencyCodes {
		if c == "000.01.50.H21" {
			agency = i
		}
	}
	if agency < 0 {
		t.Fatalf("agencies %v", s.agencyCodes)
	}
	fyne.DoAndWait(func() {
		s.typedMonth.SetText("02/2026")
		s.typedAgency.SetSelectedIndex(agency)
	})
	if len(s.typedCells) == 0 {
		t.Fatal("no procedure boxes for the agency")
	}
	// the BCCI counts of February at that agency, to type totals above them
	p := domain.MonthPeriod(2026, time.February)
	counts, err := report.PointCounts(u.Ctx, u.Store, p.Start(), p.End())
	if err != nil {
		t.Fatal(err)
	}
	bcci := map[string][2]int64{}
	for _, c := range counts {
		if c.Agency == "000.01.50.H21" {
			bcci[c.Procedure] = [2]int64{c.Received, c.Returned}
		}
	}
	var sumD, sumR int64
	fyne.DoAndWait(func() {
		for code, es := range s.typedCells {
			d, r := bcci[code][0]+10, bcci[code][1]+5
			es[0].SetText(strconv.FormatInt(d, 10))
			es[1].SetText(strconv.FormatInt(r, 10))
			sumD += d
			sumR += r
		}
		s.setPeriod(p)
		s.saveTyped()
	})
	if !strings.Contains(s.typedResult.Text, "02/2026") {
		t.Fatalf("typed totals not saved: %q", s.typedResult.Text)
	}
	waitRefresh(t, s)
	f := s.rep.Total.Figure(domain.FigureDossiers)
	if !f.DenominatorKnown || f.Denominator != sumD {
		t.Errorf("after typing: figure 2 %+v, want denominator %d", f, sumD)
	}
	if s.cards[1].pct.Text == "—" {
		t.Error("figure 2 still shows no percentage")
	}
	// a total below the BCCI count is refused and names the procedure
	var busy string
	for code, v := range bcci {
		if v[0] > 0 && s.typedCells[code][0] != nil {
			busy = code
		}
	}
	if busy != "" {
		fyne.DoAndWait(func() {
			s.typedCells[busy][0].SetText("0")
			s.saveTyped()
		})
		if !strings.Contains(s.typedResult.Text, busy) || !strings.Contains(s.typedResult.Text, "nhỏ hơn") {
			t.Errorf("a total below the BCCI count: %q", s.typedResult.Text)
		}
	}

	// a totals file with a bad row: listed, nothing imported
	dir := t.TempDir()
	bad := filepath.Join(dir, "sai.csv")
	os.WriteFile(bad, []byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n01/2026,01/2026,9.999999,000.01.50.H21,01/2026,3,3\n"), 0o644)
	before, _ := u.Store.TotalsImports(u.Ctx, 100)
	fyne.DoAndWait(func() { s.importFile(bad) })
	if !strings.Contains(s.importResult.Text, "Dòng 2") || !strings.Contains(s.importResult.Text, "9.999999") {
		t.Errorf("bad file: %q", s.importResult.Text)
	}
	if after, _ := u.Store.TotalsImports(u.Ctx, 100); len(after) != len(before) {
		t.Error("a refused file was recorded")
	}

	// exports and the notice
	for _, f := range report.Formats {
		path := filepath.Join(dir, "r."+f)
		if err := s.exportTo(path, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() < 200 {
			t.Errorf("%s export: %v", f, err)
		}
	}
	if err := s.noticeTo(filepath.Join(dir, "n.pdf")); err != nil {
		t.Fatal(err)
	}
}

func TestReportsScreenClerkHasNoTotals(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	s := reportsOf(t, u)
	if s.importResult != nil || s.typedAgency != nil {
		t.Error("a clerk sees the supervisor's totals form")
	}
	if s.rep == nil {
		t.Error("a clerk sees no figures")
	}
}

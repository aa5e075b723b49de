package report

import (
	"errors"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestPointReportKeepsTheHubsScope: once the hub has sent the post point
// its scope (its commune's agencies), the post point's report counts their
// procedures only, as the hub's report by post point does; an older scope
// applied late changes nothing.
func TestPointReportKeepsTheHubsScope(t *testing.T) {
	s := newPoint(t, 300)
	year := domain.YearPeriod(2026)
	all, err := PointReport(ctx, s, year)
	if err != nil {
		t.Fatal(err)
	}
	procs, err := s.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sc := domain.ReportScope{Commune: "Ia O", Agencies: []string{"000.01.50.H21", "000.02.50.H21"}}
	var want, wantAll int64
	deployed := 0
	byCode := map[string]domain.Procedure{}
	for _, p := range procs {
		byCode[p.Code] = p
		if p.Deployed() && sc.Deployed(p) {
			deployed++
		}
	}
	for _, row := range all.Procedures {
		if p := byCode[row.Code]; p.Deployed() {
			wantAll += row.Received
			if sc.Deployed(p) {
				want += row.Received
			}
		}
	}
	if all.Total.Received != wantAll || want == 0 || want == wantAll {
		t.Fatalf("the fixture: %d received in all, %d of the commune's agencies, %d by the procedure rows", all.Total.Received, want, wantAll)
	}
	if err := s.ApplyReportScope(ctx, store.HubUpdate{ID: 5, Kind: "report_scope", Data: []byte("{}")}, sc); err != nil {
		t.Fatal(err)
	}
	own, err := PointReport(ctx, s, year)
	if err != nil {
		t.Fatal(err)
	}
	if own.Total.Received != want || own.Total.Figure(domain.FigureProcedures).Denominator != int64(deployed) {
		t.Fatalf("with the scope: %d received and %d procedures deployed, want %d and %d",
			own.Total.Received, own.Total.Figure(domain.FigureProcedures).Denominator, want, deployed)
	}
	// An older update (a smaller id) applied late is marked applied only.
	if err := s.ApplyReportScope(ctx, store.HubUpdate{ID: 3, Kind: "report_scope", Data: []byte("{}")}, domain.ReportScope{Commune: "Ia O"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.ReportScope(ctx); err != nil || got == nil || len(got.Agencies) != 2 {
		t.Fatalf("after an older scope: %+v %v", got, err)
	}
	if err := s.ApplyReportScope(ctx, store.HubUpdate{ID: 5, Kind: "report_scope", Data: []byte("{}")}, sc); !errors.Is(err, store.ErrUpdateApplied) {
		t.Fatalf("the same update again: %v", err)
	}
	if err := s.ApplyReportScope(ctx, store.HubUpdate{ID: 6, Kind: "report_scope", Data: []byte("{}")}, domain.ReportScope{}); err == nil {
		t.Fatal("a scope without a commune was stored")
	}
}

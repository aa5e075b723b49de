package hubstore_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// scopeUpdates are the report scopes device d pulls, in order.
func scopeUpdates(t *testing.T, s *hubstore.Store, d string) []domain.ReportScope {
	t.Helper()
	u, err := s.Pull(ctx, d, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.ReportScope
	for _, it := range u.Items {
		if it.Kind != syncproto.UpdateScope {
			continue
		}
		var sc domain.ReportScope
		if err := json.Unmarshal(it.Payload, &sc); err != nil {
			t.Fatal(err)
		}
		if err := sc.Check(); err != nil {
			t.Fatalf("%s pulls a scope that fails its check: %v", d, err)
		}
		out = append(out, sc)
	}
	return out
}

// TestReportScopesGoDown: every communes import sends each post point's
// devices what their report counts — the commune's own agencies, or none
// for a post point the file leaves out — and a post point that appears
// later learns its own; the hub's report by post point counts the same.
func TestReportScopesGoDown(t *testing.T) {
	fx := newTotalsFixture(t) // 600900 in Ia O, 600901 in Ia Pếch, both enrolled after the import
	loner := hubtest.NewDevice(t, "600902", "A")
	loner.Enroll(t, fx.s) // in no commune of the file
	want := map[string]domain.ReportScope{
		fx.a.ID:  {Commune: "Ia O", Agencies: []string{fx.agIaO}},
		fx.c.ID:  {Commune: "Ia Pếch", Agencies: []string{fx.agPech}},
		loner.ID: {Commune: "600902"},
	}
	for d, w := range want {
		got := scopeUpdates(t, fx.s, d)
		if len(got) == 0 || !sameScope(got[len(got)-1], w) {
			t.Fatalf("%s's scopes: %+v, want the last %+v", d, got, w)
		}
	}
	// A new communes file: Ia O takes the police too, 600902 joins Ia Pếch.
	communes := fmt.Sprintf("commune,post_point_code,agency_code\nIa O,600900,%s\nIa O,,%s\nIa Pếch,600901,\nIa Pếch,600902,\n", fx.agIaO, fx.agPech)
	if _, _, err := fx.s.ImportReportCommunes(ctx, []byte(communes), "xa2.csv"); err != nil {
		t.Fatal(err)
	}
	want = map[string]domain.ReportScope{
		fx.a.ID:  {Commune: "Ia O", Agencies: []string{fx.agIaO, fx.agPech}},
		fx.c.ID:  {Commune: "Ia Pếch"},
		loner.ID: {Commune: "Ia Pếch"},
	}
	for d, w := range want {
		got := scopeUpdates(t, fx.s, d)
		if !sameScope(got[len(got)-1], w) {
			t.Fatalf("after the second file %s's last scope is %+v, want %+v", d, got[len(got)-1], w)
		}
	}
	scopes, err := fx.s.ReportScopes(ctx)
	if err != nil || !sameScope(scopes["600900"], want[fx.a.ID]) {
		t.Fatalf("the hub's own scope of 600900: %+v %v", scopes["600900"], err)
	}
	late := hubtest.NewDevice(t, "600903", "A")
	late.Enroll(t, fx.s) // a post point new since the import
	if got := scopeUpdates(t, fx.s, late.ID); len(got) != 1 || !sameScope(got[0], domain.ReportScope{Commune: "600903"}) {
		t.Fatalf("the late post point's scopes: %+v", got)
	}
	second := hubtest.NewDevice(t, "600903", "B")
	second.Enroll(t, fx.s) // its second device: the post point's update, not a new one
	if got := scopeUpdates(t, fx.s, second.ID); len(got) != 1 {
		t.Fatalf("the late post point's second device pulls %d scopes, want 1", len(got))
	}
}

func sameScope(a, b domain.ReportScope) bool {
	return a.Commune == b.Commune && slices.Equal(a.Agencies, b.Agencies)
}

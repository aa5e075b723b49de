package devicesync

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

func addStaff(t *testing.T, s *store.Store, actor, user string, role domain.Role, pin string) {
	t.Helper()
	h, err := auth.Hash(pin)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaff(ctx, actor, domain.Staff{Username: user, FullName: "Rơ Mah " + user, Role: role, Active: true}, h); err != nil {
		t.Fatal(err)
	}
}

func applyAll(t *testing.T, s *store.Store, bs ...*syncproto.Batch) {
	t.Helper()
	for _, b := range bs {
		if res, err := ApplyPeerBatches(ctx, s, []*syncproto.Batch{b}, "hub"); err != nil || res.Refused != 0 {
			rs, _ := s.PeerRefusals(ctx, 1)
			t.Fatalf("%+v %v %+v", res, err, rs)
		}
	}
}

// TestPeerStaffShared: an account made on the counter (A) signs in on the
// laptop (B) with the same PIN; a PIN reset and a deactivation follow it;
// concurrent changes of one account end the same on a third device in any
// order.
func TestPeerStaffShared(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	c1, c2 := newDevice(t, "600900", "C"), newDevice(t, "600900", "C")
	for _, s := range []*store.Store{a, b, c1, c2} {
		for _, o := range []*store.Store{a, b} {
			if s != o {
				knows(t, s, o)
			}
		}
	}
	addStaff(t, a, "", "truong", domain.RoleSupervisor, "9999")
	addStaff(t, a, "truong", "gdv1", domain.RoleClerk, "1234")
	if _, err := b.SignIn(ctx, "gdv1", "1234"); err == nil {
		t.Fatal("B signs gdv1 in before A's events arrived")
	}
	applyAll(t, b, ownBatch(t, a, 0, 100))
	st, err := b.SignIn(ctx, "gdv1", "1234")
	if err != nil || st.Role != domain.RoleClerk || st.FullName != "Rơ Mah gdv1" {
		t.Fatalf("B: gdv1 made on A does not sign in with A's PIN: %+v %v", st, err)
	}
	if _, err := b.SignIn(ctx, "gdv1", "0000"); err == nil {
		t.Fatal("B accepts a wrong PIN")
	}
	// B's supervisor resets the PIN; A's supervisor, not having seen it,
	// makes gdv1 a postal worker: both changes hold everywhere.
	h, _ := auth.Hash("4321")
	if err := b.ResetStaffSecret(ctx, "truong", "gdv1", h); err != nil {
		t.Fatal(err)
	}
	if err := a.SetStaffRole(ctx, "truong", "gdv1", domain.RolePostalWorker); err != nil {
		t.Fatal(err)
	}
	fromA, fromB := ownBatch(t, a, 0, 100), ownBatch(t, b, 0, 100)
	applyAll(t, c1, fromA, fromB)
	applyAll(t, c2, fromB, fromA)
	applyAll(t, a, fromB)
	applyAll(t, b, ownBatch(t, a, 2, 100))
	for name, s := range map[string]*store.Store{"A": a, "B": b, "C1": c1, "C2": c2} {
		st, err := s.SignIn(ctx, "gdv1", "4321")
		if err != nil || st.Role != domain.RolePostalWorker {
			t.Fatalf("%s: gdv1 after both changes: %+v %v", name, st, err)
		}
		if _, err := s.SignIn(ctx, "gdv1", "1234"); err == nil {
			t.Fatalf("%s: the old PIN still signs in", name)
		}
	}
	// Deactivated on B: refused on A.
	if err := b.SetStaffActive(ctx, "truong", "gdv1", false); err != nil {
		t.Fatal(err)
	}
	applyAll(t, a, ownBatch(t, b, 0, 100))
	if _, err := a.SignIn(ctx, "gdv1", "4321"); err == nil || !strings.Contains(err.Error(), "deactivated") {
		t.Fatalf("A signs in an account deactivated on B: %v", err)
	}
}

// TestPeerCatalogShared: a catalog imported on A — large enough to travel in
// several parts — reaches B whole; the province's next version wins over
// it, and an edit made on top of that version wins over the province's.
func TestPeerCatalogShared(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	knows(t, b, a)
	knows(t, a, b)
	f := store.CatalogImport{FileName: "danh-muc.xlsx", SHA256: "aa", Agencies: []domain.Agency{{Code: "000.00.20.H21", Name: "UBND xã Ia Grai"}}}
	long := strings.Repeat("Giấy tờ chứng minh nơi cư trú ", 5)
	for i := range 1500 {
		f.Procedures = append(f.Procedures, domain.Procedure{Code: fmt.Sprintf("1.%06d", i), Name: fmt.Sprintf("Đăng ký khai sinh %d", i),
			AgencyCode: "000.00.20.H21", Fee: 15000, FeeKnown: true, BCCIIntake: true,
			Documents: []domain.DocumentRequirement{{Name: long, Required: true}, {Name: "Tờ khai", Required: true}}})
	}
	if _, err := a.ImportCatalog(ctx, "truong", f); err != nil {
		t.Fatal(err)
	}
	batch := ownBatch(t, a, 0, 1000)
	events, err := batch.Events()
	if err != nil {
		t.Fatal(err)
	}
	parts := 0
	for _, e := range events {
		if e.Kind == domain.KindCatalogShared {
			parts++
		}
	}
	if parts < 2 {
		t.Fatalf("the catalog travelled in %d part(s); the test needs several", parts)
	}
	// The first parts alone change nothing on B: the change applies whole.
	var first []domain.Event
	for i, e := range events {
		if e.Kind == domain.KindCatalogShared {
			first = events[:i+1]
			break
		}
	}
	if _, err := b.StorePeerEvents(ctx, "600900-A", first); err != nil {
		t.Fatal(err)
	}
	if ps, _ := b.Procedures(ctx); len(ps) != 0 {
		t.Fatalf("B holds %d procedures after the first part only", len(ps))
	}
	applyAll(t, b, batch)
	ps, err := b.Procedures(ctx)
	if err != nil || len(ps) != 1500 || ps[7].Documents[0].Name != long || ps[7].Fee != 15000 {
		t.Fatalf("B's catalog: %d procedures %v", len(ps), err)
	}
	vs, _ := b.CatalogVersions(ctx)
	if len(vs) != 1 || vs[0].FileName != "danh-muc.xlsx" || vs[0].Added != 1500 {
		t.Fatalf("B's catalog history: %+v", vs)
	}
	// The province pushes version 3 with another fee: it wins on both.
	hub := store.CatalogImport{FileName: "tinh-v3.json", SHA256: "bb", HubVersion: 3,
		Procedures: []domain.Procedure{{Code: "1.000007", Name: "Đăng ký khai sinh (tỉnh)", AgencyCode: "000.00.20.H21", Fee: 20000, FeeKnown: true}}}
	for _, s := range []*store.Store{a, b} {
		if _, err := s.ImportCatalog(ctx, "hub", hub); err != nil {
			t.Fatal(err)
		}
	}
	applyAll(t, b, ownBatch(t, a, 0, 1000)) // A's old edit again: older than version 3
	for name, s := range map[string]*store.Store{"A": a, "B": b} {
		if p, _ := s.Procedure(ctx, "1.000007"); p.Fee != 20000 {
			t.Fatalf("%s: the province's version 3 lost to an older edit: fee %d", name, p.Fee)
		}
	}
	// B edits it on top of version 3: wins on A, and a re-push of 3 does not undo it.
	edit := store.CatalogImport{FileName: "sua.csv", SHA256: "cc",
		Procedures: []domain.Procedure{{Code: "1.000007", Name: "Đăng ký khai sinh (xã)", AgencyCode: "000.00.20.H21", Fee: 0, FeeKnown: true}}}
	if _, err := b.ImportCatalog(ctx, "truong", edit); err != nil {
		t.Fatal(err)
	}
	applyAll(t, a, ownBatch(t, b, 0, 1000))
	if _, err := a.ImportCatalog(ctx, "hub", hub); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*store.Store{"A": a, "B": b} {
		if p, _ := s.Procedure(ctx, "1.000007"); p.Name != "Đăng ký khai sinh (xã)" {
			t.Fatalf("%s: the post point's edit on version 3: %q", name, p.Name)
		}
	}
}

// TestPeerTotalsShared: totals imported on A reach B; a later import on B
// of the same agency and month replaces them on both, in any order.
func TestPeerTotalsShared(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	c1, c2 := newDevice(t, "600900", "C"), newDevice(t, "600900", "C")
	for _, s := range []*store.Store{a, b, c1, c2} {
		for _, o := range []*store.Store{a, b} {
			if s != o {
				knows(t, s, o)
			}
		}
	}
	imp := func(s *store.Store, n int64) {
		t.Helper()
		_, err := s.ImportTotals(ctx, store.TotalsImport{Source: "tong.csv", Staff: "truong", From: "2026-10", To: "2026-11",
			Agencies: []string{"000.00.20.H21"}, Rows: []store.TotalsRow{
				{Procedure: "1.000007", Agency: "000.00.20.H21", Month: "2026-10", Dossiers: n, Results: n - 1},
				{Procedure: "1.000008", Agency: "000.00.20.H21", Month: "2026-11", Dossiers: 2 * n, Results: n}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	cells := func(s *store.Store) string {
		rows, err := s.Totals(ctx, "2026-01", "2026-12")
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s %s %s %d/%d", r.Month, r.Agency, r.Procedure, r.Dossiers, r.Results))
		}
		return strings.Join(out, "; ")
	}
	imp(a, 10)
	applyAll(t, b, ownBatch(t, a, 0, 100))
	if got, want := cells(b), cells(a); got != want || !strings.Contains(got, "10/9") {
		t.Fatalf("B's totals %q, A's %q", got, want)
	}
	imp(b, 30) // after seeing A's
	fromA, fromB := ownBatch(t, a, 0, 100), ownBatch(t, b, 0, 100)
	applyAll(t, c1, fromA, fromB)
	applyAll(t, c2, fromB, fromA)
	applyAll(t, a, fromB)
	want := cells(b)
	if !strings.Contains(want, "30/29") {
		t.Fatalf("B's own import: %q", want)
	}
	for name, s := range map[string]*store.Store{"A": a, "C1": c1, "C2": c2} {
		if got := cells(s); got != want {
			t.Fatalf("%s's totals %q, B's %q", name, got, want)
		}
	}
}

// TestHubTotalsAndPeerTotalsAnyOrder: the province's totals (a totals
// update from the hub) and a peer's import of the same cells end the same
// on every device whichever arrives first: the later mark wins.
func TestHubTotalsAndPeerTotalsAnyOrder(t *testing.T) {
	for _, hubLater := range []bool{true, false} {
		a := newDevice(t, "600900", "A")
		c1, c2 := newDevice(t, "600900", "C"), newDevice(t, "600900", "C")
		for _, s := range []*store.Store{c1, c2} {
			knows(t, s, a)
		}
		if _, err := a.ImportTotals(ctx, store.TotalsImport{Source: "xa.csv", Staff: "truong", From: "2026-10", To: "2026-10",
			Agencies: []string{"000.00.20.H21"}, Rows: []store.TotalsRow{
				{Procedure: "1.000007", Agency: "000.00.20.H21", Month: "2026-10", Dossiers: 10, Results: 9}}}, nil); err != nil {
			t.Fatal(err)
		}
		fromA := ownBatch(t, a, 0, 100)
		mark := a.Now().Add(-time.Hour) // A's import is at its clock
		if hubLater {
			mark = a.Now().Add(time.Hour)
		}
		hub := store.TotalsImport{Source: "tinh.csv", Staff: "so-tttt", From: "2026-10", To: "2026-10",
			Agencies: []string{"000.00.20.H21"}, Rows: []store.TotalsRow{
				{Procedure: "1.000007", Agency: "000.00.20.H21", Month: "2026-10", Dossiers: 70, Results: 60}}}
		u := store.HubUpdate{ID: 7, Kind: syncproto.UpdateTotals, Data: []byte(`{}`)}
		if err := c1.ApplyHubTotals(ctx, u, hub, mark); err != nil {
			t.Fatal(err)
		}
		applyAll(t, c1, fromA)
		applyAll(t, c2, fromA)
		if err := c2.ApplyHubTotals(ctx, u, hub, mark); err != nil {
			t.Fatal(err)
		}
		if err := c2.ApplyHubTotals(ctx, u, hub, mark); !errors.Is(err, store.ErrUpdateApplied) {
			t.Fatalf("the same update again: %v", err)
		}
		want := int64(10)
		if hubLater {
			want = 70
		}
		for name, s := range map[string]*store.Store{"C1": c1, "C2": c2} {
			rows, err := s.Totals(ctx, "2026-10", "2026-10")
			if err != nil || len(rows) != 1 || rows[0].Dossiers != want {
				t.Fatalf("hub later %v: %s's totals %+v %v, want %d", hubLater, name, rows, err, want)
			}
		}
	}
}

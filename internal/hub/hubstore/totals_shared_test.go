package hubstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/report"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// totalsFixture: a hub with two communes, post point 600900 in Ia O (the
// commune People's Committee's agency) and 600901 in Ia Pếch (the commune
// police's agency), one procedure of each agency.
type totalsFixture struct {
	s              *hubstore.Store
	a, c           *hubtest.Device
	agIaO, agPech  string
	procIaO, procP string
	now            time.Time
}

func newTotalsFixture(t *testing.T) *totalsFixture {
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	fx := &totalsFixture{s: hubtest.Open(t), agIaO: "000.01.50.H21", agPech: "000.02.50.H21",
		now: time.Date(2026, 3, 5, 2, 0, 0, 0, time.UTC)}
	fx.s.Now = func() time.Time { return fx.now }
	for _, p := range f.Procedures {
		if p.AgencyCode == fx.agIaO && fx.procIaO == "" {
			fx.procIaO = p.Code
		}
		if p.AgencyCode == fx.agPech && fx.procP == "" {
			fx.procP = p.Code
		}
	}
	communes := fmt.Sprintf("commune,post_point_code,agency_code\nIa O,600900,%s\nIa Pếch,600901,%s\n", fx.agIaO, fx.agPech)
	if _, _, err := fx.s.ImportReportCommunes(ctx, []byte(communes), "xa.csv"); err != nil {
		t.Fatal(err)
	}
	fx.a, fx.c = hubtest.NewDevice(t, "600900", "A"), hubtest.NewDevice(t, "600901", "A")
	fx.a.Enroll(t, fx.s)
	fx.c.Enroll(t, fx.s)
	return fx
}

// provinceImport imports, at the hub, February's totals of both agencies.
func (fx *totalsFixture) provinceImport(t *testing.T, iaO, pech int64) {
	t.Helper()
	csv := "period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n" +
		fmt.Sprintf("02/2026,02/2026,%s,%s,02/2026,%d,%d\n", fx.procIaO, fx.agIaO, iaO, iaO) +
		fmt.Sprintf("02/2026,02/2026,%s,%s,02/2026,%d,%d\n", fx.procP, fx.agPech, pech, pech)
	tf, err := report.ParseTotalsCSV([]byte(csv), "tinh.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.s.ImportReportTotals(ctx, "so-tttt", tf); err != nil {
		t.Fatal(err)
	}
}

// deviceChange records on d a totals.shared change of February, cut into
// parts events (the rows of both agencies spread over them), at d's clock,
// and pushes and projects it.
func (fx *totalsFixture) deviceChange(t *testing.T, d *hubtest.Device, parts int, iaO, pech int64) {
	t.Helper()
	head, _ := json.Marshal(domain.TotalsHead{Source: "xa.csv", From: "2026-02", To: "2026-02", Agencies: []string{fx.agIaO, fx.agPech}})
	rows := []store.TotalsRow{
		{Procedure: fx.procIaO, Agency: fx.agIaO, Month: "2026-02", Dossiers: iaO, Results: iaO},
		{Procedure: fx.procP, Agency: fx.agPech, Month: "2026-02", Dossiers: pech, Results: pech},
	}
	first := int64(len(d.Events) + 1)
	id := fmt.Sprintf("change-%d", first)
	for i := 1; i <= parts; i++ {
		var items []json.RawMessage
		for j, r := range rows {
			if j%parts == i-1 {
				raw, _ := json.Marshal(r)
				items = append(items, raw)
			}
		}
		if items == nil {
			items = []json.RawMessage{}
		}
		d.Add(domain.KindTotalsShared, "", domain.SharedPart{ID: id, Part: i, Parts: parts, Head: head, Items: items})
		if i < parts {
			d.Clock = d.Clock.Add(-time.Minute) // the parts of one change share its time
		}
	}
	fx.push(t, d, first)
}

func (fx *totalsFixture) push(t *testing.T, d *hubtest.Device, first int64) {
	t.Helper()
	if _, err := fx.s.ReceiveBatch(ctx, d.Batch(t, first, int64(len(d.Events))), "test"); err != nil {
		t.Fatal(err)
	}
	if err := fx.s.Project(ctx); err != nil {
		t.Fatal(err)
	}
}

// cells are the hub's February totals by agency.
func (fx *totalsFixture) cells(t *testing.T) map[string]int64 {
	t.Helper()
	rows, cover, err := fx.s.ReportTotals(ctx, "2026-02", "2026-02")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Agency] += r.Dossiers
	}
	if len(cover) != len(out) {
		t.Fatalf("coverage %+v for cells %v", cover, out)
	}
	return out
}

// totalsUpdates are the totals updates device d pulls.
func totalsUpdates(t *testing.T, s *hubstore.Store, d string) []syncproto.TotalsChange {
	t.Helper()
	u, err := s.Pull(context.Background(), d, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []syncproto.TotalsChange
	for _, it := range u.Items {
		if it.Kind != syncproto.UpdateTotals {
			continue
		}
		var c syncproto.TotalsChange
		if err := json.Unmarshal(it.Payload, &c); err != nil {
			t.Fatal(err)
		}
		if err := c.Check(); err != nil {
			t.Fatalf("%s pulls a totals change that fails its check: %v", d, err)
		}
		out = append(out, c)
	}
	return out
}

// TestProvinceTotalsGoDownToTheirCommune: the province's import reaches the
// devices of each post point with its commune's agencies only, a device
// enrolled later too.
func TestProvinceTotalsGoDownToTheirCommune(t *testing.T) {
	fx := newTotalsFixture(t)
	fx.provinceImport(t, 500, 300)
	b := hubtest.NewDevice(t, "600900", "B")
	b.Enroll(t, fx.s) // after the import
	for _, tc := range []struct {
		device, agency, proc string
		n                    int64
	}{{fx.a.ID, fx.agIaO, fx.procIaO, 500}, {b.ID, fx.agIaO, fx.procIaO, 500}, {fx.c.ID, fx.agPech, fx.procP, 300}} {
		got := totalsUpdates(t, fx.s, tc.device)
		if len(got) != 1 || len(got[0].Agencies) != 1 || got[0].Agencies[0] != tc.agency || len(got[0].Rows) != 1 ||
			got[0].Rows[0].Procedure != tc.proc || got[0].Rows[0].Dossiers != tc.n || got[0].Source != "tinh.csv" {
			t.Fatalf("%s pulls %+v", tc.device, got)
		}
	}
	st, err := fx.s.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, pp := range st.PostPoints {
		for _, d := range pp.Devices {
			if d.ID == b.ID {
				seen = true
				if d.Waiting < 1 {
					t.Fatalf("status shows nothing waiting for %s: %+v", b.ID, d)
				}
			}
		}
	}
	if !seen {
		t.Fatalf("status has no line for %s", b.ID)
	}
}

// TestDeviceTotalsTakenForTheirCommune: a post point's import (its
// totals.shared change) changes the hub's cells of its commune's agencies,
// never another commune's, and only when it is the latest change: the
// province's import made later wins over it, and it wins over an earlier
// one, whatever the devices' clocks say.
func TestDeviceTotalsTakenForTheirCommune(t *testing.T) {
	fx := newTotalsFixture(t)
	fx.provinceImport(t, 500, 300) // at 5 March
	// A's import made on 2 March (its clock), pushed after: older, not taken
	fx.deviceChange(t, fx.a, 1, 900, 900)
	if got := fx.cells(t); got[fx.agIaO] != 500 || got[fx.agPech] != 300 {
		t.Fatalf("an older change of A taken: %v", got)
	}
	// A's import of 10 March, in two parts: taken for Ia O's agency only
	fx.a.Clock = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	fx.deviceChange(t, fx.a, 2, 910, 999)
	if got := fx.cells(t); got[fx.agIaO] != 910 || got[fx.agPech] != 300 {
		t.Fatalf("after A's later change: %v", got)
	}
	// The province imports again on 6 March by the hub's clock, behind A's:
	// its mark comes just after A's, so it wins here and on the devices.
	fx.now = time.Date(2026, 3, 6, 2, 0, 0, 0, time.UTC)
	fx.provinceImport(t, 520, 310)
	if got := fx.cells(t); got[fx.agIaO] != 520 || got[fx.agPech] != 310 {
		t.Fatalf("after the province's second import: %v", got)
	}
	got := totalsUpdates(t, fx.s, fx.a.ID)
	if len(got) != 2 || !got[1].MarkAt.After(fx.a.Clock) || got[1].Rows[0].Dossiers != 520 {
		t.Fatalf("A's totals updates %+v (A's change at %s)", got, fx.a.Clock)
	}
	// A device of another commune changing Ia O's agency: not taken.
	fx.c.Clock = time.Date(2026, 4, 1, 1, 0, 0, 0, time.UTC)
	fx.deviceChange(t, fx.c, 1, 1, 400)
	if got := fx.cells(t); got[fx.agIaO] != 520 || got[fx.agPech] != 400 {
		t.Fatalf("after Ia Pếch's change: %v", got)
	}
}

// TestUnreadableDeviceTotalsNoted: a totals.shared event the hub cannot
// read is kept with the device's log (the batch is acked) and noted among
// the refusals; the cells stay.
func TestUnreadableDeviceTotalsNoted(t *testing.T) {
	fx := newTotalsFixture(t)
	fx.provinceImport(t, 500, 300)
	fx.a.Clock = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	fx.a.Add(domain.KindTotalsShared, "", map[string]any{"id": "x", "part": 1, "parts": 1, "head": "not a head", "items": []int{1}})
	fx.push(t, fx.a, 1)
	if got := fx.cells(t); got[fx.agIaO] != 500 {
		t.Fatalf("cells after an unreadable change: %v", got)
	}
	var n int
	if err := hubtest.DB(t, fx.s).QueryRow("SELECT count(*) FROM refusals WHERE code = 'totals_unreadable' AND device_id = ?", fx.a.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("refusals noted: %d %v", n, err)
	}
	if n := hubtest.CountRows(t, fx.s, "hub_events"); n != 1 {
		t.Fatalf("hub holds %d events", n)
	}
}

// TestCommunesImportTakesEarlierDeviceTotals: a device's change of an
// agency that was not yet its commune's counts once a communes file puts
// the agency there; importing the file again changes nothing, and an
// unreadable change is not noted twice.
func TestCommunesImportTakesEarlierDeviceTotals(t *testing.T) {
	fx := newTotalsFixture(t)
	fx.a.Clock = time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC)
	fx.deviceChange(t, fx.a, 2, 910, 999) // Ia Pếch's agency is not Ia O's yet
	if got := fx.cells(t); got[fx.agIaO] != 910 || got[fx.agPech] != 0 {
		t.Fatalf("before: %v", got)
	}
	fx.a.Add(domain.KindTotalsShared, "", map[string]any{"id": "x", "part": 1, "parts": 1, "head": "not a head", "items": []int{1}})
	fx.push(t, fx.a, int64(len(fx.a.Events)))
	refusals := func() (n int) {
		if err := hubtest.DB(t, fx.s).QueryRow("SELECT count(*) FROM refusals WHERE code = 'totals_unreadable'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if refusals() != 1 {
		t.Fatalf("%d refusals noted for the unreadable change", refusals())
	}
	both := fmt.Sprintf("commune,post_point_code,agency_code\nIa O,600900,%s\nIa O,,%s\nIa Pếch,600901,\n", fx.agIaO, fx.agPech)
	for range 2 {
		if _, _, err := fx.s.ImportReportCommunes(ctx, []byte(both), "xa2.csv"); err != nil {
			t.Fatal(err)
		}
		if got := fx.cells(t); got[fx.agIaO] != 910 || got[fx.agPech] != 999 {
			t.Fatalf("after the communes file gives Ia O both agencies: %v", got)
		}
	}
	if refusals() != 1 {
		t.Fatalf("the communes imports noted the unreadable change again: %d", refusals())
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"

	"postdesk/internal/hub/hubtest"
)

// TestOnePostPointTwoDevices: one hub, a post point with a counter PC (A)
// and a laptop (B), and a second post point (C). B takes intakes offline;
// both sync; A finds B's dossier by receipt, CCCD and folded name, hands it
// over, records the result, delivers it; B shows it delivered. The hub holds
// every event once, `check` passes everywhere, A's and B's reports equal the
// hub's for the post point, C never receives the post point's events, and a
// device revoked at the hub has its later events refused by the hub and by
// its peer.
func TestOnePostPointTwoDevices(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600900", "A", 20, 1)
	b := newDevice(t, dir, "600900", "B", 20, 2)
	c := newDevice(t, dir, "600901", "A", 10, 3)
	for _, d := range []*device{a, b, c} {
		d.enroll(h, h.URL)
	}
	ids := b.intakes(3, "Siu Thị Hằng", "0643010077")
	for _, d := range []*device{b, a, c} {
		d.syncUntilQuiet()
	}

	// A finds B's dossier by receipt, ID and folded name.
	target := ids[1]
	for _, q := range []string{target, "064301007702", "siu thi hang"} {
		if out := mustPD(t, "find", "--db", a.db, q); !strings.Contains(out, target) {
			t.Fatalf("find %q on A: %s", q, out)
		}
	}
	// A moves it through to delivery.
	s := a.open()
	ctx := context.Background()
	due := time.Date(2026, 12, 20, 0, 0, 0, 0, domain.Zone)
	steps := []struct {
		k domain.Kind
		p any
	}{
		{domain.KindHandover, domain.HandoverPayload{HandoverID: "BG-A-1", Officer: "Lê Thị Thu"}},
		{domain.KindAccept, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261201-0001", DueDate: due}},
		{domain.KindResultReady, nil},
		{domain.KindResultHandover, domain.ResultHandoverPayload{HandoverID: "BG-A-2"}},
		{domain.KindDeliver, domain.DeliverPayload{RecipientName: "Siu Thị Hằng", RecipientID: "064301007702"}},
	}
	for _, st := range steps {
		if _, _, err := s.Record(ctx, "gdv1", st.k, target, st.p); err != nil {
			t.Fatalf("A %s on B's dossier: %v", st.k, err)
		}
	}
	s.Close()
	for _, d := range []*device{a, b, c} {
		d.syncUntilQuiet()
	}
	if got := b.dossier(target); got.State != domain.StateDelivered || got.Delivery == nil || got.OfficialCode != "000.00.20.H21-261201-0001" {
		t.Fatalf("B sees %s as %s", target, got.State)
	}
	assertExactlyOnce(t, hubPath, a, b, c)
	// Each device holds the other's log whole, once.
	for _, p := range [][2]*device{{a, b}, {b, a}} {
		db := hubDB(t, p[0].db)
		if n, want := queryInt(t, db, "SELECT count(DISTINCT seq) FROM events WHERE device_id = ?", p[1].id), p[1].lastSeq(); n != want {
			t.Fatalf("%s holds %d events of %s, which has %d", p[0].id, n, p[1].id, want)
		}
	}
	// The second post point received nothing of this one.
	if n := queryInt(t, hubDB(t, c.db), "SELECT count(*) FROM events WHERE device_id LIKE '600900-%'"); n != 0 {
		t.Fatalf("the second post point holds %d events of 600900", n)
	}
	if n := queryInt(t, hubDB(t, a.db), "SELECT count(*) FROM events WHERE device_id LIKE '600901-%'"); n != 0 {
		t.Fatalf("A holds %d events of the other post point", n)
	}
	// Reports: A and B equal, and equal to the hub's line for the post point.
	ra, rb := deviceKPI(t, a), deviceKPI(t, b)
	rh := hubKPI(t, hubPath, "600900")
	t.Logf("A %s; hub %s", ra, rh)
	if ra != rb || ra != rh {
		t.Fatalf("reports differ:\nA   %s\nB   %s\nhub %s", ra, rb, rh)
	}

	// B is revoked at the hub: its later events are refused by the hub and by A.
	mustPD(t, "hub", "revoke", "--db", hubPath, "--device", b.id, "--reason", "máy bị mất")
	a.syncUntilQuiet() // the revocation (with how far B's log is accepted) reaches A
	late := b.intakes(1, "Ksor Y Bhin", "0640900012")
	if err := b.sync(); err == nil {
		t.Fatal("the hub accepted a revoked device's round")
	}
	env := b.batchAfter(t, queryInt(t, hubDB(t, a.db), "SELECT max(seq) FROM events WHERE device_id = ?", b.id))
	sa := a.open()
	defer sa.Close()
	res, err := devicesync.ApplyPeerBatches(ctx, sa, []*syncproto.Batch{env}, "file")
	if err != nil || res.Refused != 1 || res.Events != 0 {
		t.Fatalf("A took a revoked device's later events: %+v %v", res, err)
	}
	refs, err := sa.PeerRefusals(ctx, 5)
	if err != nil || len(refs) == 0 || refs[0].Code != "revoked" || refs[0].Device != b.id {
		t.Fatalf("refusal not noted: %+v %v", refs, err)
	}
	if _, err := sa.Dossier(ctx, late[0]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("A shows the revoked device's late dossier: %v", err)
	}
}

// intakes takes n dossiers for one applicant (ID prefix + 2 digits) offline.
func (d *device) intakes(n int, name, idPrefix string) []string {
	d.t.Helper()
	ctx := context.Background()
	s := d.open()
	defer s.Close()
	procs, err := s.Procedures(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	var p domain.Procedure
	for _, x := range procs {
		if x.BCCIIntake && x.AgencyCode != "" {
			p = x
			break
		}
	}
	var ids []string
	for i := 0; i < n; i++ {
		in := domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: p.Code, ProcedureName: p.Name, AgencyCode: p.AgencyCode,
			Applicant: domain.Person{FullName: name, IDNumber: fmt.Sprintf("%s%02d", idPrefix, i+1), IDType: domain.IDCCCD,
				Phone: "0912345678", Commune: "Ia O", Address: "Làng Mrông Yố"},
			Place: domain.PlaceHome, Postage: 15000, FeePayment: domain.PayNow, ReturnMethod: domain.ReturnByPost,
			ReturnAddress: "Làng Mrông Yố, Ia O"}
		doss, err := s.Intake(ctx, "buuta1", in)
		if err != nil {
			d.t.Fatal(err)
		}
		ids = append(ids, doss.ID)
	}
	return ids
}

// batchAfter is the device's own signed batch of its events after seq.
func (d *device) batchAfter(t *testing.T, after int64) *syncproto.Batch {
	t.Helper()
	ctx := context.Background()
	s := d.open()
	defer s.Close()
	key, err := s.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.EventsAfter(ctx, d.id, after, 100)
	if err != nil || len(events) == 0 {
		t.Fatalf("events after %d: %d %v", after, len(events), err)
	}
	prev, err := s.EventHash(ctx, d.id, after)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := syncproto.EncodeBatch(key, d.id, d.pp, prev, after+1, events, 0, time.Now(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// kpiLine is what a report says of a post point: its BCCI counts and the
// three figures (numerator/denominator, null without totals, and met).
func kpiLine(u map[string]any) string {
	var b strings.Builder
	fmt.Fprintf(&b, "received=%v returned=%v", u["bcci_received"], u["bcci_returned"])
	figs, _ := u["figures"].([]any)
	for _, f := range figs {
		m, _ := f.(map[string]any)
		fmt.Fprintf(&b, " %v=%v/%v met=%v", m["kind"], m["numerator"], m["denominator"], m["met"])
	}
	return b.String()
}

func readReport(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

const kpiFrom, kpiTo = "01/01/2025", "31/12/2026"

func deviceKPI(t *testing.T, d *device) string {
	out := filepath.Join(filepath.Dir(d.db), d.id+"-kpi.json")
	mustPD(t, "report", "kpi", "--db", d.db, "--from", kpiFrom, "--to", kpiTo, "--format", "json", "--out", out)
	total, _ := readReport(t, out)["total"].(map[string]any)
	return kpiLine(total)
}

func hubKPI(t *testing.T, hubPath, pp string) string {
	out := filepath.Join(t.TempDir(), "hub-kpi.json") // the hub may be on PostgreSQL: no folder of its own
	mustPD(t, "hub", "report", "kpi", "--db", hubPath, "--from", kpiFrom, "--to", kpiTo, "--by", "post-point", "--format", "json", "--out", out)
	units, _ := readReport(t, out)["units"].([]any)
	for _, u := range units {
		if m, _ := u.(map[string]any); m["key"] == pp {
			return kpiLine(m)
		}
	}
	t.Fatalf("the hub's report has no line for %s", pp)
	return ""
}

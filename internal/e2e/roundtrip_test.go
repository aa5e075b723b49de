package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/domain"

	"postdesk/internal/hub/hubtest"
)

// TestTwoPostPoints: one hub, two devices of two post points. Each takes
// dossiers offline, syncs, receives the agencies' outcomes and result-only
// registrations imported at the hub, and syncs again. The hub holds every
// event exactly once and each device shows the outcomes. On PostgreSQL
// the two post points sync through two hub processes of one database.
func TestTwoPostPoints(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	// On PostgreSQL a second hub process serves the same database, and the
	// second post point syncs through it.
	hb := h
	if hubtest.Postgres() {
		hb = startHub(t, hubPath, "127.0.0.1:0")
	}
	a := newDevice(t, dir, "600900", "A", 50, 1)
	b := newDevice(t, dir, "600901", "A", 50, 2)
	a.enroll(h, h.URL)
	b.enroll(hb, hb.URL)
	idsA := a.work(5)
	idsB := b.work(5)
	for _, d := range []*device{a, b} {
		if err := d.sync(); err != nil {
			t.Fatal(err)
		}
	}
	assertExactlyOnce(t, hubPath, a, b)

	// The province records outcomes for some of their dossiers.
	var csv strings.Builder
	csv.WriteString("receipt,outcome,official_code,due_date,papers,reason\n")
	codes := map[string]string{}
	for i, ids := range [][]string{idsA, idsB} {
		for j, id := range ids[:2] {
			code := fmt.Sprintf("000.00.20.H21-260302-%04d", 100*i+j+1)
			codes[id] = code
			fmt.Fprintf(&csv, "%s,accepted,%s,20/03/2026,,\n", id, code)
		}
		fmt.Fprintf(&csv, "%s,supplement,,,\"Bản sao giấy khai sinh; Ảnh 3x4\",\n", ids[2])
		fmt.Fprintf(&csv, "%s,rejected,,,,Không đủ điều kiện theo quy định\n", ids[3])
	}
	fmt.Fprintf(&csv, "%s,result_ready,,,,\n", idsA[0]) // chained after its acceptance in the same file
	outFile := filepath.Join(dir, "ketqua.csv")
	os.WriteFile(outFile, []byte(csv.String()), 0o600)
	ro := filepath.Join(dir, "chitra.csv")
	os.WriteFile(ro, []byte("outcome,post_point,official_code,applicant_name,applicant_id,applicant_phone,commune,address,procedure_code,procedure_name,agency_code,fee\n"+
		"result_only,600900,000.00.20.H21-260301-0042,Ksor Y Bhin,064090001234,0912345678,Ia O,Làng Dơ Nâu,1.001193,Đăng ký khai sinh,000.00.20.H21,15000\n"+
		"result_only,600901,000.00.20.H21-260301-0043,Siu Thị Hằng,064301001111,,Ia Grai,Thôn 2,1.001193,Đăng ký khai sinh,000.00.20.H21,\n"), 0o600)
	out := mustPD(t, "hub", "import-outcomes", "--db", hubPath, outFile)
	if !strings.Contains(out, "9 updates queued") {
		t.Fatalf("import-outcomes: %s", out)
	}
	mustPD(t, "hub", "import-outcomes", "--db", hubPath, ro)
	// Importing the same file again queues nothing.
	if out := mustPD(t, "hub", "import-outcomes", "--db", hubPath, outFile); !strings.Contains(out, "0 updates queued, 9 already queued") {
		t.Fatalf("re-import: %s", out)
	}

	for _, d := range []*device{a, b} {
		d.syncUntilQuiet() // updates come down, their events go up
	}
	assertExactlyOnce(t, hubPath, a, b)

	for _, c := range []struct {
		d   *device
		ids []string
	}{{a, idsA}, {b, idsB}} {
		wantAcc := domain.StateAccepted
		if c.d == a {
			wantAcc = domain.StateResultReady
		}
		if got := c.d.dossier(c.ids[0]); got.State != wantAcc || got.OfficialCode != codes[c.ids[0]] || got.DueDate == nil ||
			domain.FormatDate(*got.DueDate) != "20/03/2026" {
			t.Errorf("%s %s: %s %q %v", c.d.id, c.ids[0], got.State, got.OfficialCode, got.DueDate)
		}
		if got := c.d.dossier(c.ids[1]); got.State != domain.StateAccepted {
			t.Errorf("%s %s: %s", c.d.id, c.ids[1], got.State)
		}
		if got := c.d.dossier(c.ids[2]); got.State != domain.StateSupplementRequested || len(got.Supplement) != 2 {
			t.Errorf("%s %s: %s %v", c.d.id, c.ids[2], got.State, got.Supplement)
		}
		if got := c.d.dossier(c.ids[3]); got.State != domain.StateRejected || got.RejectReason != "Không đủ điều kiện theo quy định" {
			t.Errorf("%s %s: %s %q", c.d.id, c.ids[3], got.State, got.RejectReason)
		}
		if got := c.d.dossier(c.ids[4]); got.State != domain.StateAtAgency {
			t.Errorf("%s %s untouched: %s", c.d.id, c.ids[4], got.State)
		}
	}
	// The clerk finds the result-only registration by its official code.
	var res struct {
		Dossiers []struct {
			Receipt, State, Option, Applicant string
			OfficialCode                      string `json:"official_code"`
		}
	}
	out = mustPD(t, "find", "--db", a.db, "000.00.20.H21-260301-0042", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("find --json: %v\n%s", err, out)
	}
	found := res.Dossiers
	if len(found) != 1 || found[0].State != string(domain.StateResultReady) || found[0].Option != string(domain.OptionReturnOnly) ||
		found[0].Applicant != "Ksor Y Bhin" || !strings.HasPrefix(found[0].Receipt, "600900A-") {
		t.Fatalf("result-only at 600900: %+v", found)
	}
	if out, err := pd(t, "find", "--db", b.db, "000.00.20.H21-260301-0042", "--json"); err == nil || strings.Contains(out, "Ksor Y Bhin") {
		t.Fatal("the other post point registered 600900's result too")
	}
	// The hub's projection follows the devices' events.
	db := hubDB(t, hubPath)
	if n := queryInt(t, db, "SELECT count(*) FROM hub_dossiers WHERE state = 'accepted' AND official_code <> '' AND id IN (?, ?)", idsA[1], idsB[0]); n != 2 {
		t.Fatalf("hub_dossiers: %d of 2 accepted", n)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM hub_dossiers WHERE option = 'return' AND official_code IN ('000.00.20.H21-260301-0042', '000.00.20.H21-260301-0043')"); n != 2 {
		t.Fatalf("hub_dossiers: %d of 2 result-only registrations", n)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM updates WHERE device_id = ''"); n != 0 {
		t.Fatalf("%d result-only registrations not taken", n)
	}
	// hub status --json agrees.
	var st struct {
		PostPoints []struct {
			Code    string
			Devices []struct {
				ID     string
				Events int64
			}
		} `json:"post_points"`
		Conflicts int
	}
	json.Unmarshal([]byte(mustPD(t, "hub", "status", "--db", hubPath, "--json")), &st)
	if len(st.PostPoints) != 2 || st.PostPoints[0].Devices[0].Events != a.lastSeq() || st.PostPoints[1].Devices[0].Events != b.lastSeq() {
		t.Fatalf("hub status: %+v", st)
	}
	// SIGTERM: the hub finishes what it is doing and exits cleanly; the
	// file is whole.
	h.stop()
	if out := mustPD(t, "hub", "check", "--db", hubPath); !strings.HasPrefix(out, "ok:") {
		t.Fatalf("hub check after shutdown: %s", out)
	}
}

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
)

// pdIn runs postdesk with stdin as its standard input.
func pdIn(t testing.TB, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("postdesk %s: %v\n%s", strings.Join(args, " "), err, quietStderr(errb.String()))
	}
	return out.String(), nil
}

func (d *device) signIn(user, pin string) error {
	_, err := pdIn(d.t, pin+"\n", "signin", "--db", d.db, "--username", user)
	return err
}

// TestPostPointSharesStaffCatalogTotals: an account, a catalog edit and the
// all-channel totals made on the counter (A) reach the laptop (B) through
// the hub: the clerk signs in on B with the PIN set on A, B runs A's catalog
// edit and counts A's totals, and both report the same figures. With the
// hub stopped, a second account reaches B by a peer file.
func TestPostPointSharesStaffCatalogTotals(t *testing.T) {
	dir := t.TempDir()
	hubPath := filepath.Join(dir, "HUB.db")
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600940", "A", 5, 41)
	b := newDevice(t, dir, "600940", "B", 5, 42)
	for _, d := range []*device{a, b} {
		d.enroll(h, h.URL)
	}
	for _, d := range []*device{a, b} {
		d.syncUntilQuiet() // keys known everywhere
	}
	// The hub's communes list: post point 600940 is commune Ia O's, whose
	// own agencies are the commune's People's Committee and police (so the
	// hub counts their procedures and totals for it, §11.5); the
	// province's departments are no commune's.
	sample, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	var communes strings.Builder
	communes.WriteString("commune,post_point_code,agency_code\n")
	own := map[string]bool{}
	for _, ag := range sample.Agencies {
		if strings.HasSuffix(ag.Code, ".50.H21") {
			fmt.Fprintf(&communes, "Ia O,600940,%s\n", ag.Code)
			own[ag.Code] = true
		}
	}
	var province domain.Procedure // a department's procedure: not counted for the post point
	for _, p := range sample.Procedures {
		if !own[p.AgencyCode] && p.BCCIIntake {
			province = p
			break
		}
	}
	if len(own) != 2 || province.Code == "" {
		t.Fatalf("the sample catalog changed: commune agencies %v, a department's procedure %q", own, province.Code)
	}
	communesFile := filepath.Join(dir, "xa.csv")
	os.WriteFile(communesFile, []byte(communes.String()), 0o600)
	mustPD(t, "hub", "report", "import-communes", "--db", hubPath, communesFile)

	if out, err := pdIn(t, "2468\n", "staff", "add", "--db", a.db, "--username", "gdv9", "--name", "Nay H'Linh", "--role", "clerk", "--by", "truong"); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(out, "account gdv9 added") {
		t.Fatalf("staff add: %s", out)
	}
	if err := b.signIn("gdv9", "2468"); err == nil {
		t.Fatal("B signs in gdv9 before any sync")
	}
	// A catalog edit on A: one procedure renamed with another fee.
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	p := f.Procedures[0]
	p.Name, p.Fee, p.FeeKnown = p.Name+" (xã sửa)", 12000, true
	var buf bytes.Buffer
	if err := catalog.WriteProceduresCSV(&buf, []domain.Procedure{p}); err != nil {
		t.Fatal(err)
	}
	procs := filepath.Join(dir, "sua.csv")
	os.WriteFile(procs, buf.Bytes(), 0o600)
	mustPD(t, "catalog", "import", "--db", a.db, "--staff", "truong", procs)
	// The all-channel totals, imported on A: the commune's agency's and a
	// department's. Both devices hold both; the post point's report
	// counts the commune's only, on the devices as at the hub.
	month := domain.MonthOf(time.Now().AddDate(0, -1, 0))
	mm := month.Start().Format("01/2006")
	totals := filepath.Join(dir, "tong.csv")
	os.WriteFile(totals, []byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		fmt.Sprintf("%s,%s,%s,%s,%s,900,800\n", mm, mm, p.Code, p.AgencyCode, mm)+
		fmt.Sprintf("%s,%s,%s,%s,%s,5000,4000\n", mm, mm, province.Code, province.AgencyCode, mm)), 0o600)
	mustPD(t, "report", "totals", "import", "--db", a.db, "--staff", "truong", totals)
	// A dossier of the department's procedure: counted by neither.
	if err := a.intakeOf(province.Code); err != nil {
		t.Fatal(err)
	}

	a.syncUntilQuiet()
	b.syncUntilQuiet()
	if err := b.signIn("gdv9", "2468"); err != nil {
		t.Fatalf("B: the account made on A with its PIN: %v", err)
	}
	if err := b.signIn("gdv9", "1111"); err == nil {
		t.Fatal("B signs gdv9 in with a wrong PIN")
	}
	sb := b.open()
	got, err := sb.Procedure(context.Background(), p.Code)
	if err != nil || got.Name != p.Name || got.Fee != 12000 {
		t.Fatalf("B's procedure %s: %q %d %v", p.Code, got.Name, got.Fee, err)
	}
	rows, err := sb.Totals(context.Background(), month, month)
	sb.Close()
	if err != nil || len(rows) != 2 || rows[0].Dossiers+rows[1].Dossiers != 5900 {
		t.Fatalf("B's totals for %s: %+v %v", month, rows, err)
	}
	if out := mustPD(t, "report", "totals", "list", "--db", b.db); !strings.Contains(out, "tong.csv") {
		t.Fatalf("B's totals imports: %s", out)
	}
	sameKPI(t, hubPath, "600940", a, b)

	// The province imports totals at the hub for the same month: a later
	// change of A's cell and a cell of another agency. They go down to A
	// and B (the commune's post point), and all three count them.
	other := f.Procedures[len(f.Procedures)-1]
	hubTotals := filepath.Join(dir, "tong-tinh.csv")
	os.WriteFile(hubTotals, []byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		fmt.Sprintf("%s,%s,%s,%s,%s,1000,950\n", mm, mm, p.Code, p.AgencyCode, mm)+
		fmt.Sprintf("%s,%s,%s,%s,%s,70,60\n", mm, mm, other.Code, other.AgencyCode, mm)), 0o600)
	mustPD(t, "hub", "report", "import-totals", "--db", hubPath, "--staff", "so-tttt", hubTotals)
	a.syncUntilQuiet()
	b.syncUntilQuiet()
	for _, d := range []*device{a, b} {
		sd := d.open()
		rows, err := sd.Totals(context.Background(), month, month)
		sd.Close()
		got := map[string]int64{}
		for _, r := range rows {
			got[r.Procedure] = r.Dossiers
		}
		if err != nil || len(rows) != 3 || got[p.Code] != 1000 || got[other.Code] != 70 || got[province.Code] != 5000 {
			t.Fatalf("%s's totals after the province's import: %+v %v", d.id, rows, err)
		}
	}
	sameKPI(t, hubPath, "600940", a, b)

	// The hub is down: a second account reaches B by a peer file.
	h.stop()
	if _, err := pdIn(t, "13579\n", "staff", "add", "--db", a.db, "--username", "bt2", "--name", "Siu Thị Hoa", "--role", "postal_worker"); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "A-to-B.pdpeer")
	mustPD(t, "peer", "export", "--db", a.db, "--to", b.id, "--out", file)
	mustPD(t, "peer", "import", "--db", b.db, file)
	if err := b.signIn("bt2", "13579"); err != nil {
		t.Fatalf("B: the account made on A with the hub down: %v", err)
	}
	if out := mustPD(t, "staff", "list", "--db", b.db); !strings.Contains(out, "bt2\tpostal_worker\tactive\tSiu Thị Hoa") {
		t.Fatalf("B's staff: %s", out)
	}
	a.check()
	b.check()
}

// sameKPI fails unless the figures of devices equal each other and the
// hub's line for post point pp, denominators included; the hub projects
// what the devices pushed in the background, so it is given a few seconds.
func sameKPI(t *testing.T, hubPath, pp string, devices ...*device) {
	t.Helper()
	want := deviceKPI(t, devices[0])
	for _, d := range devices[1:] {
		if got := deviceKPI(t, d); got != want {
			t.Fatalf("reports differ:\n%s %s\n%s %s", devices[0].id, want, d.id, got)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := hubKPI(t, hubPath, pp)
		if got == want {
			t.Logf("%s and the hub: %s", pp, got)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's figures for %s differ:\ndevices %s\nhub     %s", pp, want, got)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

package hubcli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/receipt"
	"postdesk/internal/testtool"
)

// Two citizens: the one who asks for their data, and another.
const (
	askerID, askerName = "064301000123", "Rơ Mah H'Bích" // hubtest's Intake
	otherID, otherName = "052190004567", "Trần Văn Khánh"
)

// intakeOf adds an intake for another citizen.
func intakeOf(d *hubtest.Device, name, id string) string {
	n := d.Intake()
	ev := &d.Events[len(d.Events)-1]
	var doss domain.Dossier
	json.Unmarshal(ev.Payload, &doss)
	doss.Applicant.FullName, doss.Applicant.IDNumber = name, id
	d.Events = d.Events[:len(d.Events)-1]
	d.Add(domain.KindIntake, n, doss)
	return n
}

// citizenHub is a hub with the asker's dossiers at two post points (one
// opened on the device, so its access log names it) and another citizen's.
func citizenHub(t *testing.T) (db string, mine []string, other string) {
	t.Helper()
	ctx := context.Background()
	s := hubtest.Open(t)
	a, b := hubtest.NewDevice(t, "600900", "A"), hubtest.NewDevice(t, "600901", "A")
	a.Enroll(t, s)
	b.Enroll(t, s)
	mine = append(mine, a.Intake())
	a.Handover(mine[0])
	other = intakeOf(a, otherName, otherID)
	mine = append(mine, b.Intake())
	b.Add(domain.KindAccess, "", domain.AccessPayload{What: domain.AccessView, Dossiers: []string{mine[1]}})
	for _, d := range []*hubtest.Device{a, b} {
		if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Project(ctx); err != nil {
		t.Fatal(err)
	}
	return s.Path(), mine, other
}

func hubRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestHubCitizenExport: `hub citizen export` writes, as PDF and JSON, the
// asker's dossiers of every post point with their events, and none of the
// other citizen's (ID and name absent, checked in the PDF's text); each
// export is in the hub's access log, which `hub access` shows per dossier
// (with the post point's own view of it) and per user; a bad number is
// refused with nothing written.
func TestHubCitizenExport(t *testing.T) {
	testtool.Need(t, "pdftotext")
	db, mine, other := citizenHub(t)
	dir := t.TempDir()
	pdf, js := filepath.Join(dir, "c.pdf"), filepath.Join(dir, "c.json")
	for _, out := range []string{pdf, js} {
		if code, stdout, errs := hubRun(t, "citizen", "export", "--db", db, "--cccd", askerID, "--out", out, "--staff", "ksv"); code != 0 ||
			!strings.Contains(stdout, "2 dossiers") {
			t.Fatalf("hub citizen export %s: %d %s %s", out, code, stdout, errs)
		}
	}
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"PDF": string(text), "JSON": string(raw)} {
		for _, want := range append([]string{askerID, askerName}, mine...) {
			if !strings.Contains(body, want) {
				t.Errorf("the %s lacks %q", name, want)
			}
		}
		for _, not := range []string{otherID, otherName, other} {
			if strings.Contains(body, not) {
				t.Errorf("the %s holds the other citizen's %q", name, not)
			}
		}
	}
	var data receipt.CitizenExport
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Dossiers) != 2 || len(data.Dossiers[0].Events) == 0 || data.Scope == "" {
		t.Fatalf("JSON export: %d dossiers, scope %q", len(data.Dossiers), data.Scope)
	}
	if code, _, errs := hubRun(t, "citizen", "export", "--db", db, "--cccd", "0643", "--out", filepath.Join(dir, "bad.json")); code == 0 ||
		!strings.Contains(errs, "12") {
		t.Fatalf("a 4-digit number: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); !os.IsNotExist(err) {
		t.Fatal("a refused export wrote a file")
	}

	var log []hubstore.AccessEntry
	code, stdout, errs := hubRun(t, "access", "--db", db, "--dossier", mine[1], "--json")
	if code != 0 || json.Unmarshal([]byte(stdout), &log) != nil {
		t.Fatalf("hub access: %d %s %s", code, stdout, errs)
	}
	var exports, deviceViews int
	for _, e := range log {
		switch {
		case e.What == domain.AccessExport && e.User == "ksv" && e.Via == hubstore.ViaCLI:
			exports++
		case e.What == domain.AccessView && e.Device == "600901-A" && e.Via == hubstore.ViaDevice:
			deviceViews++
		default:
			t.Errorf("unexpected line in %s's log: %+v", mine[1], e)
		}
	}
	if exports != 2 || deviceViews != 1 {
		t.Fatalf("%s's log: %d hub exports (want 2), %d device views (want 1): %+v", mine[1], exports, deviceViews, log)
	}
	code, stdout, _ = hubRun(t, "access", "--db", db, "--dossier", other)
	if code != 0 || strings.TrimSpace(stdout) != "" {
		t.Fatalf("the other citizen's dossier has log lines: %q", stdout)
	}
	code, stdout, _ = hubRun(t, "access", "--db", db, "--user", "ksv")
	if lines := strings.Split(strings.TrimSpace(stdout), "\n"); code != 0 || len(lines) != 2 || !strings.Contains(lines[0], "hub cli") {
		t.Fatalf("ksv's log: %q", stdout)
	}
	if code, stdout, errs := hubRun(t, "check", "--db", db); code != 0 {
		t.Fatalf("hub check after the exports: %s %s", stdout, errs)
	}
}

package hubcli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

// TestHubPurgeCommand: `hub purge --days N` on a hub whose dossiers were
// done two years ago (and one today): the dry run lists them and changes
// nothing, the purge removes the citizens (the citizen export finds none),
// `hub report kpi` is the same file before and after, `hub check` passes
// and counts the redacted events, a second purge purges nothing.
func TestHubPurgeCommand(t *testing.T) {
	ctx := context.Background()
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	d.Clock = time.Now().AddDate(-2, 0, 0)
	var old []string
	for i := 0; i < 3; i++ {
		id := d.Intake()
		d.Add(domain.KindCancel, id, domain.ReasonPayload{Reason: "rút"})
		old = append(old, id)
	}
	d.Clock = time.Now().Add(-time.Hour)
	recent := intakeOf(d, otherName, otherID)
	d.Add(domain.KindCancel, recent, domain.ReasonPayload{Reason: "rút"})
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
		t.Fatal(err)
	}
	db := s.Path()
	s.Close()

	dir := t.TempDir()
	from, to := domain.FormatDate(time.Now().AddDate(-3, 0, 0)), domain.FormatDate(time.Now())
	kpi := func(name string) []byte {
		out := filepath.Join(dir, name)
		if code, _, errs := hubRun(t, "report", "kpi", "--db", db, "--from", from, "--to", to, "--by", "post-point", "--format", "csv", "--out", out); code != 0 {
			t.Fatalf("report kpi: %d %s", code, errs)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	purge := func(args ...string) hubstore.HubPurgeReport {
		t.Helper()
		code, stdout, errs := hubRun(t, append([]string{"purge", "--db", db, "--json"}, args...)...)
		if code != 0 || errs != "" {
			t.Fatalf("hub purge %v: %d %s", args, code, errs)
		}
		var rep hubstore.HubPurgeReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v: %s", err, stdout)
		}
		return rep
	}
	exported := func(id string) int {
		out := filepath.Join(dir, "c.json")
		if code, _, errs := hubRun(t, "citizen", "export", "--db", db, "--cccd", id, "--out", out); code != 0 {
			t.Fatalf("citizen export: %s", errs)
		}
		b, _ := os.ReadFile(out)
		var ex struct{ Dossiers []json.RawMessage }
		if err := json.Unmarshal(b, &ex); err != nil {
			t.Fatal(err)
		}
		return len(ex.Dossiers)
	}
	before := kpi("before.csv")
	if n := exported(askerID); n != 3 {
		t.Fatalf("before: %d dossiers of the asker", n)
	}
	if rep := purge("--days", "365", "--dry-run"); !reflect.DeepEqual(rep.Dossiers, old) || rep.Events != 0 || !rep.DryRun {
		t.Fatalf("dry run: %+v", rep)
	}
	if n := exported(askerID); n != 3 {
		t.Fatalf("the dry run purged: %d dossiers left", n)
	}
	if rep := purge(); !reflect.DeepEqual(rep.Dossiers, old) || rep.Events != 3 || rep.Days != 365 {
		t.Fatalf("purge: %+v", rep)
	}
	if n := exported(askerID); n != 0 {
		t.Fatalf("after: %d dossiers of the asker", n)
	}
	if n := exported(otherID); n != 1 {
		t.Fatalf("the recent dossier: %d", n)
	}
	if after := kpi("after.csv"); string(after) != string(before) {
		t.Fatalf("report kpi changed:\n%s\n%s", before, after)
	}
	code, stdout, errs := hubRun(t, "check", "--db", db, "--json")
	var chk struct {
		OK       bool `json:"ok"`
		Redacted int  `json:"redacted"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &chk) != nil || !chk.OK || chk.Redacted != 3 {
		t.Fatalf("hub check: %d %s %s", code, stdout, errs)
	}
	if rep := purge(); len(rep.Dossiers) != 0 || rep.Events != 0 {
		t.Fatalf("second purge: %+v", rep)
	}
	if code, stdout, _ := hubRun(t, "purge", "--db", db, "--days", "0"); code != 0 || !strings.Contains(stdout, "keep for ever") {
		t.Fatalf("--days 0: %d %s", code, stdout)
	}
	if code, _, errs := hubRun(t, "purge", "--db", db, "--days", "40000"); code != 1 || !strings.Contains(errs, "36500") {
		t.Fatalf("--days 40000: %d %s", code, errs)
	}
}

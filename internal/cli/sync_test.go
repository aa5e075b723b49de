package cli

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/desk"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
)

func statusJSON(t *testing.T, db string) statusReport {
	t.Helper()
	code, out, errs := run(t, "status", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	var rep statusReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	return rep
}

func TestDeviceSyncCommands(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "device.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "40", "--seed", "3"); code != 0 {
		t.Fatal(errs)
	}
	rep := statusJSON(t, db)
	if rep.Enrolled || rep.Device != desk.DemoPostPoint.Code+"-A" || rep.EventsWaiting != rep.Events || rep.Events == 0 {
		t.Fatalf("before enrollment: %+v", rep)
	}
	if code, _, errs := run(t, "sync", "--db", db); code != 1 || !strings.Contains(errs, "not enrolled") {
		t.Fatalf("sync before enrollment: %d %q", code, errs)
	}

	hs, err := hubstore.Open(filepath.Join(dir, "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	srv := httptest.NewServer(hubweb.NewServer(hs, hubweb.Options{}))
	defer srv.Close()
	tok, err := hs.IssueToken(ctx, desk.DemoPostPoint.Code, desk.DemoPostPoint.Name, "test")
	if err != nil {
		t.Fatal(err)
	}
	if code, _, errs := run(t, "enroll", "--db", db, "--hub", srv.URL, "--token", "WRONG-TOKEN"); code != 1 || !strings.Contains(errs, "bad_token") {
		t.Fatalf("wrong token: %d %q", code, errs)
	}
	if code, out, errs := run(t, "enroll", "--db", db, "--hub", srv.URL, "--token", tok.Token); code != 0 || !strings.Contains(out, "enrolled") {
		t.Fatalf("enroll: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "sync", "--db", db); code != 0 || !strings.HasPrefix(out, "synced:") {
		t.Fatalf("sync: %d %q %q", code, out, errs)
	}
	rep = statusJSON(t, db)
	if !rep.Enrolled || rep.EventsWaiting != 0 || rep.AckedThrough != rep.Events || rep.LastSuccess == nil || rep.LastRound == nil {
		t.Fatalf("after sync: %+v", rep)
	}

	// USB: more work, export, the province imports, the reply comes back twice.
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "5", "--seed", "4"); code != 0 {
		t.Fatal(errs)
	}
	file := filepath.Join(dir, "out.pdsync")
	if code, out, errs := run(t, "batch", "export", "--db", db, "--out", file); code != 0 || !strings.Contains(out, "events") {
		t.Fatalf("export: %d %q %q", code, out, errs)
	}
	reply := filepath.Join(dir, "out.pdreply")
	if code, out, errs := run(t, "hub", "import", "--db", filepath.Join(dir, "hub.db"), file, "--reply", reply); code != 0 {
		t.Fatalf("hub import: %d %q %q", code, out, errs)
	}
	for i := 0; i < 2; i++ {
		if code, out, errs := run(t, "batch", "import", "--db", db, reply); code != 0 || !strings.Contains(out, "imported") {
			t.Fatalf("import %d: %d %q %q", i, code, out, errs)
		}
	}
	after := statusJSON(t, db)
	if after.EventsWaiting != 0 || after.Events <= rep.Events {
		t.Fatalf("after the USB round trip: %+v", after)
	}
	data, _ := os.ReadFile(reply)
	os.WriteFile(reply, data[:len(data)-7], 0o600)
	if code, _, errs := run(t, "batch", "import", "--db", db, reply); code != 1 || !strings.Contains(errs, "refused whole") {
		t.Fatalf("truncated reply: %d %q", code, errs)
	}
	if code, out, _ := run(t, "status", "--db", db); code != 0 || !strings.Contains(out, "waiting 0") {
		t.Fatalf("status text: %q", out)
	}
}

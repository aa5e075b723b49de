package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/hub/hubtest"
)

// TestPeerFileWithoutHub: the hub is down; the counter (A) takes a dossier
// and writes a peer file for the laptop (B); B imports it and finds the
// dossier. A tampered, truncated or foreign file is refused whole, the same
// file twice changes nothing. When the hub is back, B brings A's events to
// it first; A's own push afterwards stores nothing twice.
func TestPeerFileWithoutHub(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600900", "A", 5, 1)
	b := newDevice(t, dir, "600900", "B", 5, 2)
	c := newDevice(t, dir, "600900", "C", 1, 3)
	for _, d := range []*device{a, b, c} {
		d.enroll(h, h.URL)
	}
	for _, d := range []*device{a, b, c} {
		d.syncUntilQuiet() // keys known everywhere
	}
	h.stop()
	ids := a.intakes(2, "Ksor Y Bhin", "0640900012")
	file := filepath.Join(dir, "A-to-B.pdpeer")
	mustPD(t, "peer", "export", "--db", a.db, "--to", b.id, "--out", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"tampered":  append(append([]byte{}, data[:len(data)/2]...), append([]byte{data[len(data)/2] ^ 1}, data[len(data)/2+1:]...)...),
		"truncated": data[:len(data)-20],
	}
	for name, body := range bad {
		p := filepath.Join(dir, name+".pdpeer")
		os.WriteFile(p, body, 0o600)
		if out, err := pd(t, "peer", "import", "--db", b.db, p); err == nil {
			t.Fatalf("%s file imported: %s", name, out)
		}
	}
	// A file made for B, given to C: foreign.
	if out, err := pd(t, "peer", "import", "--db", c.db, file); err == nil || !strings.Contains(out+err.Error(), "another") {
		t.Fatalf("a file for B imported on C: %s %v", out, err)
	}
	if n := queryInt(t, hubDB(t, b.db), "SELECT count(*) FROM events WHERE dossier = ?", ids[0]); n != 0 {
		t.Fatalf("refused files left %d events on B", n)
	}
	if out := mustPD(t, "peer", "import", "--db", b.db, file); !strings.Contains(out, "imported from 600900-A") {
		t.Fatalf("import: %s", out)
	}
	if out := mustPD(t, "peer", "import", "--db", b.db, file); !strings.Contains(out, "already imported") {
		t.Fatalf("second import: %s", out)
	}
	for _, q := range []string{ids[0], "064090001201", "ksor y bhin"} {
		if out := mustPD(t, "find", "--db", b.db, q); !strings.Contains(out, ids[0]) {
			t.Fatalf("find %q on B with the hub down: %s", q, out)
		}
	}
	b.check()
	// And back: B's file for A; then both hold both logs and report alike.
	back := filepath.Join(dir, "B-to-A.pdpeer")
	mustPD(t, "peer", "export", "--db", b.db, "--to", a.id, "--out", back)
	mustPD(t, "peer", "import", "--db", a.db, back)
	a.check()
	if ra, rb := deviceKPI(t, a), deviceKPI(t, b); ra != rb {
		t.Fatalf("reports differ with the hub down:\nA %s\nB %s", ra, rb)
	}

	// B's file for C hands A's events on (in A's own signed batches): C
	// finds A's dossier with the hub still down, and never met A.
	toC := filepath.Join(dir, "B-to-C.pdpeer")
	if out := mustPD(t, "peer", "export", "--db", b.db, "--to", c.id, "--out", toC); !strings.Contains(out, "of other devices") {
		t.Fatalf("export for C: %s", out)
	}
	mustPD(t, "peer", "import", "--db", c.db, toC)
	if out := mustPD(t, "find", "--db", c.db, ids[0]); !strings.Contains(out, ids[0]) {
		t.Fatalf("C does not find A's dossier through B's file: %s", out)
	}
	if n, want := queryInt(t, hubDB(t, c.db), "SELECT count(*) FROM events WHERE device_id = ?", a.id), a.lastSeq(); n != want {
		t.Fatalf("C holds %d of A's events, A has %d", n, want)
	}
	c.check()

	// The hub is back: B brings A's events first, then A pushes its own.
	h.restart()
	b.syncUntilQuiet()
	hub := hubDB(t, hubPath)
	if got, want := queryInt(t, hub, "SELECT count(*) FROM hub_events WHERE device_id = ?", a.id), a.lastSeq(); got != want {
		t.Fatalf("the hub holds %d of A's events after B's round, A has %d", got, want)
	}
	a.syncUntilQuiet()
	c.syncUntilQuiet()
	assertExactlyOnce(t, hubPath, a, b, c)
	if out := mustPD(t, "find", "--db", c.db, ids[1]); !strings.Contains(out, ids[1]) {
		t.Fatalf("C does not find A's dossier through the hub: %s", out)
	}
	ra, rb := deviceKPI(t, a), deviceKPI(t, b)
	if rh := hubKPI(t, hubPath, "600900"); ra != rb || ra != rh {
		t.Fatalf("reports differ:\nA   %s\nB   %s\nhub %s", ra, rb, rh)
	}
}

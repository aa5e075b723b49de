package devicesync

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// catchUpPages is the log of three seeded devices of post point 600900,
// in batches of 100 events, two batches an answer: many answers, as the
// hub pages a catch-up.
func catchUpPages(t testing.TB, dir string) (devs []*store.Store, pages [][]*syncproto.Batch, events int) {
	t.Helper()
	for i, l := range []string{"A", "B", "C"} {
		s := benchPostPoint(t, dir, l, 400, uint64(i+11))
		var after int64
		for {
			b := ownBatch(t, s, after, 100)
			if b.Header.Count == 0 {
				break
			}
			if len(pages) == 0 || len(pages[len(pages)-1]) == 2 {
				pages = append(pages, nil)
			}
			pages[len(pages)-1] = append(pages[len(pages)-1], b)
			after = b.Header.LastSeq
		}
		devs, events = append(devs, s), events+int(after)
	}
	return devs, pages, events
}

// freshDevice is a new device F of the post point that knows devs' keys.
func freshDevice(t testing.TB, dir string, devs []*store.Store) (*store.Store, string) {
	t.Helper()
	s := benchPostPoint(t, dir, "F", 0, 0)
	for _, d := range devs {
		knows(t, s, d)
	}
	return s, filepath.Join(dir, "pp-F.db")
}

// catchUpAll applies every page as pullPeers does (bulk after the first
// answer that says more follow) and builds the projection.
func catchUpAll(t testing.TB, s *store.Store, pages [][]*syncproto.Batch) int {
	t.Helper()
	n, _ := catchUpTimed(t, s, pages)
	return n
}

// catchUpTimed is catchUpAll, also returning how long the projection's
// rebuild at the end took.
func catchUpTimed(t testing.TB, s *store.Store, pages [][]*syncproto.Batch) (int, time.Duration) {
	t.Helper()
	cu := &catchUp{s: s}
	got := 0
	for i, p := range pages {
		res, err := cu.page(ctx, p, i < len(pages)-1)
		if err != nil || res.Refused != 0 {
			t.Fatalf("page %d: %+v %v", i, res, err)
		}
		got += res.Events
	}
	start := time.Now()
	if err := cu.finish(ctx); err != nil {
		t.Fatal(err)
	}
	return got, time.Since(start)
}

// dump is what a catch-up leaves: every event, every dossier's projection,
// the name keys and the counts the triggers keep.
func dump(t testing.TB, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT device_id || ':' || seq || ':' || hex(hash) FROM events WHERE device_id <> '600900-F' ORDER BY device_id, seq", // F's own setup differs by its clock
		"SELECT id || ' ' || state || ' ' || name_fold || ' ' || in_conflict || ' ' || hex(data) FROM dossiers ORDER BY id",
		"SELECT dossier || ' ' || key FROM dossier_name_keys ORDER BY dossier, key",
		"SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type, name",
		"SELECT state || ' ' || n FROM dossier_state_counts WHERE n > 0 ORDER BY state", // the bulk rebuild derives them again
		"SELECT count(*) FROM dossiers",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// TestCatchUpSurvivesAKill: a new device catching up in bulk is killed
// (SIGKILL, a power cut) in the middle, its projection left stale; opened
// again, the projection is built before anything reads it and `check`
// passes; the catch-up resumes and ends exactly as one not killed, and as
// one that projected every answer as it came.
func TestCatchUpSurvivesAKill(t *testing.T) {
	if dir := os.Getenv("POSTDESK_CATCHUP_CHILD"); dir != "" {
		catchUpChild(t, dir)
		return
	}
	dir := t.TempDir()
	devs, pages, events := catchUpPages(t, dir)
	if len(pages) < 8 {
		t.Fatalf("only %d answers: the test needs a catch-up of many", len(pages))
	}
	for i, p := range pages {
		var envs [][]byte
		for _, b := range p {
			envs = append(envs, b.Raw)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("page-%03d", i)), syncproto.EncodePeerStream(envs, i < len(pages)-1), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// Not killed: in bulk, and answer by answer (projected as they come).
	refDir, incDir := filepath.Join(dir, "ref"), filepath.Join(dir, "inc")
	os.Mkdir(refDir, 0o700)
	os.Mkdir(incDir, 0o700)
	ref, refPath := freshDevice(t, refDir, devs)
	if got := catchUpAll(t, ref, pages); got != events {
		t.Fatalf("%d events stored of %d", got, events)
	}
	inc, incPath := freshDevice(t, incDir, devs)
	for _, p := range pages {
		if _, err := ApplyPeerBatches(ctx, inc, p, "hub"); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []*store.Store{ref, inc} {
		if _, err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	want := dump(t, refPath)
	if got := dump(t, incPath); got != want {
		t.Fatal("the bulk catch-up and the one answer by answer differ")
	}

	// Killed after its third answer is stored, somewhere in the fourth.
	fresh, path := freshDevice(t, dir, devs)
	fresh.Close()
	cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestCatchUpSurvivesAKill$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POSTDESK_CATCHUP_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "stored 2" {
	}
	cmd.Process.Kill()
	cmd.Wait()

	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var mark string
	var held int
	if err := raw.QueryRow("SELECT value FROM meta WHERE key = 'projection_stale_from'").Scan(&mark); err != nil {
		t.Fatalf("no stale mark after the kill: %v", err)
	}
	raw.QueryRow("SELECT count(*) FROM events WHERE device_id <> '600900-F'").Scan(&held)
	raw.Close()
	if held == 0 || held >= events {
		t.Fatalf("the kill left %d of %d events: not in the middle", held, events)
	}
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if stale, err := s.ProjectionStale(ctx); err != nil || stale {
		t.Fatalf("opened after the kill, the projection is still stale (%v)", err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("check after the kill: %v", err)
	}
	n, err := s.CountDossiers(ctx, store.Filter{})
	if err != nil || n == 0 {
		t.Fatalf("after the kill %d dossiers projected (%v)", n, err)
	}
	// Resumed: the hub answers again from what is held.
	if got := catchUpAll(t, s, pages); got != events-held {
		t.Fatalf("resumed: %d events stored, want %d", got, events-held)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if got := dump(t, path); got != want {
		t.Fatal("the catch-up killed and resumed differs from the one not killed")
	}
}

// catchUpChild is the process killed: it catches up from the answers in
// dir, saying each one stored.
func catchUpChild(t *testing.T, dir string) {
	s, err := store.Open(filepath.Join(dir, "pp-F.db"))
	if err != nil {
		t.Fatal(err)
	}
	cu := &catchUp{s: s}
	for i := 0; ; i++ {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("page-%03d", i)))
		if os.IsNotExist(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		batches, more, err := syncproto.DecodePeerStream(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cu.page(ctx, batches, more); err != nil {
			t.Fatal(err)
		}
		fmt.Printf("stored %d\n", i)
	}
	if err := cu.finish(ctx); err != nil {
		t.Fatal(err)
	}
}

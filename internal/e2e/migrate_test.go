package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

// TestHubMigrateToPostgres: a hub file in use (two post points, outcomes
// and a result-only registration, conflicts, a spare token, a staff user,
// an API token) is copied with `hub migrate` into an empty PostgreSQL
// database; `hub check` on both says the same (counts and digest), every
// table holds the same rows, a second move into the now full database is
// refused without touching it, and the devices go on syncing with the hub
// served from PostgreSQL (same keys, ids continuing).
func TestHubMigrateToPostgres(t *testing.T) {
	if !hubtest.Postgres() {
		t.Skip("needs the PostgreSQL run (" + hubtest.StoreEnv + "=postgres)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "HUB.db")
	h := startHub(t, file, "127.0.0.1:0")
	a := newDevice(t, dir, "600900", "A", 30, 1)
	b := newDevice(t, dir, "600901", "A", 30, 2)
	a.enroll(h, h.URL)
	b.enroll(h, h.URL)
	ids := a.work(3)
	b.work(2)
	for _, d := range []*device{a, b} {
		if err := d.sync(); err != nil {
			t.Fatal(err)
		}
	}
	csv := filepath.Join(dir, "kq.csv")
	os.WriteFile(csv, []byte(fmt.Sprintf("receipt,outcome,official_code,due_date,reason\n%s,accepted,000.00.20.H21-260302-0501,25/03/2026,\n%s,rejected,,,Thiếu giấy tờ\n", ids[0], ids[1])+
		""), 0o600)
	mustPD(t, "hub", "import-outcomes", "--db", file, csv)
	for _, d := range []*device{a, b} {
		d.syncUntilQuiet()
	}
	h.stop()
	mustPD(t, "hub", "token", "--db", file, "--post-point", "600902")
	mustPD(t, "hub", "user", "add", "--db", file, "--username", "tinh", "--password", "mat-khau-tinh-GL")
	mustPD(t, "hub", "api-token", "--db", file, "--name", "mot-cua")
	// a forked device sends another event 2: a conflict kept at the hub
	hs, err := hubstore.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	f := hubtest.NewDevice(t, "600903", "A")
	f.Enroll(t, hs)
	f.Intake()
	f.Intake()
	if _, err := hs.ReceiveBatch(ctx, f.Batch(t, 1, 2), "http"); err != nil {
		t.Fatal(err)
	}
	fork := *f
	fork.Events = append([]domain.Event(nil), f.Events[:1]...)
	fork.Clock = f.Clock.Add(time.Hour)
	fork.N = 10
	fork.Intake()
	if _, err := hs.ReceiveBatch(ctx, fork.Batch(t, 2, 2), "http"); !hubstore.IsRefusal(err) {
		t.Fatalf("the fork's batch: %v", err)
	}
	hs.Close()

	pg := hubtest.NewPostgresDB(t, false)
	out := mustPD(t, "hub", "migrate", "--from", file, "--to", pg)
	if !strings.Contains(out, "copied") || !strings.Contains(out, "1 conflicts") {
		t.Fatalf("hub migrate: %s", out)
	}
	checkFile := mustPD(t, "hub", "check", "--db", file, "--json")
	checkPG := mustPD(t, "hub", "check", "--db", pg, "--json")
	if checkFile != checkPG || !strings.Contains(checkPG, `"digest":"`) {
		t.Fatalf("hub check differs:\nfile       %s\nPostgreSQL %s", checkFile, checkPG)
	}
	fdb, pdb := hubDB(t, file), hubDB(t, pg)
	tables := []string{"hub_meta", "post_points", "devices", "enrollment_tokens", "batches", "hub_envelopes", "hub_events",
		"conflicts", "refusals", "updates", "hub_users", "api_tokens", "hub_dossiers", "hub_report_cells", "hub_report_cells_total", "onestop_changes"}
	for _, tab := range tables {
		q := "SELECT count(*) FROM " + tab
		if n, m := queryInt(t, fdb, q), queryInt(t, pdb, q); n != m {
			t.Errorf("%s: %d rows in the file, %d on PostgreSQL", tab, n, m)
		}
	}
	for _, q := range []string{
		"SELECT count(*) FROM hub_users WHERE username = 'tinh'",
		"SELECT count(*) FROM api_tokens WHERE name = 'mot-cua'",
		"SELECT count(*) FROM enrollment_tokens WHERE used_at = '' AND post_point_code = '600902'",
		"SELECT count(*) FROM updates WHERE kind = 'outcome'",
		"SELECT coalesce(sum(received), 0) FROM hub_report_cells_total",
	} {
		if n, m := queryInt(t, fdb, q), queryInt(t, pdb, q); n != m || n == 0 {
			t.Errorf("%s: %d in the file, %d on PostgreSQL", q, n, m)
		}
	}
	// a second move into the same database is refused, and changes nothing
	if out, err := pd(t, "hub", "migrate", "--from", file, "--to", pg); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("a move into a full database: %v\n%s", err, out)
	}
	if again := mustPD(t, "hub", "check", "--db", pg, "--json"); again != checkPG {
		t.Fatalf("the refused move changed the target: %s", again)
	}
	// the same hub, now on PostgreSQL: the devices sync on (acks verify
	// with the hub's key, moved with it); new batches and updates get new ids
	h2 := startHub(t, pg, h.addr)
	a.work(2)
	for _, d := range []*device{a, b} {
		d.syncUntilQuiet()
	}
	for _, d := range []*device{a, b} {
		if n := queryInt(t, pdb, "SELECT count(DISTINCT seq) FROM hub_events WHERE device_id = ?", d.id); n != d.lastSeq() {
			t.Fatalf("%s: %d events on PostgreSQL, the device has %d", d.id, n, d.lastSeq())
		}
		d.check()
	}
	waitProjected(t, pdb)
	if out := mustPD(t, "hub", "check", "--db", pg); !strings.HasPrefix(out, "ok:") {
		t.Fatalf("hub check: %s", out)
	}
	h2.stop()
}

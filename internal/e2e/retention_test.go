package e2e

import (
	"encoding/json"
	"testing"

	"postdesk/internal/hub/hubtest"
	"postdesk/internal/testtool"
)

// TestRetentionOnDeviceAndHub: a demo post point synced to a real hub;
// after a retention of 30 days on both (`postdesk purge`, then a sync,
// then `postdesk hub purge` beside the running hub), the CCCDs and phones
// of the purged dossiers are in neither database (the device's file bytes;
// the hub's file bytes or every text column of its PostgreSQL tables),
// the hub's figures are unchanged, `check` and `hub check` pass, a second
// hub purge changes nothing and the device still syncs.
func TestRetentionOnDeviceAndHub(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	d := newDevice(t, dir, "600900", "A", 150, 9)
	d.enroll(h, h.URL)
	d.syncUntilQuiet()
	waitProjected(t, hubDB(t, hubPath))

	purge := func(args ...string) []string {
		t.Helper()
		var rep struct {
			Dossiers []string `json:"dossiers"`
		}
		out := mustPD(t, append(args, "--days", "30", "--json")...)
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return rep.Dossiers
	}
	due := purge("hub", "purge", "--db", hubPath, "--dry-run")
	if len(due) < 20 {
		t.Fatalf("only %d dossiers due at the hub", len(due))
	}
	// What to look for: the due dossiers' CCCDs and phones that no kept dossier holds.
	isDue := map[string]bool{}
	for _, id := range due {
		isDue[id] = true
	}
	conn := testtool.DB(t, d.db)
	rows, err := conn.Query("SELECT id, citizen_id, phone FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	gone, kept := map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var id, cccd, phone string
		if err := rows.Scan(&id, &cccd, &phone); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{cccd, phone} {
			if v == "" {
				continue
			}
			if isDue[id] {
				gone[v] = true
			} else {
				kept[v] = true
			}
		}
	}
	rows.Close()
	conn.Close()
	var needles []string
	for v := range gone {
		if !kept[v] {
			needles = append(needles, v)
		}
	}
	if len(needles) < len(due) || len(kept) == 0 {
		t.Fatalf("%d values to look for over %d due dossiers, %d kept", len(needles), len(due), len(kept))
	}
	if got := hubtest.Holds(t, hubPath, needles); len(got) < len(needles)/2 {
		t.Fatalf("before the purge the hub holds only %d of %d values: the search does not see them", len(got), len(needles))
	}
	t.Logf("%d dossiers due at the hub, %d CCCDs and phones to look for", len(due), len(needles))
	before := hubKPI(t, hubPath, d.pp)

	if n := len(purge("purge", "--db", d.db)); n == 0 {
		t.Fatal("the device purged nothing")
	}
	d.syncUntilQuiet()
	if got := purge("hub", "purge", "--db", hubPath); len(got) != len(due) {
		t.Fatalf("the hub purged %d dossiers, its dry run listed %d", len(got), len(due))
	}
	if got := hubtest.Holds(t, hubPath, needles); len(got) > 0 {
		t.Fatalf("the hub still holds %d values of purged dossiers, e.g. %v", len(got), got[0])
	}
	if got := hubtest.Holds(t, d.db, needles); len(got) > 0 {
		t.Fatalf("the device still holds %d values of purged dossiers, e.g. %v", len(got), got[0])
	}
	if after := hubKPI(t, hubPath, d.pp); after != before {
		t.Fatalf("the hub's figures changed:\nbefore %s\nafter  %s", before, after)
	}
	var chk struct {
		OK       bool `json:"ok"`
		Redacted int  `json:"redacted"`
	}
	out := mustPD(t, "hub", "check", "--db", hubPath, "--json")
	if err := json.Unmarshal([]byte(out), &chk); err != nil || !chk.OK || chk.Redacted < len(due) {
		t.Fatalf("hub check: %v %s", err, out)
	}
	d.check()
	if again := purge("hub", "purge", "--db", hubPath); len(again) != 0 {
		t.Fatalf("a second hub purge purged %d", len(again))
	}
	d.work(2)
	d.syncUntilQuiet()
	assertExactlyOnce(t, hubPath, d)
}

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/store"
)

// TestLostDeviceLockedAndErased is deliverable 7 against a real hub on
// 127.0.0.1: the province revokes a lost device; its peer learns it at its
// next sync; the lost device, at its next connection, gets the hub's
// signed order and locks (its commands that show data refuse); a wrong PIN
// and a clerk cannot erase; the supervisor's PIN erases: no seeded name, ID
// number or phone is left in the database's bytes (after VACUUM, no WAL),
// its backups are gone, the events the hub never had are kept in a file
// only the hub opens, and `check` reports the erase as what it is.
func TestLostDeviceLockedAndErased(t *testing.T) {
	dir := t.TempDir()
	hubPath := filepath.Join(dir, "HUB.db")
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600950", "A", 30, 51)
	b := newDevice(t, dir, "600950", "B", 5, 52)
	a.enroll(h, h.URL)
	b.enroll(h, h.URL)
	a.syncUntilQuiet()
	b.syncUntilQuiet()
	a.work(2) // taken offline: the hub never gets them
	backups := filepath.Join(filepath.Dir(a.db), "backups")
	os.MkdirAll(backups, 0o700)
	mustPD(t, "backup", "--db", a.db, "--out", filepath.Join(backups, store.BackupName(time.Now())))

	// Every citizen value A holds, to look for after the erase.
	var needles []string
	rows, err := hubDB(t, a.db).Query("SELECT citizen_id, phone, applicant_name FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, phone, name string
		rows.Scan(&id, &phone, &name)
		needles = append(needles, id, phone, name)
	}
	rows.Close()
	if len(needles) < 3*30 {
		t.Fatalf("%d values to look for", len(needles))
	}

	mustPD(t, "hub", "revoke", "--db", hubPath, "--device", a.id, "--reason", "máy bị mất")
	// The peer learns it with its next sync.
	b.syncUntilQuiet()
	if n := queryInt(t, hubDB(t, b.db), "SELECT count(*) FROM sync_device_keys WHERE device = ? AND revoked_at <> ''", a.id); n != 1 {
		t.Fatalf("B does not hold A as revoked")
	}
	// The lost device connects: refused, with the signed order; it locks.
	if _, err := pd(t, "sync", "--db", a.db); err == nil {
		t.Fatal("the revoked device synced")
	}
	out := mustPD(t, "status", "--db", a.db, "--json")
	if !strings.Contains(out, `"revoked"`) {
		t.Fatalf("status after the revocation: %s", out)
	}
	if out, err := pd(t, "find", "--db", a.db, needles[0]); err == nil || !strings.Contains(err.Error(), "bị khóa") {
		t.Fatalf("find on the locked device: %v %s", err, out)
	}
	if out, err := pdIn(t, "9999\n", "erase", "--db", a.db, "--staff", "truong", "--confirm"); err == nil {
		t.Fatalf("erase with a wrong PIN: %s", out)
	}
	if out, err := pdIn(t, "1234\n", "erase", "--db", a.db, "--staff", "gdv1", "--confirm"); err == nil {
		t.Fatalf("a clerk erased: %s", out)
	}
	if n := queryInt(t, hubDB(t, a.db), "SELECT count(*) FROM dossiers"); n == 0 {
		t.Fatal("a refused erase erased")
	}
	out, err = pdIn(t, "1234\n", "erase", "--db", a.db, "--staff", "truong", "--confirm")
	if err != nil || !strings.Contains(out, "events the hub never had") || strings.Contains(out, " 0 events") {
		t.Fatalf("erase: %v %s", err, out)
	}

	raw, _ := os.ReadFile(a.db)
	wal, _ := os.ReadFile(a.db + "-wal")
	kept, err := os.ReadFile(filepath.Join(filepath.Dir(a.db), "unsynced-"+a.id+".pdsync"))
	if err != nil {
		t.Fatalf("the events the hub never had: %v", err)
	}
	staff := map[string]bool{}
	for _, st := range demo.Staff {
		staff[st.FullName] = true // the post point's own staff stay (a citizen may share a name)
	}
	for _, n := range needles {
		if n == "" || staff[n] {
			continue
		}
		for what, data := range map[string][]byte{"database": raw, "WAL": wal, "file kept for the hub": kept} {
			if bytes.Contains(data, []byte(n)) {
				t.Fatalf("the %s still holds %q after the erase", what, n)
			}
		}
	}
	if files, _ := filepath.Glob(filepath.Join(backups, "postdesk-*")); len(files) != 0 {
		t.Fatalf("backups left on the device: %v", files)
	}
	out = mustPD(t, "check", "--db", a.db)
	if !strings.HasPrefix(out, "ok, erased:") || !strings.Contains(out, "truong") {
		t.Fatalf("check after the erase: %s", out)
	}
	// Erasing again changes nothing; the hub still holds every event A pushed.
	if _, err := pdIn(t, "1234\n", "erase", "--db", a.db, "--staff", "truong", "--confirm"); err != nil {
		t.Fatalf("erase again: %v", err)
	}
	mustPD(t, "hub", "check", "--db", hubPath)
}

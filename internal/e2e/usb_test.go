package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"postdesk/internal/domain"

	"postdesk/internal/hub/hubtest"
)

// fingerprint hashes what a sync step may change on a device (its events,
// dossiers and sync progress) or at the hub (events, batches, dossiers,
// devices' heads, updates), to prove a repeated step changed nothing.
func fingerprint(t testing.TB, path string, queries ...string) string {
	t.Helper()
	db := hubDB(t, path) // a device's file, or the hub's database on either store
	h := sha256.New()
	for _, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			rows.Scan(ptrs...)
			fmt.Fprintf(h, "%v\n", vals)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

var deviceState = []string{
	"SELECT device_id, seq, hash FROM events ORDER BY device_id, seq",
	"SELECT id, state, official_code, updated_at FROM dossiers ORDER BY id",
	"SELECT acked_through_seq, acked_hash, update_cursor FROM sync_state",
}

var hubState = []string{
	"SELECT device_id, seq, hash FROM hub_events ORDER BY device_id, seq",
	"SELECT batch_id, through_seq FROM batches ORDER BY batch_id",
	"SELECT id, state, version FROM hub_dossiers ORDER BY id",
	"SELECT id, head_seq, head_hash FROM devices ORDER BY id",
	"SELECT id, device_id, kind, dossier FROM updates ORDER BY id",
	"SELECT count(*) FROM conflicts",
}

// TestUSBRoundTrip: export → hub import → reply → batch import, twice
// over, with identical results; a partial, corrupted, tampered or foreign
// file is refused whole.
func TestUSBRoundTrip(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	d := newDevice(t, dir, "600920", "A", 60, 20)
	d.enroll(h, h.URL) // enrollment needs the line once; from here on, only a USB stick
	h.kill()
	ids := d.work(4)

	file := func(name string) string { return filepath.Join(dir, name) }
	// Round 1: every event goes to the province by USB.
	mustPD(t, "batch", "export", "--db", d.db, "--out", file("r1.pdsync"))
	out := mustPD(t, "hub", "import", "--db", hubPath, file("r1.pdsync"), "--reply", file("r1.pdreply"))
	if !strings.Contains(out, fmt.Sprintf("stored through seq %d", d.lastSeq())) {
		t.Fatalf("hub import: %s", out)
	}
	mustPD(t, "batch", "import", "--db", d.db, file("r1.pdreply"))
	assertExactlyOnce(t, hubPath, d)
	hub1, dev1 := fingerprint(t, hubPath, hubState...), fingerprint(t, d.db, deviceState...)

	// The same file and the same reply again: nothing changes on either side.
	mustPD(t, "hub", "import", "--db", hubPath, file("r1.pdsync"), "--reply", file("r1-again.pdreply"))
	mustPD(t, "batch", "import", "--db", d.db, file("r1.pdreply"))
	mustPD(t, "batch", "import", "--db", d.db, file("r1-again.pdreply"))
	if fingerprint(t, hubPath, hubState...) != hub1 || fingerprint(t, d.db, deviceState...) != dev1 {
		t.Fatal("importing the same USB files again changed something")
	}

	// The province records outcomes; round 2 carries them back.
	csv := fmt.Sprintf("receipt,outcome,official_code,due_date,reason\n%s,accepted,000.00.20.H21-260302-0501,25/03/2026,\n%s,rejected,,,Thiếu giấy tờ\n", ids[0], ids[1])
	os.WriteFile(file("kq.csv"), []byte(csv), 0o600)
	mustPD(t, "hub", "import-outcomes", "--db", hubPath, file("kq.csv"))
	mustPD(t, "batch", "export", "--db", d.db, "--out", file("r2.pdsync")) // nothing waiting: asks for updates only
	mustPD(t, "hub", "import", "--db", hubPath, file("r2.pdsync"), "--reply", file("r2.pdreply"))
	mustPD(t, "batch", "import", "--db", d.db, file("r2.pdreply"))
	if got := d.dossier(ids[0]); got.State != domain.StateAccepted || got.OfficialCode != "000.00.20.H21-260302-0501" {
		t.Fatalf("outcome by USB: %s %s", got.State, got.OfficialCode)
	}
	if got := d.dossier(ids[1]); got.State != domain.StateRejected {
		t.Fatalf("rejection by USB: %s", got.State)
	}
	dev2 := fingerprint(t, d.db, deviceState...)
	mustPD(t, "batch", "import", "--db", d.db, file("r2.pdreply")) // twice: the outcomes are not applied again
	if fingerprint(t, d.db, deviceState...) != dev2 {
		t.Fatal("importing the same reply twice changed the device")
	}
	// Round 3 carries the events the outcomes made back to the province.
	mustPD(t, "batch", "export", "--db", d.db, "--out", file("r3.pdsync"))
	mustPD(t, "hub", "import", "--db", hubPath, file("r3.pdsync"), "--reply", file("r3.pdreply"))
	mustPD(t, "batch", "import", "--db", d.db, file("r3.pdreply"))
	assertExactlyOnce(t, hubPath, d)
	hub3, dev3 := fingerprint(t, hubPath, hubState...), fingerprint(t, d.db, deviceState...)
	db := hubDB(t, hubPath)
	if n := queryInt(t, db, "SELECT count(*) FROM hub_dossiers WHERE id = ? AND state = 'accepted'", ids[0]); n != 1 {
		t.Fatal("the hub's projection did not follow the outcome's event")
	}

	// Bad files are refused whole, and change nothing.
	r3, _ := os.ReadFile(file("r3.pdsync"))
	d.work(2)
	mustPD(t, "batch", "export", "--db", d.db, "--out", file("r4.pdsync"))
	r4, _ := os.ReadFile(file("r4.pdsync"))
	flipped := append([]byte(nil), r4...)
	flipped[len(flipped)/2] ^= 1
	os.WriteFile(file("partial.pdsync"), r4[:len(r4)*2/3], 0o600)
	os.WriteFile(file("flipped.pdsync"), flipped, 0o600)
	os.WriteFile(file("empty.pdsync"), nil, 0o600)
	rep3, _ := os.ReadFile(file("r3.pdreply"))
	os.WriteFile(file("reply-as-batch.pdsync"), rep3, 0o600)
	for _, bad := range []string{"partial.pdsync", "flipped.pdsync", "empty.pdsync", "reply-as-batch.pdsync"} {
		if _, err := pd(t, "hub", "import", "--db", hubPath, file(bad), "--reply", file("bad.pdreply")); err == nil {
			t.Errorf("hub import of %s succeeded", bad)
		}
		if _, err := os.Stat(file("bad.pdreply")); err == nil {
			t.Errorf("a reply was written for %s", bad)
		}
	}
	// A file for another province hub.
	other := filepath.Join(dir, "OTHER.db")
	oh := startHub(t, other, "127.0.0.1:0")
	oh.kill()
	if _, err := pd(t, "hub", "import", "--db", other, file("r4.pdsync"), "--reply", file("bad.pdreply")); err == nil ||
		!strings.Contains(err.Error(), "foreign") && !strings.Contains(err.Error(), "another") {
		t.Errorf("a file for another hub: %v", err)
	}
	// A reply damaged on the stick, and a batch file where a reply belongs.
	devBefore := fingerprint(t, d.db, deviceState...)
	badRep := append([]byte(nil), rep3...)
	badRep[len(badRep)-5] ^= 1
	os.WriteFile(file("flipped.pdreply"), badRep, 0o600)
	os.WriteFile(file("batch-as-reply.pdreply"), r3, 0o600)
	for _, bad := range []string{"flipped.pdreply", "batch-as-reply.pdreply"} {
		if _, err := pd(t, "batch", "import", "--db", d.db, file(bad)); err == nil {
			t.Errorf("batch import of %s succeeded", bad)
		}
	}
	if fingerprint(t, hubPath, hubState...) != hub3 {
		t.Fatal("a refused file changed the hub")
	}
	if fingerprint(t, d.db, deviceState...) != devBefore {
		t.Fatal("a refused reply changed the device")
	}
	if dev3 == devBefore {
		t.Fatal("the device's fingerprint did not see the new work")
	}
	// And the good file still goes through afterwards.
	mustPD(t, "hub", "import", "--db", hubPath, file("r4.pdsync"), "--reply", file("r4.pdreply"))
	mustPD(t, "batch", "import", "--db", d.db, file("r4.pdreply"))
	assertExactlyOnce(t, hubPath, d)
}

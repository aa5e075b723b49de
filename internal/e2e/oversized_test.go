package e2e

import (
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"postdesk/internal/domain"

	"postdesk/internal/hub/hubtest"
)

// TestOversizedEventDoesNotStopSync: a device written by a PostDesk
// before every input was bounded holds an event of 1.1 MB (a catalog
// procedure name that size went into it), over the 1 MiB line limit of a
// batch. The encoder used to fail the whole batch, so nothing — earlier
// events included — was ever sent again. Now that event travels in a batch
// of its own, and the events after it sync as usual.
func TestOversizedEventDoesNotStopSync(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	d := newDevice(t, dir, "600950", "A", 10, 50)
	d.enroll(h, h.URL)
	before := d.lastSeq()

	// The oversized event, appended to the log directly as the old version did.
	db, err := sql.Open("sqlite", "file:"+d.db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	var prev []byte
	if err := db.QueryRow("SELECT hash FROM events WHERE device_id = ? AND seq = ?", d.id, before).Scan(&prev); err != nil {
		t.Fatal(err)
	}
	name := strings.Repeat("Thủ tục đăng ký khai sinh có yếu tố nước ngoài ", 1_100_000/50)
	payload, _ := json.Marshal(map[string]string{"procedure_name": name})
	e := domain.Event{DeviceID: d.id, Seq: before + 1, Kind: domain.KindSettingsChanged, Staff: "truong",
		At: time.Now().UTC().Truncate(time.Microsecond), Payload: payload}
	e.Seal(hex.EncodeToString(prev))
	if len(payload) <= 1<<20 {
		t.Fatalf("the payload is only %d bytes", len(payload))
	}
	hash, _ := hex.DecodeString(e.Hash)
	if _, err := db.Exec(`INSERT INTO events(device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash) VALUES(?, ?, ?, '', ?, ?, ?, ?, ?)`,
		e.DeviceID, e.Seq, string(e.Kind), e.Staff, e.At.Format(domain.TimeLayout), payload, prev, hash); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Later work, recorded the normal way behind it.
	ids := d.work(3)
	d.syncUntilQuiet()
	hdb := hubDB(t, hubPath)
	if n := queryInt(t, hdb, "SELECT octet_length(payload) FROM hub_events WHERE device_id = ? AND seq = ?", d.id, before+1); n != int64(len(payload)) {
		t.Fatalf("the hub holds %d bytes of the oversized event, want %d", n, len(payload))
	}
	if n := queryInt(t, hdb, "SELECT count(*) FROM batches WHERE device_id = ? AND first_seq = ? AND last_seq = ?", d.id, before+1, before+1); n != 1 {
		t.Fatalf("the oversized event did not travel in a batch of its own (%d such batches)", n)
	}
	assertExactlyOnce(t, hubPath, d)
	waitProjected(t, hdb)
	for _, id := range ids {
		if n := queryInt(t, hdb, "SELECT count(*) FROM hub_dossiers WHERE id = ?", id); n != 1 {
			t.Fatalf("dossier %s, recorded after the oversized event, is not at the hub", id)
		}
	}
}

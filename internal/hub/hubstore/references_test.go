package hubstore_test

import (
	"testing"

	"postdesk/internal/hub/hubtest"
)

// TestEventReferencesKept: on both stores an event must name an enrolled
// device and a stored batch, and a batch holding events cannot be deleted
// or renumbered — SQLite by its foreign keys, PostgreSQL by the statement
// trigger and the row triggers of migration 010 that replaced them there.
func TestEventReferencesKept(t *testing.T) {
	h := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, h)
	d.Intake()
	if _, err := h.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
		t.Fatal(err)
	}
	db := hubtest.DB(t, h)
	var batch int64
	if err := db.QueryRow("SELECT batch FROM hub_events WHERE device_id = ?", d.ID).Scan(&batch); err != nil {
		t.Fatal(err)
	}
	insert := func(device string, seq, batch int64) error {
		_, err := db.Exec(`INSERT INTO hub_events(device_id, seq, kind, dossier, staff, at, prev_hash, hash, batch)
			VALUES(?, ?, 'dossier.note', '', 's', '2026-12-03T00:00:00.000000000Z', '', 'h', ?)`, device, seq, batch)
		return err
	}
	if err := insert("600900-Z", 1, batch); err == nil {
		t.Error("an event of a device that is not enrolled was stored")
	}
	if err := insert(d.ID, 90, batch+1000); err == nil {
		t.Error("an event of a batch that is not stored was stored")
	}
	if err := insert(d.ID, 91, batch); err != nil {
		t.Errorf("an event of a stored batch and an enrolled device was refused: %v", err)
	}
	// Only hub_events refers to the batch once its envelope is gone.
	if _, err := db.Exec("DELETE FROM hub_envelopes WHERE batch = ?", batch); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DELETE FROM batches WHERE id = ?", batch); err == nil {
		t.Error("a batch holding events was deleted")
	}
	if _, err := db.Exec("UPDATE batches SET id = id + 1000 WHERE id = ?", batch); err == nil {
		t.Error("a batch holding events was renumbered")
	}
	if _, err := db.Exec("UPDATE batches SET via = via WHERE id = ?", batch); err != nil {
		t.Errorf("an update of a batch that keeps its id was refused: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM batches WHERE id = ?", batch).Scan(&n); err != nil || n != 1 {
		t.Errorf("the batch is gone (%d rows, %v)", n, err)
	}
}

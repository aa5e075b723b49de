package hubstore_test

import (
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
)

// TestAccessEventsReachTheHub: the access log travels with the other
// events; the hub keeps it and its check still passes.
func TestAccessEventsReachTheHub(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	id := d.Intake()
	d.Add(domain.KindAccess, "", domain.AccessPayload{What: domain.AccessView, Dossiers: []string{id}})
	d.Add(domain.KindAccess, "", domain.AccessPayload{What: domain.AccessSearchID, Dossiers: []string{id}})
	res, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 3), "http")
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 3 {
		t.Fatalf("stored %d of 3 events", res.New)
	}
	var n int
	if err := hubtest.DB(t, s).QueryRow("SELECT count(*) FROM hub_events WHERE kind = ?", string(domain.KindAccess)).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d access events at the hub, %v", n, err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("hub check: %v", err)
	}
}

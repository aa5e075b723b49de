package hubstore_test

import (
	"errors"
	"strings"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// A revoked device's refusal carries a revocation signed by the hub: the
// only kind a device acts on.
func TestRevokedRefusalIsSigned(t *testing.T) {
	s := hubtest.Open(t)
	dev := hubtest.NewDevice(t, "600900", "A")
	dev.Enroll(t, s)
	dev.Intake()
	if err := s.Revoke(ctx, dev.ID, "test", "máy bị mất"); err != nil {
		t.Fatal(err)
	}
	_, err := s.ReceiveBatch(ctx, dev.Batch(t, 1, 1), "http")
	pe := hubstore.AsRefusal(err)
	if pe.Code != syncproto.CodeRevoked {
		t.Fatalf("batch of a revoked device: %v", err)
	}
	rv, err := syncproto.OpenRevocation(s.PublicKey(), pe, dev.ID)
	if err != nil {
		t.Fatalf("the revocation does not verify with the hub's key: %v", err)
	}
	if rv.RevokedAt.IsZero() {
		t.Fatal("no revocation time")
	}
	if _, err := syncproto.OpenRevocation(s.PublicKey(), pe, "600900-B"); err == nil {
		t.Fatal("a revocation for 600900-A accepted by 600900-B")
	}
}

// Outcome rows (file or API) become events on devices: each column is
// bounded, with the line and column named, and nothing is queued.
func TestOutcomeColumnsBounded(t *testing.T) {
	s := hubtest.Open(t)
	long := strings.Repeat("Hồ sơ thiếu giấy tờ ", domain.MaxCatalogText/10)
	_, err := s.QueueOutcomes(ctx, []hubstore.Outcome{{Line: 1, Receipt: "600900A-261125-0001", Outcome: "rejected", Reason: long}}, "test")
	var errs domain.Errors
	if !errors.As(err, &errs) || errs[0].Field != "line 1: reason" || errs[0].Key != "err.intake.too_long" {
		t.Fatalf("a %d-character reason: %v", len([]rune(long)), err)
	}
	var n int
	hubtest.DB(t, s).QueryRow("SELECT count(*) FROM updates").Scan(&n)
	if n != 0 {
		t.Fatalf("%d updates queued", n)
	}
}

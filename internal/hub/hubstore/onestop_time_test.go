package hubstore

import (
	"testing"
	"time"

	"postdesk/internal/domain"
)

// The export reads stored times by hand: the same portal text as the
// long way (time.Parse, then Format) for every stored time, and the long
// way for any text of another shape.
func TestPortalTimeTextSameAsTheLongWay(t *testing.T) {
	long := func(s string) string { return domain.PortalTime(parseTime(s)) }
	base := time.Date(2025, 12, 31, 16, 0, 0, 123_456_789, time.UTC)
	for i := 0; i < 20_000; i++ {
		s := formatTime(base.Add(time.Duration(i) * 61 * time.Minute).Add(time.Duration(i%59) * time.Second))
		if got, want := portalTimeText(s), long(s); got != want {
			t.Fatalf("%s: %s, want %s", s, got, want)
		}
	}
	for _, s := range []string{"2026-04-31T10:00:00.000000000Z", "2026-13-01T10:00:00.000000000Z", "2026-02-29T17:00:00.000000000Z",
		"2024-02-29T17:00:00.000000000Z", "2026-03-01T24:00:00.000000000Z", "2026-03-01T10:00:00Z", "2026-03-01 10:00:00.000000000Z",
		"x026-03-01T10:00:00.000000000Z", "2026-03-01T10:00:00.000000000+"} {
		if got, want := portalTimeText(s), long(s); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
	if _, ok := storedTimeFast("2026-03-01T17:30:00.000000000Z"); !ok {
		t.Error("a stored time went the long way")
	}
}

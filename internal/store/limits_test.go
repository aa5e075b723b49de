package store

import (
	"errors"
	"strings"
	"testing"

	"postdesk/internal/domain"
)

// The log refuses an event too large to sync, whatever path built it, and
// stores nothing for it.
func TestEventTooLargeRefused(t *testing.T) {
	s := newTestStore(t)
	dev, _, _ := s.Device(ctx)
	before, _ := s.LastSeq(ctx, dev.ID())
	_, _, err := s.Record(ctx, "truong", domain.KindSettingsChanged, "",
		map[string]string{"procedure_name": strings.Repeat("x", domain.MaxEventPayload)})
	var errs domain.Errors
	if !errors.As(err, &errs) || errs[0].Key != "err.event.too_large" {
		t.Fatalf("a %d-byte event: %v", domain.MaxEventPayload, err)
	}
	if after, _ := s.LastSeq(ctx, dev.ID()); after != before {
		t.Fatalf("the log moved from %d to %d", before, after)
	}
}

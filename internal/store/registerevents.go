package store

// The events the daily register is made of.

import (
	"context"
	"time"

	"postdesk/internal/domain"
)

// EventsBetween returns the events of the given kinds recorded by device
// ("" for every device) with from <= at < to, in the order they were
// recorded. The daily register reads them.
func (s *Store) EventsBetween(ctx context.Context, device string, from, to time.Time, kinds ...domain.Kind) ([]domain.Event, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(kinds)+3)
	for _, k := range kinds {
		args = append(args, string(k))
	}
	args = append(args, formatTime(from), formatTime(to))
	where := "WHERE kind IN (" + placeholders(len(kinds)) + ") AND at >= ? AND at < ?"
	if device != "" {
		where += " AND device_id = ?"
		args = append(args, device)
	}
	return s.queryEvents(ctx, where+" ORDER BY rowid", args...)
}

package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// PushRetention queues the province's retention — how many days a done
// dossier keeps its personal fields on a device, 0 for ever — as a signed
// update for every device (syncproto.RetentionChange; README, Security:
// "Retention"). The latest update sets each device's retention.
func (s *Store) PushRetention(ctx context.Context, days int, staff string) error {
	if days < 0 || days > 36500 {
		return domain.Errf("days", "err.retention.days", "the retention must be between 0 (keep for ever) and 36500 days")
	}
	payload, err := json.Marshal(syncproto.RetentionChange{Days: days})
	if err != nil {
		return err
	}
	now := formatTime(s.Now())
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO updates(device_id, kind, payload, source, dedup, created_at) VALUES('*', ?, ?, ?, ?, ?)`,
			syncproto.UpdateRetention, payload, Truncate("retention by "+staff, 200),
			dedupKey(syncproto.UpdateRetention, strconv.Itoa(days), now), now)
		return err
	})
}

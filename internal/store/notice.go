package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/text/unicode/norm"
)

// The province's wording of the receipt's personal-data notice, as the hub
// sent it (syncproto.ReceiptNotice): kept in meta with the id of the update
// that brought it, so an older notice applied late never replaces a newer.

const (
	metaNotice   = "province_receipt_notice"
	metaNoticeID = "province_receipt_notice_update"
)

// ReceiptNotices are the province's notice texts by language ("vi", "en");
// none (nil) when the province has set none or went back to the default.
func (s *Store) ReceiptNotices(ctx context.Context) (map[string]string, error) {
	raw, err := s.Meta(ctx, metaNotice, "")
	if err != nil || raw == "" {
		return nil, err
	}
	var texts map[string]string
	if err := json.Unmarshal([]byte(raw), &texts); err != nil {
		return nil, fmt.Errorf("stored receipt notice unreadable: %w", err)
	}
	return texts, nil
}

// ApplyReceiptNotice stores the province's notice texts (NFC) and marks the
// update applied, in one transaction; a notice older than the one kept is
// marked applied and changes nothing.
func (s *Store) ApplyReceiptNotice(ctx context.Context, u HubUpdate, texts map[string]string) error {
	clean := map[string]string{}
	for lang, t := range texts {
		if t = norm.NFC.String(t); t != "" {
			clean[lang] = t
		}
	}
	raw, err := json.Marshal(clean)
	if err != nil {
		return err
	}
	return s.applyMetaUpdate(ctx, u, metaNotice, metaNoticeID, string(raw))
}

// applyMetaUpdate stores value under key in meta with the update's id
// under idKey, and marks the update applied, in one transaction; an update
// older than the one whose value is kept changes nothing.
func (s *Store) applyMetaUpdate(ctx context.Context, u HubUpdate, key, idKey, value string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if applied, err := updateApplied(ctx, tx, u.ID); err != nil || applied {
			if applied {
				return ErrUpdateApplied
			}
			return err
		}
		var kept string
		err := tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", idKey).Scan(&kept)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if id, _ := strconv.ParseInt(kept, 10, 64); id < u.ID {
			for k, v := range map[string]string{key: value, idKey: strconv.FormatInt(u.ID, 10)} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?)
					ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
					return err
				}
			}
		}
		return s.markUpdate(ctx, tx, u, "applied", "", 0)
	})
}

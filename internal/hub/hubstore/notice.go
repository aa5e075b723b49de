package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"golang.org/x/text/unicode/norm"

	"postdesk/internal/syncproto"
)

// SetReceiptNotice sends the province's wording of the receipt's
// personal-data notice to every device (a signed update of kind
// receipt_notice, as the catalog goes down): texts by language, "vi" and/or
// "en"; none at all sends the devices back to PostDesk's own wording. Each
// call is a new update, so setting a wording again after another one is
// sent again; the devices keep the latest.
func (s *Store) SetReceiptNotice(ctx context.Context, texts map[string]string, by string) error {
	n := syncproto.ReceiptNotice{Texts: map[string]string{}}
	for lang, t := range texts {
		if t = strings.TrimSpace(norm.NFC.String(t)); t != "" {
			n.Texts[lang] = t
		}
	}
	if err := n.Check(); err != nil {
		return err
	}
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO updates(device_id, kind, payload, source, dedup, created_at) VALUES('*', ?, ?, ?, ?, ?)`,
			syncproto.UpdateNotice, b, Truncate("notice:"+by, 200), dedupKey(syncproto.UpdateNotice, string(b), RandomHex(8)), formatTime(now))
		return err
	})
}

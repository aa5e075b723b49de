package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Drafts are half-filled forms kept in the database, so that a clerk who
// loses power or closes the app mid-intake finds the form as it was. The
// form saves on every change (debounced) and deletes its draft once the
// dossier is saved. Drafts are not events: they are never synced and leave
// no trace in the log.

// DeviceDrafts is the staff name of drafts that belong to the device rather
// than to one person (planned home pickups).
const DeviceDrafts = ""

// DraftRow is one stored draft.
type DraftRow struct {
	Staff     string
	Key       string
	Data      []byte
	UpdatedAt time.Time
}

// SaveDraft stores (or replaces) the draft of staff under key.
func (s *Store) SaveDraft(ctx context.Context, staff, key string, data []byte) error {
	if key == "" {
		return errors.New("draft key is empty")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO drafts(staff, key, data, updated_at) VALUES(?, ?, ?, ?)
		ON CONFLICT(staff, key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
		staff, key, data, formatTime(s.Now()))
	return err
}

// Draft returns the draft of staff under key, or ErrNotFound.
func (s *Store) Draft(ctx context.Context, staff, key string) (DraftRow, error) {
	r := DraftRow{Staff: staff, Key: key}
	var at string
	err := s.db.QueryRowContext(ctx, "SELECT data, updated_at FROM drafts WHERE staff = ? AND key = ?", staff, key).
		Scan(&r.Data, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.UpdatedAt, err = parseTime(at)
	return r, err
}

// DeleteDraft removes a draft; removing one that does not exist is not an error.
func (s *Store) DeleteDraft(ctx context.Context, staff, key string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM drafts WHERE staff = ? AND key = ?", staff, key)
	return err
}

// Drafts lists the drafts of staff whose key starts with prefix, by key.
func (s *Store) Drafts(ctx context.Context, staff, prefix string) ([]DraftRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key, data, updated_at FROM drafts
		WHERE staff = ? AND key >= ? AND key < ? ORDER BY key`, staff, prefix, prefix+"\U0010FFFF")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DraftRow
	for rows.Next() {
		r := DraftRow{Staff: staff}
		var at string
		if err := rows.Scan(&r.Key, &r.Data, &at); err != nil {
			return nil, err
		}
		if r.UpdatedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// RecordAccess appends an access event (domain.KindAccess): who saw or took
// which dossiers' personal data, and how. One write, like any event.
func (s *Store) RecordAccess(ctx context.Context, staff string, p domain.AccessPayload) error {
	if len(p.Dossiers) > domain.MaxAccessDossiers {
		p.Dossiers = p.Dossiers[:domain.MaxAccessDossiers]
	}
	return s.write(ctx, func(tx *sql.Tx) error { return s.recordIn(ctx, tx, staff, domain.KindAccess, p) })
}

// AccessEntry is one line of the access log.
type AccessEntry struct {
	At       time.Time
	Staff    string
	Device   string
	What     domain.AccessWhat
	Dossiers []string
	Detail   string
}

// AccessLog lists the access log newest first: access events and receipt
// reprints, of every device whose events this database holds, narrowed to
// one dossier and/or one staff member when given ("" is any), at most limit.
func (s *Store) AccessLog(ctx context.Context, dossier, staff string, limit int) ([]AccessEntry, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT at, staff, device_id, kind, dossier, CAST(payload AS TEXT) FROM events
		WHERE ((kind = :access AND (:dossier = '' OR EXISTS (
		          SELECT 1 FROM json_each(CAST(events.payload AS TEXT), '$.dossiers') WHERE value = :dossier)))
		    OR (kind = :print AND json_extract(CAST(payload AS TEXT), '$.reprint') = 1 AND (:dossier = '' OR dossier = :dossier)))
		  AND (:staff = '' OR staff = :staff)
		ORDER BY at DESC, device_id, seq DESC LIMIT :limit`,
		sql.Named("access", string(domain.KindAccess)), sql.Named("print", string(domain.KindReceiptPrint)),
		sql.Named("dossier", dossier), sql.Named("staff", staff), sql.Named("limit", limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessEntry
	for rows.Next() {
		var at, kind, dos, payload string
		var e AccessEntry
		if err := rows.Scan(&at, &e.Staff, &e.Device, &kind, &dos, &payload); err != nil {
			return nil, err
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		if domain.Kind(kind) == domain.KindReceiptPrint {
			e.What, e.Dossiers = domain.AccessReprint, []string{dos}
		} else {
			var p domain.AccessPayload
			if err := json.Unmarshal([]byte(payload), &p); err != nil {
				return nil, fmt.Errorf("access event at %s: %w", at, err)
			}
			e.What, e.Dossiers, e.Detail = p.What, p.Dossiers, p.Detail
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

package hubstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"postdesk/internal/domain"
	"postdesk/internal/receipt"
)

// CitizenExport gathers every dossier about one ID number over every post
// point (the dossiers whose JSON holds the number as a whole value: the
// applicant, a representative, the person a result was handed to — the
// device's rule, store.CitizenDossiers), each with every event about it,
// and records the export in the hub's access log (who: user, via). The
// hub keeps no index of ID numbers, so this reads every dossier once (a
// rare request; see README Performance).
func (s *Store) CitizenExport(ctx context.Context, user, via, idNumber, format string) (*receipt.CitizenExport, error) {
	if what, ok := domain.SearchAccess(idNumber); !ok || what != domain.AccessSearchID {
		return nil, domain.Errf("id_number", "err.citizen_export.id", "the ID number must be 12 digits (CCCD) or 9 (old ID card)")
	}
	needle := []byte(`"` + idNumber + `"`)
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM hub_dossiers ORDER BY received_at, id`)
	if err != nil {
		return nil, err
	}
	out := &receipt.CitizenExport{IDNumber: idNumber, MadeAt: s.Now(), MadeBy: user, Dossiers: []receipt.CitizenDossier{}}
	for rows.Next() {
		var id string
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return nil, err
		}
		if !bytes.Contains(data, needle) {
			continue
		}
		var d domain.Dossier
		if err := json.Unmarshal(data, &d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("hub dossier %s: stored projection unreadable: %w", id, err)
		}
		out.Dossiers = append(out.Dossiers, receipt.CitizenDossier{Dossier: &d})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out.Dossiers {
		evs, err := s.dossierEvents(ctx, out.Dossiers[i].Dossier.ID)
		if err != nil {
			return nil, err
		}
		out.Dossiers[i].Events = evs
	}
	if err := s.RecordAccess(ctx, user, domain.AccessExport, via, "citizen export "+format, out.DossierIDs()); err != nil {
		return nil, err
	}
	return out, nil
}

// dossierEvents is every event the hub holds about a dossier, from every
// device, in time order.
func (s *Store) dossierEvents(ctx context.Context, dossier string) ([]domain.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+hubEventCols+`
		FROM hub_events WHERE dossier = ? AND dossier <> '' ORDER BY at, device_id, seq`, dossier)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// scanEvents reads hub_events rows (device_id, seq, kind, dossier, staff,
// at, payload, prev_hash, hash) and closes them.
func scanEvents(rows *sql.Rows) ([]domain.Event, error) {
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DossierDetail is one dossier as the hub holds it, with every event about
// it (ErrNotFound when the hub has none). The caller records the view
// (RecordAccess) before showing it.
func (s *Store) DossierDetail(ctx context.Context, id string) (*domain.Dossier, []domain.Event, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, `SELECT data FROM hub_dossiers WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, ErrNotFound
	}
	if err != nil {
		return nil, nil, err
	}
	var d domain.Dossier
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, nil, fmt.Errorf("hub dossier %s: stored projection unreadable: %w", id, err)
	}
	evs, err := s.dossierEvents(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return &d, evs, nil
}

package store

// Handover records with the agency: drafts, confirmation, cancellation, lookups.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"postdesk/internal/domain"
)

// CreateHandover draws up a draft handover record of dossiers ids for one
// agency. Nothing moves until ConfirmHandover; each dossier must be fit for
// the direction and in no other open draft of that direction. For the
// inbound direction agency may be "": it is taken from the first dossier.
func (s *Store) CreateHandover(ctx context.Context, staff string, dir domain.HandoverDirection, agency string, ids []string) (*domain.Handover, error) {
	if !dir.Valid() {
		return nil, fmt.Errorf("unknown handover direction %q", dir)
	}
	var h *domain.Handover
	err := s.inTx(ctx, func(r *recorder) error {
		ds := make([]*domain.Dossier, 0, len(ids))
		for _, id := range ids {
			d, err := r.load(id)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		if agency == "" && len(ds) > 0 {
			agency = ds[0].AgencyCode
		}
		var err error
		switch dir {
		case domain.HandoverOut:
			err = domain.CheckHandoverOut(agency, ds)
		case domain.HandoverIn:
			err = domain.CheckHandoverIn(agency, ds)
		case domain.HandoverReturn:
			err = domain.Errf("direction", "err.handover.return_auto", "return records are made by the failed-attempt policy")
		}
		if err != nil {
			return err
		}
		for _, d := range ds {
			if other, err := openDraftOf(r, dir, d.ID); err != nil {
				return err
			} else if other != "" {
				return domain.Errf("dossier", "err.handover.in_draft", "dossier %s is already in draft record %s", d.ID, other).
					WithArgs("Dossier", d.ID, "Handover", other)
			}
		}
		h, err = r.newHandover(staff, dir, agency, ids)
		return err
	})
	return h, err
}

// openDraftOf names the open draft of direction dir listing dossier id, or "".
func openDraftOf(r *recorder, dir domain.HandoverDirection, id string) (string, error) {
	var hid string
	err := r.tx.QueryRowContext(r.ctx, `SELECT h.id FROM handover_items i JOIN handovers h ON h.id = i.handover_id
		WHERE i.dossier = ? AND h.direction = ? AND h.confirmed_at = '' AND h.cancelled_at = '' LIMIT 1`, id, string(dir)).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hid, err
}

// newHandover numbers and inserts a draft record.
func (r *recorder) newHandover(staff string, dir domain.HandoverDirection, agency string, ids []string) (*domain.Handover, error) {
	now := r.now().UTC().Round(0)
	prefix := domain.HandoverNumber(dir, r.device, now, 0)
	prefix = prefix[:len(prefix)-2] // without the sequence
	// The sequence is read as a number: "…-100" sorts before "…-99" as text.
	var last sql.NullInt64
	if err := r.tx.QueryRowContext(r.ctx, "SELECT max(CAST(substr(id, ?) AS INTEGER)) FROM handovers WHERE id >= ? AND id < ?",
		len(prefix)+1, prefix, prefix+"\uffff").Scan(&last); err != nil {
		return nil, err
	}
	seq := int(last.Int64) + 1
	h := &domain.Handover{ID: domain.HandoverNumber(dir, r.device, now, seq), Direction: dir, AgencyCode: agency,
		Staff: staff, CreatedAt: now, Dossiers: append([]string(nil), ids...)}
	if _, err := r.tx.ExecContext(r.ctx, `INSERT INTO handovers(id, direction, agency_code, staff, created_at)
		VALUES(?, ?, ?, ?, ?)`, h.ID, string(dir), agency, staff, formatTime(now)); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if err := r.addItem(h.ID, i, id); err != nil {
			return nil, err
		}
	}
	return h, nil
}

func (r *recorder) addItem(hid string, pos int, id string) error {
	_, err := r.tx.ExecContext(r.ctx, "INSERT INTO handover_items(handover_id, position, dossier) VALUES(?, ?, ?)", hid, pos, id)
	return err
}

// ConfirmHandover records the agency officer's signature on a draft and moves
// every dossier it lists, in one transaction: outbound to "at agency",
// inbound to "result at post" (marking the result ready first when needed).
// One dossier that may no longer move aborts it all, naming the dossier.
// A return record only records the officer: its dossiers moved already.
func (s *Store) ConfirmHandover(ctx context.Context, staff, id, officer string) (*domain.Handover, error) {
	officer, err := domain.CheckOfficer(officer)
	if err != nil {
		return nil, err
	}
	var h *domain.Handover
	err = s.inTx(ctx, func(r *recorder) error {
		var err error
		if h, err = handoverIn(r.ctx, r.tx, id); err != nil {
			return err
		}
		if st := h.Status(); st != domain.HandoverDraft {
			return domain.Errf("handover", "err.handover.not_draft", "record %s is %s, not a draft", h.ID, st).
				WithArgs("Handover", h.ID, "Status", string(st))
		}
		for _, did := range h.Dossiers {
			d, err := r.load(did)
			if err != nil {
				return err
			}
			switch h.Direction {
			case domain.HandoverOut:
				if err := domain.CheckHandoverOutOne(h.AgencyCode, d); err != nil {
					return err
				}
				e, err := event(domain.KindHandover, did, staff, domain.HandoverPayload{HandoverID: h.ID, Officer: officer})
				if err != nil {
					return err
				}
				if _, err := r.append(e, d, false); err != nil {
					return err
				}
			case domain.HandoverIn:
				kinds, err := domain.InboundMoves(d)
				if err != nil {
					return err
				}
				for _, k := range kinds {
					var payload any
					if k == domain.KindResultHandover {
						payload = domain.ResultHandoverPayload{HandoverID: h.ID}
					}
					e, err := event(k, did, staff, payload)
					if err != nil {
						return err
					}
					if d, err = r.append(e, d, false); err != nil {
						return err
					}
				}
			case domain.HandoverReturn:
				if err := domain.CheckHandoverReturn(h.AgencyCode, d); err != nil {
					return err
				}
			}
		}
		now := r.now().UTC().Round(0)
		if _, err := r.tx.ExecContext(r.ctx, "UPDATE handovers SET officer = ?, confirmed_by = ?, confirmed_at = ? WHERE id = ?",
			officer, staff, formatTime(now), h.ID); err != nil {
			return err
		}
		h.Officer, h.ConfirmedBy, h.ConfirmedAt = officer, staff, &now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// CancelHandover cancels a draft: no dossier moves, the record is kept as
// cancelled so its number is accounted for. A return record cannot be
// cancelled: its dossiers were returned when the policy decided it.
func (s *Store) CancelHandover(ctx context.Context, staff, id string) (*domain.Handover, error) {
	var h *domain.Handover
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if h, err = handoverIn(ctx, tx, id); err != nil {
			return err
		}
		if st := h.Status(); st != domain.HandoverDraft {
			return domain.Errf("handover", "err.handover.not_draft", "record %s is %s, not a draft", h.ID, st).
				WithArgs("Handover", h.ID, "Status", string(st))
		}
		if h.Direction == domain.HandoverReturn {
			return domain.Errf("handover", "err.handover.return_cancel", "a return record cannot be cancelled")
		}
		now := s.Now().UTC().Round(0)
		_, err = tx.ExecContext(ctx, "UPDATE handovers SET cancelled_at = ?, confirmed_by = ? WHERE id = ?", formatTime(now), staff, h.ID)
		h.CancelledAt, h.ConfirmedBy = &now, staff
		return err
	})
	return h, err
}

// Handover returns one record with its dossiers, or ErrNotFound.
func (s *Store) Handover(ctx context.Context, id string) (*domain.Handover, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return handoverIn(ctx, tx, id)
}

type txQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const handoverColumns = "id, direction, agency_code, officer, staff, confirmed_by, created_at, confirmed_at, cancelled_at"

func scanHandover(scan func(...any) error) (*domain.Handover, error) {
	var h domain.Handover
	var dir, created, confirmed, cancelled string
	if err := scan(&h.ID, &dir, &h.AgencyCode, &h.Officer, &h.Staff, &h.ConfirmedBy, &created, &confirmed, &cancelled); err != nil {
		return nil, err
	}
	h.Direction = domain.HandoverDirection(dir)
	h.CreatedAt, _ = parseTime(created)
	if t, _ := parseTime(confirmed); !t.IsZero() {
		h.ConfirmedAt = &t
	}
	if t, _ := parseTime(cancelled); !t.IsZero() {
		h.CancelledAt = &t
	}
	return &h, nil
}

func handoverIn(ctx context.Context, q txQuerier, id string) (*domain.Handover, error) {
	h, err := scanHandover(q.QueryRowContext(ctx, "SELECT "+handoverColumns+" FROM handovers WHERE id = ?", domain.Clean(id)).Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errf("handover", "err.handover.unknown", "no handover record %s", id).WithArgs("Handover", id)
	}
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT dossier FROM handover_items WHERE handover_id = ? ORDER BY position", h.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		h.Dossiers = append(h.Dossiers, d)
	}
	return h, rows.Err()
}

// HandoverFilter selects records; zero fields select all.
type HandoverFilter struct {
	Direction domain.HandoverDirection
	Status    domain.HandoverStatus
	Limit     int // newest first; 0: 200
}

// Handovers lists records, newest first, without their dossier lists.
func (s *Store) Handovers(ctx context.Context, f HandoverFilter) ([]domain.Handover, error) {
	q := "SELECT " + handoverColumns + " FROM handovers WHERE 1=1"
	var args []any
	if f.Direction != "" {
		q += " AND direction = ?"
		args = append(args, string(f.Direction))
	}
	switch f.Status {
	case domain.HandoverDraft:
		q += " AND confirmed_at = '' AND cancelled_at = ''"
	case domain.HandoverConfirmed:
		q += " AND confirmed_at <> ''"
	case domain.HandoverCancelled:
		q += " AND cancelled_at <> ''"
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + strconv.Itoa(f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Handover
	for rows.Next() {
		h, err := scanHandover(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, *h)
	}
	return out, rows.Err()
}

// HandoverDossiers loads the dossiers a record lists, in its order.
func (s *Store) HandoverDossiers(ctx context.Context, h *domain.Handover) ([]*domain.Dossier, error) {
	out := make([]*domain.Dossier, 0, len(h.Dossiers))
	for _, id := range h.Dossiers {
		d, err := s.Dossier(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("handover %s: dossier %s: %w", h.ID, id, err)
		}
		out = append(out, d)
	}
	return out, nil
}

package store

// The agency's outcomes: accepted, supplement asked, rejected, result ready, result-only registrations.

import (
	"context"
	"database/sql"
	"errors"

	"postdesk/internal/domain"
)

// Accept records the agency's appointment slip: official code and due date.
func (s *Store) Accept(ctx context.Context, staff, id string, p domain.AcceptPayload) (*domain.Dossier, error) {
	return s.move(ctx, staff, id, domain.KindAccept, func(r *recorder, d *domain.Dossier) (any, error) {
		p, err := domain.PrepareAccept(d, p)
		if err != nil {
			return nil, err
		}
		if other, err := officialCodeOwner(r, p.OfficialCode, d.ID); err != nil {
			return nil, err
		} else if other != "" {
			return nil, domain.Errf("official_code", "err.official_code.taken", "official code %s is already dossier %s's", p.OfficialCode, other).
				WithArgs("Code", p.OfficialCode, "Dossier", other)
		}
		return p, nil
	})
}

// officialCodeOwner names another dossier that has code, or "".
func officialCodeOwner(r *recorder, code, except string) (string, error) {
	var id string
	err := r.tx.QueryRowContext(r.ctx, "SELECT id FROM dossiers WHERE official_code = ? AND official_code <> '' AND id <> ? LIMIT 1", code, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// RequestSupplement records that the agency asks for more papers; the
// dossier goes back to the citizen-facing queue.
func (s *Store) RequestSupplement(ctx context.Context, staff, id string, p domain.SupplementPayload) (*domain.Dossier, error) {
	return s.move(ctx, staff, id, domain.KindRequestSupplement, func(_ *recorder, d *domain.Dossier) (any, error) {
		return domain.PrepareSupplement(d, p)
	})
}

// Reject records the agency's refusal with its reason.
func (s *Store) Reject(ctx context.Context, staff, id string, p domain.ReasonPayload) (*domain.Dossier, error) {
	return s.move(ctx, staff, id, domain.KindReject, func(_ *recorder, d *domain.Dossier) (any, error) {
		return domain.PrepareReject(d, p)
	})
}

// ResultReady records that the agency's result is ready.
func (s *Store) ResultReady(ctx context.Context, staff, id string) (*domain.Dossier, error) {
	return s.move(ctx, staff, id, domain.KindResultReady, func(_ *recorder, d *domain.Dossier) (any, error) {
		_, err := domain.Next(d.ID, d.State, d.Option, domain.KindResultReady)
		return nil, err
	})
}

// RegisterResultOnly registers a result the citizen asked to receive by post
// though they applied elsewhere, from the agency's list. Its official code
// must not be known already.
func (s *Store) RegisterResultOnly(ctx context.Context, staff string, d domain.Dossier, p domain.Procedure) (*domain.Dossier, error) {
	d, errs := domain.PrepareResultOnly(d, p)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var out *domain.Dossier
	err := s.inTx(ctx, func(r *recorder) error {
		if other, err := officialCodeOwner(r, d.OfficialCode, ""); err != nil {
			return err
		} else if other != "" {
			return domain.Errf("official_code", "err.official_code.taken", "official code %s is already dossier %s's", d.OfficialCode, other).
				WithArgs("Code", d.OfficialCode, "Dossier", other)
		}
		var err error
		out, err = r.intake(staff, domain.KindRegisterResult, d)
		return err
	})
	return out, err
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"postdesk/internal/domain"
)

// The round trip after intake, one file per concern: handover records to
// and from the agency (handover.go), the agency's outcomes (outcomes.go),
// delivery and failed attempts (delivery.go), what needs doing (todo.go),
// feedback (feedback.go) and the events the daily register reads
// (registerevents.go). This file has what they share: the transaction, the
// dossier moves and the lookups. Every action runs its domain checks on the
// dossier as it stands inside the write transaction, so a refused action
// changes nothing and two clerks cannot act on a stale view.

// inTx runs fn with a recorder in one write transaction.
func (s *Store) inTx(ctx context.Context, fn func(r *recorder) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		return fn(r)
	})
}

// load returns the dossier id inside r's transaction, or a FieldError naming it.
func (r *recorder) load(id string) (*domain.Dossier, error) {
	d, err := r.dossier(id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, unknownDossier(id)
	}
	return d, nil
}

func unknownDossier(id string) error {
	return domain.Errf("dossier", "err.dossier.unknown", "no dossier %s", id).WithArgs("Dossier", id)
}

// event builds a dossier event with its payload.
func event(kind domain.Kind, id, staff string, payload any) (*domain.Event, error) {
	raw, err := marshalPayload(payload)
	if err != nil {
		return nil, err
	}
	return &domain.Event{Kind: kind, Dossier: id, Staff: staff, Payload: raw}, nil
}

// move prepares and records one lifecycle move on dossier id: prepare sees
// the dossier as stored (and the transaction, through r) and returns the
// payload to record, or refuses.
func (s *Store) move(ctx context.Context, staff, id string, kind domain.Kind, prepare func(r *recorder, d *domain.Dossier) (any, error)) (*domain.Dossier, error) {
	var out *domain.Dossier
	err := s.inTx(ctx, func(r *recorder) error {
		d, err := r.load(id)
		if err != nil {
			return err
		}
		payload, err := prepare(r, d)
		if err != nil {
			return err
		}
		e, err := event(kind, id, staff, payload)
		if err != nil {
			return err
		}
		out, err = r.append(e, d, false)
		return err
	})
	return out, err
}

// ---------------------------------------------------------------- lookups

// FindByCode finds the dossier a scanned or typed code names exactly: a
// receipt number, an official dossier code or an S10 item code.
func (s *Store) FindByCode(ctx context.Context, code string) (*domain.Dossier, error) {
	c := strings.ToUpper(strings.Join(strings.Fields(domain.Clean(code)), ""))
	if c == "" {
		return nil, domain.Errf("code", "err.scan.empty", "scan or type a code")
	}
	if oc, err := domain.ParseOfficialCode(c); err == nil {
		c = oc.String()
	}
	var id string
	// "<> ''" lets SQLite use the partial indexes on the two codes.
	err := s.db.QueryRowContext(ctx, `SELECT id FROM dossiers WHERE id = ?1
		UNION ALL SELECT id FROM dossiers WHERE official_code = ?1 AND official_code <> ''
		UNION ALL SELECT id FROM dossiers WHERE item_code = ?1 AND item_code <> '' LIMIT 1`, c).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errf("code", "err.scan.unknown", "no dossier has the code %s", c).WithArgs("Code", c)
	}
	if err != nil {
		return nil, err
	}
	return s.Dossier(ctx, id)
}

// DossiersIn returns the dossiers in any of states (of one agency unless
// agency is ""), oldest intake first, at most limit (0: all).
func (s *Store) DossiersIn(ctx context.Context, agency string, limit int, states ...domain.State) ([]*domain.Dossier, error) {
	if len(states) == 0 {
		return nil, nil
	}
	q := "SELECT data FROM dossiers WHERE state IN (" + placeholders(len(states)) + ")"
	args := make([]any, 0, len(states)+2)
	for _, st := range states {
		args = append(args, string(st))
	}
	if agency != "" {
		q += " AND agency_code = ?"
		args = append(args, agency)
	}
	q += " ORDER BY received_at, id"
	if limit > 0 {
		q += " LIMIT " + strconv.Itoa(limit)
	}
	return s.queryDossiers(ctx, q, args...)
}

func (s *Store) queryDossiers(ctx context.Context, q string, args ...any) ([]*domain.Dossier, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*domain.Dossier
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var d domain.Dossier
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, err
		}
		out = append(out, &d)
	}
	return out, rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// AgencyCount is how many dossiers wait for one agency.
type AgencyCount struct {
	Agency domain.Agency
	Count  int
}

// HandoverQueue lists the agencies that have received dossiers waiting to be
// handed over, with how many, most first.
func (s *Store) HandoverQueue(ctx context.Context) ([]AgencyCount, error) {
	return s.agencyCounts(ctx, domain.StateReceived)
}

func (s *Store) agencyCounts(ctx context.Context, state domain.State) ([]AgencyCount, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.agency_code, coalesce(a.name, ''), count(*) FROM dossiers d
		LEFT JOIN agencies a ON a.code = d.agency_code
		WHERE d.state = ? GROUP BY d.agency_code ORDER BY count(*) DESC, d.agency_code`, string(state))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AgencyCount
	for rows.Next() {
		var c AgencyCount
		if err := rows.Scan(&c.Agency.Code, &c.Agency.Name, &c.Count); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Agency returns one agency of the catalog, or ErrNotFound.
func (s *Store) Agency(ctx context.Context, code string) (domain.Agency, error) {
	a := domain.Agency{Code: code}
	err := s.db.QueryRowContext(ctx, "SELECT name, level, address, phone FROM agencies WHERE code = ?", code).
		Scan(&a.Name, &a.Level, &a.Address, &a.Phone)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	return a, err
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
)

// The round trip: handover records to and from the agency, the agency's
// outcomes, delivery and failed attempts, what needs doing, feedback, and the
// events the daily register reads. Every action runs its domain checks on the
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

// ---------------------------------------------------------------- handover records

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

// ---------------------------------------------------------------- agency outcomes

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

// ---------------------------------------------------------------- delivery

// Proof is a file kept as proof of delivery: a signature drawn on screen or
// a photo. It is written beside the database in the proofs folder.
type Proof struct {
	Kind string // "signature" or "photo"
	Ext  string // ".png", ".jpg"
	Data []byte
}

// ProofsDir is the folder beside the database where proofs are kept.
func (s *Store) ProofsDir() string { return filepath.Join(filepath.Dir(s.path), "proofs") }

// ProofPath turns a proof's path as stored in an event into a file path.
func (s *Store) ProofPath(rel string) string {
	return filepath.Join(filepath.Dir(s.path), filepath.FromSlash(rel))
}

// saveProof writes a proof file (to a temporary name, synced, then renamed)
// and returns its path relative to the database's folder.
func (s *Store) saveProof(dossier string, p Proof) (string, error) {
	if err := os.MkdirAll(s.ProofsDir(), 0o700); err != nil {
		return "", err
	}
	ext := strings.ToLower(p.Ext)
	if ext == "" || len(ext) > 6 || strings.ContainsAny(ext, `/\`) {
		ext = ".bin"
	}
	name := fmt.Sprintf("%s-%s-%d%s", dossier, p.Kind, s.Now().UnixNano(), ext)
	final := filepath.Join(s.ProofsDir(), name)
	if err := atomicfile.WriteBytes(final, 0o600, p.Data); err != nil {
		return "", err
	}
	return "proofs/" + name, nil
}

// TakeOutForDelivery records that the postal worker leaves with these
// results, all or none.
func (s *Store) TakeOutForDelivery(ctx context.Context, staff string, ids []string) error {
	return s.inTx(ctx, func(r *recorder) error {
		for _, id := range ids {
			d, err := r.load(id)
			if err != nil {
				return err
			}
			if err := domain.CheckOutForDelivery(d); err != nil {
				return err
			}
			e, err := event(domain.KindOutForDelivery, id, staff, nil)
			if err != nil {
				return err
			}
			if _, err := r.append(e, d, false); err != nil {
				return err
			}
		}
		return nil
	})
}

// Deliver records a result handed over, with the recipient checked, the fee
// still due collected, and the proofs kept. Proof files are written first
// and removed again if the delivery is refused.
func (s *Store) Deliver(ctx context.Context, staff, id string, p domain.DeliverPayload, proofs ...Proof) (*domain.Dossier, error) {
	// Refuse early, before any file is written; checked again in the transaction.
	if d, err := s.Dossier(ctx, id); errors.Is(err, ErrNotFound) {
		return nil, unknownDossier(id)
	} else if err != nil {
		return nil, err
	} else if _, err := domain.PrepareDelivery(d, p); err != nil {
		return nil, err
	}
	var written []string
	for _, pr := range proofs {
		rel, err := s.saveProof(id, pr)
		if err != nil {
			s.removeProofs(written)
			return nil, err
		}
		written = append(written, rel)
		if pr.Kind == "signature" {
			p.SignatureFile = rel
		} else {
			p.PhotoFile = rel
		}
	}
	out, err := s.move(ctx, staff, id, domain.KindDeliver, func(_ *recorder, d *domain.Dossier) (any, error) {
		return domain.PrepareDelivery(d, p)
	})
	if err != nil {
		s.removeProofs(written)
	}
	return out, err
}

func (s *Store) removeProofs(rel []string) {
	for _, r := range rel {
		os.Remove(s.ProofPath(r))
	}
}

// FailDelivery records a failed attempt. When the policy says so (a refusal,
// or the Settings.MaxFailedAttempts-th failure) the result is returned to the
// agency in the same transaction and listed on the agency's open return
// record, which is returned too (nil otherwise).
func (s *Store) FailDelivery(ctx context.Context, staff, id string, p domain.FailedPayload) (*domain.Dossier, *domain.Handover, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out *domain.Dossier
	var ret *domain.Handover
	err = s.inTx(ctx, func(r *recorder) error {
		d, err := r.load(id)
		if err != nil {
			return err
		}
		p, back, err := domain.PrepareFailure(d, p, st.MaxFailedAttempts)
		if err != nil {
			return err
		}
		e, err := event(domain.KindDeliveryFailed, id, staff, p)
		if err != nil {
			return err
		}
		if out, err = r.append(e, d, false); err != nil {
			return err
		}
		if !back {
			return nil
		}
		if ret, err = r.returnRecord(staff, out.AgencyCode, id); err != nil {
			return err
		}
		reason := string(p.Reason)
		if p.Reason != domain.FailRefused {
			reason = domain.ReturnTooManyAttempts
		}
		e, err = event(domain.KindReturnToAgency, id, staff, domain.ReturnPayload{Reason: reason, HandoverID: ret.ID})
		if err != nil {
			return err
		}
		out, err = r.append(e, out, false)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return out, ret, nil
}

// returnRecord adds dossier id to the agency's open return record, drawing
// one up when there is none.
func (r *recorder) returnRecord(staff, agency, id string) (*domain.Handover, error) {
	var hid string
	err := r.tx.QueryRowContext(r.ctx, `SELECT id FROM handovers WHERE direction = 'return' AND agency_code = ?
		AND confirmed_at = '' AND cancelled_at = '' ORDER BY id LIMIT 1`, agency).Scan(&hid)
	if errors.Is(err, sql.ErrNoRows) {
		return r.newHandover(staff, domain.HandoverReturn, agency, []string{id})
	}
	if err != nil {
		return nil, err
	}
	h, err := handoverIn(r.ctx, r.tx, hid)
	if err != nil {
		return nil, err
	}
	if err := r.addItem(hid, len(h.Dossiers), id); err != nil {
		return nil, err
	}
	h.Dossiers = append(h.Dossiers, id)
	return h, nil
}

// DeliveryStop is one village of the delivery round with its results.
type DeliveryStop struct {
	Commune, Village string
	Dossiers         []*domain.Dossier
}

// DeliveryRound lists the results waiting to be delivered at the door, by
// commune and village, and those to be collected at the counter.
func (s *Store) DeliveryRound(ctx context.Context) (door []DeliveryStop, counter []*domain.Dossier, err error) {
	ds, err := s.DossiersIn(ctx, "", 0, domain.StateResultAtPost, domain.StateOutForDelivery, domain.StateDeliveryFailed)
	if err != nil {
		return nil, nil, err
	}
	idx := map[[2]string]int{}
	for _, d := range ds {
		if d.ReturnMethod == domain.ReturnAtCounter {
			counter = append(counter, d)
			continue
		}
		key := [2]string{d.Applicant.Commune, d.Applicant.Address}
		i, ok := idx[key]
		if !ok {
			i = len(door)
			idx[key] = i
			door = append(door, DeliveryStop{Commune: key[0], Village: key[1]})
		}
		door[i].Dossiers = append(door[i].Dossiers, d)
	}
	sort.SliceStable(door, func(a, b int) bool {
		ca, cb := domain.Fold(door[a].Commune), domain.Fold(door[b].Commune)
		if ca != cb {
			return ca < cb
		}
		return domain.Fold(door[a].Village) < domain.Fold(door[b].Village)
	})
	return door, counter, nil
}

// ---------------------------------------------------------------- what needs doing

// Todo is what needs doing at the post point now.
type Todo struct {
	ToHandOver   []AgencyCount     // received dossiers waiting for a handover, by agency
	Drafts       []domain.Handover // handover records not yet confirmed
	Overdue      []*domain.Dossier // at the agency past the appointment date, no result
	Supplement   []*domain.Dossier // the agency asks for papers: call the citizen
	Waiting      []*domain.Dossier // results at the post point for more than WaitingDays
	Retry        []*domain.Dossier // failed deliveries to try again
	OpenFeedback int               // feedback without an answer
	Counts       map[string]int    // total of each list, even when the list is cut
	// Open counts, state by state in round-trip order, every dossier still
	// waiting on the post point (not closed, and not a result the citizen
	// collects at the agency); they add up to OpenTotal. ReadyLong are the
	// results ready at the agency for more than WaitingDays, to fetch.
	Open      []StateCount
	OpenTotal int
	ReadyLong int
}

// StateCount is how many dossiers stand in one state.
type StateCount struct {
	State domain.State
	Count int
}

// waitingOnPost is the SQL condition of a dossier still waiting on the post
// point: its road is not closed, and it is not a result (or a refusal) the
// citizen collects at the agency because they chose send-only.
const waitingOnPost = `state NOT IN ('delivered', 'cancelled', 'returned_to_agency')
	AND NOT (state IN ('result_ready', 'rejected') AND option = 'send')`

// TodoLimit caps each list of the home screen.
const TodoLimit = 200

// Todo computes what needs doing at now, each list from an index.
func (s *Store) Todo(ctx context.Context, now time.Time) (*Todo, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	t := &Todo{Counts: map[string]int{}}
	if t.ToHandOver, err = s.HandoverQueue(ctx); err != nil {
		return nil, err
	}
	for _, a := range t.ToHandOver {
		t.Counts["handover"] += a.Count
	}
	if t.Drafts, err = s.Handovers(ctx, HandoverFilter{Status: domain.HandoverDraft}); err != nil {
		return nil, err
	}
	t.Counts["drafts"] = len(t.Drafts)
	y, m, d := now.In(domain.Zone).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
	if t.Overdue, err = s.queryDossiers(ctx, `SELECT data FROM dossiers WHERE state IN ('at_agency', 'accepted')
		AND due_date <> '' AND due_date < ? ORDER BY due_date LIMIT ?`, formatTime(today), TodoLimit); err != nil {
		return nil, err
	}
	var overdue int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE state IN ('at_agency', 'accepted')
		AND due_date <> '' AND due_date < ?`, formatTime(today)).Scan(&overdue); err != nil {
		return nil, err
	}
	t.Counts["overdue"] = overdue
	if t.Supplement, err = s.DossiersIn(ctx, "", TodoLimit, domain.StateSupplementRequested); err != nil {
		return nil, err
	}
	if t.Counts["supplement"], err = s.countState(ctx, domain.StateSupplementRequested); err != nil {
		return nil, err
	}
	// Results at the post: few at a time, so the wait is read from each dossier.
	atPost, err := s.DossiersIn(ctx, "", 0, domain.StateResultAtPost, domain.StateOutForDelivery)
	if err != nil {
		return nil, err
	}
	limit := today.AddDate(0, 0, -st.WaitingDays)
	for _, d := range atPost {
		if d.ResultAtPostAt != nil && d.ResultAtPostAt.Before(limit) {
			t.Counts["waiting"]++
			if len(t.Waiting) < TodoLimit {
				t.Waiting = append(t.Waiting, d)
			}
		}
	}
	if t.Retry, err = s.DossiersIn(ctx, "", TodoLimit, domain.StateDeliveryFailed); err != nil {
		return nil, err
	}
	if t.Counts["retry"], err = s.countState(ctx, domain.StateDeliveryFailed); err != nil {
		return nil, err
	}
	fb, err := s.Feedbacks(ctx, true)
	if err != nil {
		return nil, err
	}
	t.OpenFeedback = len(fb)
	t.Counts["feedback"] = len(fb)
	if err := s.openCounts(ctx, t, today.AddDate(0, 0, -st.WaitingDays)); err != nil {
		return nil, err
	}
	return t, nil
}

// openCounts fills t.Open, t.OpenTotal (counted on its own, so a state the
// list missed would show as a sum that does not add up) and t.ReadyLong.
func (s *Store) openCounts(ctx context.Context, t *Todo, readySince time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM dossiers WHERE `+waitingOnPost+` GROUP BY state`)
	if err != nil {
		return err
	}
	by := map[domain.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return err
		}
		by[domain.State(st)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, st := range domain.States {
		if n := by[st]; n > 0 {
			t.Open = append(t.Open, StateCount{State: st, Count: n})
		}
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE `+waitingOnPost).Scan(&t.OpenTotal); err != nil {
		return err
	}
	return s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE state = 'result_ready' AND option <> 'send'
		AND updated_at < ?`, formatTime(readySince)).Scan(&t.ReadyLong)
}

func (s *Store) countState(ctx context.Context, st domain.State) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE state = ?", string(st)).Scan(&n)
	return n, err
}

// ---------------------------------------------------------------- feedback

// RecordFeedback records a citizen's feedback, about dossier (or "" for the
// service in general). It travels to the province with the other events.
func (s *Store) RecordFeedback(ctx context.Context, staff, dossier string, p domain.FeedbackPayload) (*domain.Feedback, error) {
	p, errs := domain.PrepareFeedback(p)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	dossier = domain.Clean(dossier)
	var fb *domain.Feedback
	err := s.inTx(ctx, func(r *recorder) error {
		if dossier != "" {
			if _, err := r.load(dossier); err != nil {
				return err
			}
		}
		e, err := event(domain.KindFeedback, dossier, staff, p)
		if err != nil {
			return err
		}
		if _, err := r.append(e, nil, true); err != nil {
			return err
		}
		fb = &domain.Feedback{ID: domain.FeedbackID(e), Dossier: dossier, FeedbackPayload: p, At: e.At, Staff: staff}
		return nil
	})
	return fb, err
}

// CloseFeedback records what was done about an open feedback.
func (s *Store) CloseFeedback(ctx context.Context, staff string, p domain.FeedbackClosePayload) error {
	p, err := domain.PrepareFeedbackClose(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(r *recorder) error {
		all, err := feedbacks(r.ctx, r.tx)
		if err != nil {
			return err
		}
		var fb *domain.Feedback
		for i := range all {
			if all[i].ID == p.Feedback {
				fb = &all[i]
			}
		}
		if fb == nil {
			return domain.Errf("feedback", "err.feedback.unknown", "no feedback %s", p.Feedback).WithArgs("ID", p.Feedback)
		}
		if fb.ClosedAt != nil {
			return domain.Errf("feedback", "err.feedback.closed", "feedback %s was already answered", p.Feedback).WithArgs("ID", p.Feedback)
		}
		e, err := event(domain.KindFeedbackClose, fb.Dossier, staff, p)
		if err != nil {
			return err
		}
		_, err = r.append(e, nil, true)
		return err
	})
}

// Feedbacks lists feedback, newest first; only those not yet answered when open.
func (s *Store) Feedbacks(ctx context.Context, open bool) ([]domain.Feedback, error) {
	all, err := feedbacks(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Feedback, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if !open || all[i].ClosedAt == nil {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// feedbacks reads every feedback from the log, oldest first, with its answer.
func feedbacks(ctx context.Context, q txQuerier) ([]domain.Feedback, error) {
	rows, err := q.QueryContext(ctx, `SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash FROM events
		WHERE kind IN (?, ?) ORDER BY rowid`, string(domain.KindFeedback), string(domain.KindFeedbackClose))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Feedback
	index := map[string]int{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		switch e.Kind {
		case domain.KindFeedback:
			var p domain.FeedbackPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("event %s/%d: %w", e.DeviceID, e.Seq, err)
			}
			id := domain.FeedbackID(&e)
			index[id] = len(out)
			out = append(out, domain.Feedback{ID: id, Dossier: e.Dossier, FeedbackPayload: p, At: e.At, Staff: e.Staff})
		case domain.KindFeedbackClose:
			var p domain.FeedbackClosePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("event %s/%d: %w", e.DeviceID, e.Seq, err)
			}
			if i, ok := index[p.Feedback]; ok && out[i].ClosedAt == nil {
				at := e.At
				out[i].ClosedAt, out[i].ClosedBy, out[i].Action = &at, e.Staff, p.Action
			}
		}
	}
	return out, rows.Err()
}

// ---------------------------------------------------------------- the register's events

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

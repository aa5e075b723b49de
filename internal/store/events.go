package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// recorder appends this device's events inside one transaction, keeping the
// chain head in memory so a bulk load does not re-read it for every event.
type recorder struct {
	ctx      context.Context
	tx       *sql.Tx
	device   domain.Device
	lastSeq  int64
	lastHash string
	insEvent *sql.Stmt
	putDoss  *sql.Stmt
	peerBulk bool // peer events stored without their projection (bulkpeers.go)
	getDoss  *sql.Stmt
	// getLatest is latest's query (peers.go), prepared on first use.
	getLatest *sql.Stmt
	now       func() time.Time
	// deferred, when set, collects projections to write once at the end of a
	// bulk transaction instead of after every event; receipts likewise keeps
	// the daily receipt sequences.
	deferred map[string]*domain.Dossier
	receipts map[string]int
	peers    *bool // whether other devices' events are held (asked once)
	// peerPending and peerOrder are the dossiers the peer runs of the
	// transaction touched, written once by flushPeers (peers.go).
	peerPending map[string]*peerDossier
	peerOrder   []string
}

func (s *Store) newRecorder(ctx context.Context, tx *sql.Tx) (*recorder, error) {
	dev, _, err := deviceOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	r := &recorder{ctx: ctx, tx: tx, device: dev, now: s.Now}
	var last []byte
	err = tx.QueryRowContext(ctx, "SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", dev.ID()).
		Scan(&r.lastSeq, &last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	r.lastHash = hex.EncodeToString(last)
	if r.insEvent, err = tx.PrepareContext(ctx, `INSERT INTO events(device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return nil, err
	}
	if r.putDoss, err = tx.PrepareContext(ctx, `INSERT INTO dossiers(id, state, option, procedure_code, agency_code,
		applicant_name, name_fold, citizen_id, phone, commune, official_code, item_code, received_at, due_date, updated_at, device_id, data,
		name_keys, in_conflict)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET state = excluded.state, option = excluded.option, procedure_code = excluded.procedure_code,
		agency_code = excluded.agency_code, applicant_name = excluded.applicant_name, name_fold = excluded.name_fold,
		citizen_id = excluded.citizen_id, phone = excluded.phone, commune = excluded.commune, official_code = excluded.official_code,
		item_code = excluded.item_code, received_at = excluded.received_at, due_date = excluded.due_date,
		updated_at = excluded.updated_at, device_id = excluded.device_id, data = excluded.data, name_keys = excluded.name_keys,
		in_conflict = excluded.in_conflict`); err != nil {
		return nil, err
	}
	if r.getDoss, err = tx.PrepareContext(ctx, "SELECT data FROM dossiers WHERE id = ?"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *recorder) close() {
	r.insEvent.Close()
	r.putDoss.Close()
	r.getDoss.Close()
	if r.getLatest != nil {
		r.getLatest.Close()
	}
}

// dossier loads the projection of id, or nil when there is none.
func (r *recorder) dossier(id string) (*domain.Dossier, error) {
	var data []byte
	err := r.getDoss.QueryRowContext(r.ctx, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var d domain.Dossier
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dossier %s: stored projection unreadable: %w", id, err)
	}
	return &d, nil
}

// append seals and stores one event of this device. For a dossier event it
// applies the lifecycle to cur (loaded when nil and load is true) and writes
// the projection; an illegal move stores nothing.
func (r *recorder) append(e *domain.Event, cur *domain.Dossier, load bool) (*domain.Dossier, error) {
	e.DeviceID = r.device.ID()
	e.Seq = r.lastSeq + 1
	if e.At.IsZero() {
		e.At = r.now()
	}
	if e.Dossier != "" && (cur != nil || load) {
		// With other devices' events held, a move comes after every event
		// of the dossier held here, whatever this PC's clock says
		// (domain.CausalTime): the ordering rule then puts it last everywhere.
		if r.peers == nil {
			has, err := r.hasPeerEvents()
			if err != nil {
				return nil, err
			}
			r.peers = &has
		}
		if *r.peers {
			maxAt, maxDev, err := r.latest(e.Dossier)
			if err != nil {
				return nil, err
			}
			if maxDev != "" {
				e.At = domain.CausalTime(e.At.UTC().Round(0), maxAt)
			}
		}
	}
	e.At = e.At.UTC().Round(0) // as it will read back from the log, so a replay matches
	// The last guard behind the edge checks: no event too large to sync.
	if fe := domain.EventTooLarge(e.Kind, len(e.Payload)); fe != nil {
		return nil, domain.Errors{fe}
	}
	var next *domain.Dossier
	if e.Dossier != "" {
		if cur == nil && load {
			var err error
			if cur, err = r.dossier(e.Dossier); err != nil {
				return nil, err
			}
		}
		var err error
		if next, err = domain.Apply(cur, e); err != nil {
			return nil, err
		}
	}
	e.Seal(r.lastHash)
	if _, err := r.insEvent.ExecContext(r.ctx, e.DeviceID, e.Seq, string(e.Kind), e.Dossier, e.Staff,
		formatTime(e.At), []byte(e.Payload), hashBlob(e.PrevHash), hashBlob(e.Hash)); err != nil {
		return nil, err
	}
	r.lastSeq, r.lastHash = e.Seq, e.Hash
	if next != nil {
		if r.deferred != nil {
			r.deferred[next.ID] = next
		} else if err := r.putDossier(next); err != nil {
			return nil, err
		}
	}
	return next, nil
}

func (r *recorder) putDossier(d *domain.Dossier) error {
	row, err := dossierRow(d)
	if err != nil {
		return err
	}
	return r.putRow(row)
}

// dossierRow is d's row as putDossier writes it (no database: the catch-up
// makes rows on another core than the one writing them).
func dossierRow(d *domain.Dossier) ([]any, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return projectionRow(d, data), nil
}

// putRow writes a row of dossierRow.
func (r *recorder) putRow(row []any) error {
	_, err := r.putDoss.ExecContext(r.ctx, row...)
	return err
}

// projectionRow is the column tuple of a dossier, in putDoss's order. check
// compares it with the stored row, so both come from this one function.
func projectionRow(d *domain.Dossier, data []byte) []any {
	var due string
	if d.DueDate != nil {
		due = formatTime(*d.DueDate)
	} else if d.ExpectedDate != nil {
		due = formatTime(*d.ExpectedDate)
	}
	return []any{d.ID, string(d.State), string(d.Option), d.ProcedureCode, d.AgencyCode,
		d.Applicant.FullName, domain.Fold(d.Applicant.FullName), d.Applicant.IDNumber, d.Applicant.Phone,
		d.Applicant.Commune, d.OfficialCode, d.ItemCode, formatTime(d.ReceivedAt), due, formatTime(d.UpdatedAt),
		d.DeviceID, data, nameKeysJSON(d.Applicant.FullName), conflictFlag(d)}
}

// conflictFlag is the in_conflict column of a dossier.
func conflictFlag(d *domain.Dossier) int64 {
	if d.InConflict() {
		return 1
	}
	return 0
}

// nextReceipt allocates the next receipt number of the local day of at.
func (r *recorder) nextReceipt(at time.Time) (string, error) {
	local := at.In(domain.Zone)
	day := local.Format("060102")
	last, cached := r.receipts[day]
	if !cached {
		err := r.tx.QueryRowContext(r.ctx, "SELECT last FROM receipt_seq WHERE day = ?", day).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	last++
	if r.receipts != nil {
		r.receipts[day] = last // written by flush, at the end of the bulk transaction
	} else if err := r.saveReceiptSeq(day, last); err != nil {
		return "", err
	}
	y, m, d := local.Date()
	return domain.ReceiptNumber{PostPoint: r.device.PostPointCode, Letter: r.device.Letter,
		Date: time.Date(y, m, d, 0, 0, 0, 0, domain.Zone), Seq: last}.String(), nil
}

func (r *recorder) saveReceiptSeq(day string, last int) error {
	_, err := r.tx.ExecContext(r.ctx, `INSERT INTO receipt_seq(day, last) VALUES(?, ?)
		ON CONFLICT(day) DO UPDATE SET last = excluded.last`, day, last)
	return err
}

// flush writes what a bulk transaction deferred.
func (r *recorder) flush() error {
	for day, last := range r.receipts {
		if err := r.saveReceiptSeq(day, last); err != nil {
			return err
		}
	}
	for _, d := range r.deferred {
		if err := r.putDossier(d); err != nil {
			return err
		}
	}
	return nil
}

// Record appends one event by staff. For a dossier event it moves the
// dossier through the lifecycle in the same transaction and returns it.
func (s *Store) Record(ctx context.Context, staff string, kind domain.Kind, dossier string, payload any) (*domain.Event, *domain.Dossier, error) {
	raw, err := marshalPayload(payload)
	if err != nil {
		return nil, nil, err
	}
	e := &domain.Event{Kind: kind, Dossier: dossier, Staff: staff, Payload: raw}
	var d *domain.Dossier
	err = s.write(ctx, func(tx *sql.Tx) error {
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		d, err = r.append(e, nil, true)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return e, d, nil
}

func marshalPayload(payload any) (json.RawMessage, error) {
	switch p := payload.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return p, nil
	default:
		return json.Marshal(p)
	}
}

// Intake records a new dossier taken at the counter or at home (or a
// result-only registration): it allocates the receipt number and writes the
// event and the projection in one transaction, so a receipt that printed is
// never lost and two intakes never share a number.
func (s *Store) Intake(ctx context.Context, staff string, d domain.Dossier) (*domain.Dossier, error) {
	kind := domain.KindIntake
	if d.Option == domain.OptionReturnOnly {
		kind = domain.KindRegisterResult
	}
	var out *domain.Dossier
	err := s.write(ctx, func(tx *sql.Tx) error {
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		out, err = r.intake(staff, kind, d)
		return err
	})
	return out, err
}

func (r *recorder) intake(staff string, kind domain.Kind, d domain.Dossier) (*domain.Dossier, error) {
	at := d.ReceivedAt
	if at.IsZero() {
		at = r.now()
	}
	id, err := r.nextReceipt(at)
	if err != nil {
		return nil, err
	}
	d.ID, d.PostPointCode, d.DeviceID, d.ReceivedAt = id, r.device.PostPointCode, r.device.ID(), at.UTC()
	d.State, d.Version = "", 0
	raw, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return r.append(&domain.Event{Kind: kind, Dossier: id, Staff: staff, At: at, Payload: raw}, nil, false)
}

// EventRow is an event as stored, with the order it was applied in.
type EventRow struct {
	domain.Event
	Order int64 // rowid: application order on this machine
}

// DossierEvents returns a dossier's timeline, oldest first.
func (s *Store) DossierEvents(ctx context.Context, id string) ([]domain.Event, error) {
	return s.queryEvents(ctx, "WHERE dossier = ? AND dossier <> '' ORDER BY rowid", id) // <> '': the partial index events_dossier
}

// EventsAfter returns up to limit events of a device with seq > after, in order (the sync outbox).
func (s *Store) EventsAfter(ctx context.Context, device string, after int64, limit int) ([]domain.Event, error) {
	return s.queryEvents(ctx, "WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?", device, after, limit)
}

func (s *Store) queryEvents(ctx context.Context, where string, args ...any) ([]domain.Event, error) {
	return queryEventsIn(ctx, s.db, where, args...)
}

// queryEventsIn reads events through the handle or a transaction.
func queryEventsIn(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, where string, args ...any) ([]domain.Event, error) {
	rows, err := q.QueryContext(ctx, "SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash FROM events "+where, args...)
	if err != nil {
		return nil, err
	}
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

func scanEvent(rows *sql.Rows) (domain.Event, error) {
	var e domain.Event
	var kind, at string
	var payload, prev, hash []byte
	if err := rows.Scan(&e.DeviceID, &e.Seq, &kind, &e.Dossier, &e.Staff, &at, &payload, &prev, &hash); err != nil {
		return e, err
	}
	e.PrevHash, e.Hash = hex.EncodeToString(prev), hex.EncodeToString(hash)
	e.Kind = domain.Kind(kind)
	if len(payload) > 0 {
		e.Payload = json.RawMessage(payload)
	}
	t, err := parseTime(at)
	e.At = t
	return e, err
}

// hashBlob stores a hex hash as its 32 bytes, half the size on disk. A
// malformed hex string (never made by Seal) is kept as its text bytes so the
// chain check reports it instead of losing it.
func hashBlob(h string) []byte {
	b, err := hex.DecodeString(h)
	if err != nil {
		return []byte(h)
	}
	return b
}

// LastSeq is the newest sequence number of a device in this database.
func (s *Store) LastSeq(ctx context.Context, device string) (int64, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, "SELECT max(seq) FROM events WHERE device_id = ?", device).Scan(&n)
	return n.Int64, err
}

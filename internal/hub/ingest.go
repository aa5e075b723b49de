package hub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// Incoming is a batch whose signature was already verified with the
// device's enrolled key (see the server and the file import): what Ingest
// still checks is the enrollment (again, inside the transaction), the
// header against the events, the chain and the sequence.
type Incoming struct {
	BatchID    string
	DeviceID   string
	BodySHA256 string // hex SHA-256 of the body as received (idempotence by batch id)
	FirstSeq   int64
	LastSeq    int64
	Count      int
	Events     []domain.Event
	Via        string // "http" or "file"
}

// AckFunc makes the signed ack the hub answers: "device, batch, through seq K".
type AckFunc func(deviceID, batchID string, through int64, at time.Time) ([]byte, error)

// Result is what Ingest did.
type Result struct {
	Ack       []byte // signed ack, stored with the batch and sent again for a duplicate
	Through   int64  // every event of the device up to here is stored
	New       int    // events stored by this call
	Duplicate bool   // the same batch id was already accepted: nothing changed
}

// Ingest stores a batch's new events in one transaction and returns the
// signed ack. Same batch twice: no-op, same ack. A batch overlapping what is
// stored (a retry after a lost ack) stores only its new events, provided the
// overlapping ones are identical. Every refusal stores nothing (conflicts
// excepted: they are recorded for an engineer, the events are not).
func (s *Store) Ingest(ctx context.Context, in Incoming, sign AckFunc) (*Result, error) {
	res, conflicts, err := s.ingest(ctx, in, sign)
	if err != nil {
		if len(conflicts) > 0 {
			if cerr := s.recordConflicts(ctx, conflicts); cerr != nil {
				return nil, cerr
			}
		}
		s.noteRefusal(ctx, in.DeviceID, in.BatchID, err)
		return nil, err
	}
	return res, nil
}

func (s *Store) ingest(ctx context.Context, in Incoming, sign AckFunc) (*Result, []conflict, error) {
	if err := checkHeader(in); err != nil {
		return nil, nil, err
	}
	var res *Result
	var conflicts []conflict
	now := s.Now()
	err := s.write(ctx, func(tx *sql.Tx) error {
		dev, err := deviceIn(ctx, tx, in.DeviceID)
		if errors.Is(err, ErrNotFound) {
			return refuse(CodeUnknownDevice, "device %s is not enrolled at this hub", in.DeviceID)
		}
		if err != nil {
			return err
		}
		if dev.Revoked() {
			return refuse(CodeRevoked, "device %s was revoked on %s", dev.ID, domain.FormatDateTime(dev.RevokedAt))
		}
		// The same batch again: answer the ack already given.
		var storedDev, storedSHA string
		var ack []byte
		var through int64
		err = tx.QueryRowContext(ctx, "SELECT device_id, body_sha256, ack, through_seq FROM batches WHERE batch_id = ?", in.BatchID).
			Scan(&storedDev, &storedSHA, &ack, &through)
		if err == nil {
			if storedDev != in.DeviceID || storedSHA != in.BodySHA256 {
				return refuse(CodeBatchReused, "batch id %s was already used for other content", in.BatchID)
			}
			res = &Result{Ack: ack, Through: through, Duplicate: true}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := domain.VerifyChain(in.Events[0].PrevHash, in.Events); err != nil {
			return refuse(CodeChain, "the batch's hash chain is broken: %v", err)
		}
		if in.FirstSeq > dev.HeadSeq+1 {
			r := refuse(CodeGap, "the hub holds device %s up to seq %d; the batch starts at %d: send from seq %d",
				dev.ID, dev.HeadSeq, in.FirstSeq, dev.HeadSeq+1)
			r.ExpectedSeq = dev.HeadSeq + 1
			return r
		}
		// The link to what is stored: the hash of the event before the first.
		var wantPrev string
		if in.FirstSeq > 1 {
			if in.FirstSeq-1 == dev.HeadSeq {
				wantPrev = dev.HeadHash
			} else if err := tx.QueryRowContext(ctx, "SELECT hash FROM hub_events WHERE device_id = ? AND seq = ?",
				dev.ID, in.FirstSeq-1).Scan(&wantPrev); err != nil {
				return fmt.Errorf("stored chain of %s at seq %d: %w", dev.ID, in.FirstSeq-1, err)
			}
		}
		// Overlap: events already stored must be the very same.
		var fresh []domain.Event
		if in.FirstSeq <= dev.HeadSeq {
			stored, err := storedHashes(ctx, tx, dev.ID, in.FirstSeq, min(in.LastSeq, dev.HeadSeq))
			if err != nil {
				return err
			}
			for i := range in.Events {
				e := &in.Events[i]
				if e.Seq > dev.HeadSeq {
					fresh = in.Events[i:]
					break
				}
				if h := stored[e.Seq]; h != e.Hash {
					b, _ := json.Marshal(e)
					conflicts = append(conflicts, conflict{device: dev.ID, seq: e.Seq, batch: in.BatchID,
						stored: h, received: e.Hash, event: b, at: now})
				}
			}
			if len(conflicts) > 0 {
				return refuse(CodeConflict, "device %s seq %d is already stored with other content (%d event(s) differ); nothing was stored, an engineer must look at it",
					dev.ID, conflicts[0].seq, len(conflicts))
			}
		} else {
			if in.Events[0].PrevHash != wantPrev {
				return refuse(CodeChain, "event %d does not link to the hub's last event of device %s (seq %d)",
					in.FirstSeq, dev.ID, dev.HeadSeq)
			}
			fresh = in.Events
		}
		head, headHash := dev.HeadSeq, dev.HeadHash
		if len(fresh) > 0 {
			if err := insertEvents(ctx, tx, in.BatchID, fresh, now); err != nil {
				return err
			}
			last := fresh[len(fresh)-1]
			head, headHash = last.Seq, last.Hash
		}
		ack, err = sign(dev.ID, in.BatchID, head, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE devices SET head_seq = ?, head_hash = ?, last_sync_at = ?, last_batch_at = ? WHERE id = ?`,
			head, headHash, formatTime(now), formatTime(now), dev.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO batches(batch_id, device_id, body_sha256, first_seq, last_seq, events,
			new_events, through_seq, ack, via, received_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.BatchID, dev.ID, in.BodySHA256, in.FirstSeq, in.LastSeq, len(in.Events), len(fresh), head, ack, in.Via,
			formatTime(now)); err != nil {
			return err
		}
		res = &Result{Ack: ack, Through: head, New: len(fresh)}
		return nil
	})
	if err != nil {
		return nil, conflicts, err
	}
	return res, nil, nil
}

// checkHeader refuses a batch whose header contradicts its events.
func checkHeader(in Incoming) error {
	if in.BatchID == "" || len(in.BatchID) > 100 {
		return refuse(CodeBadHeader, "the batch has no valid id")
	}
	if len(in.Events) == 0 {
		return refuse(CodeBadHeader, "the batch has no events")
	}
	if in.Count != len(in.Events) {
		return refuse(CodeCorrupt, "the header announces %d events, the body holds %d", in.Count, len(in.Events))
	}
	first, last := in.Events[0].Seq, in.Events[len(in.Events)-1].Seq
	if in.FirstSeq != first || in.LastSeq != last || first < 1 || last-first+1 != int64(len(in.Events)) {
		return refuse(CodeBadHeader, "the header says seq %d–%d but the events run %d–%d", in.FirstSeq, in.LastSeq, first, last)
	}
	for i := range in.Events {
		if in.Events[i].DeviceID != in.DeviceID {
			return refuse(CodeBadHeader, "event %d belongs to device %s, not to %s", in.Events[i].Seq, in.Events[i].DeviceID, in.DeviceID)
		}
	}
	return nil
}

func storedHashes(ctx context.Context, tx *sql.Tx, device string, from, to int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT seq, hash FROM hub_events WHERE device_id = ? AND seq BETWEEN ? AND ?", device, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]string, to-from+1)
	for rows.Next() {
		var seq int64
		var h string
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, err
		}
		out[seq] = h
	}
	return out, rows.Err()
}

// insertEvents stores events and moves the hub's projection with them.
func insertEvents(ctx context.Context, tx *sql.Tx, batchID string, events []domain.Event, now time.Time) error {
	ins, err := tx.PrepareContext(ctx, `INSERT INTO hub_events(device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash, batch_id, received_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	p, err := newProjector(ctx, tx)
	if err != nil {
		return err
	}
	defer p.close()
	recv := formatTime(now)
	for i := range events {
		e := &events[i]
		var payload []byte
		if len(e.Payload) > 0 {
			payload = e.Payload
		}
		if _, err := ins.ExecContext(ctx, e.DeviceID, e.Seq, string(e.Kind), e.Dossier, e.Staff, formatTime(e.At),
			payload, e.PrevHash, e.Hash, batchID, recv); err != nil {
			return err
		}
		if err := p.apply(e); err != nil {
			return err
		}
	}
	return p.flush()
}

type conflict struct {
	device, batch    string
	seq              int64
	stored, received string
	event            []byte
	at               time.Time
}

func (s *Store) recordConflicts(ctx context.Context, cs []conflict) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO conflicts(device_id, seq, batch_id, stored_hash, received_hash, received, detected_at)
				VALUES(?, ?, ?, ?, ?, ?, ?)`, c.device, c.seq, c.batch, c.stored, c.received, c.event, formatTime(c.at)); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxRefusals is how many refusals the web page can show; older ones go.
const maxRefusals = 2000

// noteRefusal keeps a refusal for the web page. Best effort: a failure to
// note it must not hide the refusal itself.
func (s *Store) noteRefusal(ctx context.Context, device, batch string, err error) {
	r := AsRefusal(err)
	msg := r.Message
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_ = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO refusals(at, device_id, batch_id, code, message) VALUES(?, ?, ?, ?, ?)",
			formatTime(s.Now()), truncate(device, 40), truncate(batch, 100), r.Code, msg); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM refusals WHERE id <= (SELECT max(id) FROM refusals) - ?", maxRefusals)
		return err
	})
}

// NoteRefusal records a refusal decided outside Ingest (bad signature, corrupt body).
func (s *Store) NoteRefusal(ctx context.Context, device, batch string, err error) {
	s.noteRefusal(ctx, device, batch, err)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

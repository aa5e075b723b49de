package hubstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// Result is what an ingest did.
type Result struct {
	Device     string
	Ack        []byte // the signed ack JSON (syncproto.Signed): stored with the batch, sent again for a duplicate
	Through    int64  // every event of the device up to here is stored
	LastHash   string // hash of event Through
	New        int    // events stored by this call
	Duplicates int    // batches already accepted before: nothing changed for them
}

// incoming is a parsed batch whose signature verified, and its events.
type incoming struct {
	b      *syncproto.Batch
	events []domain.Event
}

// ReceiveBatch checks and stores one envelope (POST /v1/batches) and returns
// the signed ack: "device D, through seq K". The checks, in order: framing
// and header (syncproto), enrollment (unknown or revoked device refused),
// signature with the enrolled key, body hash, gzip and lines, the chain
// (every hash recomputed by domain.VerifyChain), the link to the last event
// stored for the device and the sequence (a gap names the seq expected).
// Then every new event is stored in one transaction. Same batch twice: no
// change, the same ack. A batch overlapping what is stored (a retry after a
// lost ack) stores only its new events, provided the overlap is identical.
// Every refusal stores nothing — except that a conflict (a seq stored with
// other content) is recorded for an engineer; the stored event stays.
func (s *Store) ReceiveBatch(ctx context.Context, env []byte, via string) (*Result, error) {
	device := ""
	res, err := func() (*Result, error) {
		b, err := syncproto.ParseBatch(env)
		if err != nil {
			return nil, err
		}
		device = b.Header.Device
		in, dev, err := s.open(ctx, b)
		if err != nil {
			return nil, err
		}
		return s.ingest(ctx, dev, []incoming{in}, via)
	}()
	if err != nil {
		s.NoteRefusal(ctx, device, err)
		return nil, err
	}
	return res, nil
}

// open verifies a batch with its device's enrolled key and decodes its events.
func (s *Store) open(ctx context.Context, b *syncproto.Batch) (incoming, *Device, error) {
	dev, err := s.Device(ctx, b.Header.Device)
	if errors.Is(err, ErrNotFound) {
		return incoming{}, nil, Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", b.Header.Device)
	}
	if err != nil {
		return incoming{}, nil, err
	}
	if dev.Revoked() {
		return incoming{}, nil, s.revokedError(dev)
	}
	if b.Header.PostPoint != dev.PostPointCode {
		return incoming{}, nil, Refuse(syncproto.CodeWrongPoint, "device %s belongs to post point %s, not %s", dev.ID, dev.PostPointCode, b.Header.PostPoint)
	}
	if err := b.Verify(dev.PublicKey); err != nil {
		return incoming{}, nil, err
	}
	events, err := b.Events()
	if err != nil {
		return incoming{}, nil, err
	}
	if len(events) != b.Header.Count {
		return incoming{}, nil, Refuse(syncproto.CodeCorruptBody, "the header announces %d events, the body holds %d", b.Header.Count, len(events))
	}
	return incoming{b: b, events: events}, dev, nil
}

// FileResult is what a USB batch file import did, and the reply to carry back.
type FileResult struct {
	Result
	Reply        syncproto.Signed // ack + updates, signed by the hub
	AgeRecipient string           // the device's: the reply file is encrypted to it
	Updates      int
}

// ReceiveFile imports a USB batch file: every batch in it is checked, then
// all are stored in one transaction or none, and the reply (the signed ack
// through the device's head and its updates after the cursor the file
// carried) is returned for WriteReplyFile. Importing the same file again
// stores nothing and gives an equivalent reply. The file is streamed: one
// envelope is read, verified and stored at a time inside the transaction,
// so memory stays bounded whatever the file's size; the end of the age
// stream (authenticated) is reached before the transaction commits.
func (s *Store) ReceiveFile(ctx context.Context, r io.Reader) (*FileResult, error) {
	device := ""
	res, err := func() (*FileResult, error) {
		fr, err := syncproto.OpenBatchFile(r, s.ageID)
		if err != nil {
			return nil, err
		}
		first, err := fr.Next()
		if err != nil {
			return nil, err
		}
		device = first.Header.Device
		in, dev, err := s.open(ctx, first)
		if err != nil {
			return nil, err
		}
		proofs := fr.Proofs()
		for _, f := range proofs {
			if f.Part.Device != dev.ID {
				return nil, Refuse(syncproto.CodeBadHeader, "proof file %s is from device %s, not %s", f.Part.Name, f.Part.Device, dev.ID)
			}
			if err := f.Verify(dev.PublicKey); err != nil {
				return nil, err
			}
		}
		after := first.Header.UpdatesAfter
		lastID := first.Header.BatchID
		i := 0
		next := func() (incoming, error) {
			i++
			if i == 1 {
				return in, nil
			}
			b, err := fr.Next()
			if err != nil {
				return incoming{}, err
			}
			in, d, err := s.open(ctx, b)
			if err != nil {
				if e := AsRefusal(err); IsRefusal(err) {
					e.Message = fmt.Sprintf("batch %d of the file: %s", i, e.Message)
				}
				return incoming{}, err
			}
			if d.ID != dev.ID || !bytes.Equal(d.PublicKey, dev.PublicKey) {
				return incoming{}, Refuse(syncproto.CodeBadHeader, "batch %d of the file is from device %s, not %s", i, d.ID, dev.ID)
			}
			lastID = b.Header.BatchID
			return in, nil
		}
		res, err := s.ingestStream(ctx, dev, next, "file")
		if err != nil {
			return nil, err
		}
		acks, err := s.putProofFiles(ctx, proofs)
		if err != nil {
			return nil, err
		}
		return s.reply(ctx, dev.ID, lastID, after, res, acks)
	}()
	if err != nil {
		s.NoteRefusal(ctx, device, err)
		return nil, err
	}
	return res, nil
}

// reply builds the signed reply of a file import: the ack through the
// device's head, and every update after the file's cursor (a file carries
// at most syncproto.MaxUpdates; the rest comes with the next file or sync).
func (s *Store) reply(ctx context.Context, deviceID, batchID string, after int64, res *Result, proofs []syncproto.Signed) (*FileResult, error) {
	now := s.Now()
	var ups syncproto.Updates
	var dev *Device
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if dev, err = deviceIn(ctx, tx, deviceID); err != nil {
			return err
		}
		items, more, next, err := pullTx(ctx, tx, dev, after, syncproto.MaxUpdates, now)
		if err != nil {
			return err
		}
		ups = syncproto.Updates{Device: deviceID, After: after, Next: next, More: more, HubTime: now.UTC(), Items: items}
		_, err = tx.ExecContext(ctx, "UPDATE devices SET update_cursor = CASE WHEN update_cursor > ? THEN update_cursor ELSE ? END, last_sync_at = ? WHERE id = ?",
			after, after, formatTime(now), deviceID)
		return err
	})
	if err != nil {
		return nil, err
	}
	ack, err := syncproto.SignAck(s.signKey, syncproto.Ack{Device: deviceID, BatchID: batchID, ThroughSeq: res.Through,
		LastHash: res.LastHash, HubTime: now})
	if err != nil {
		return nil, err
	}
	signedUps, err := syncproto.SignUpdates(s.signKey, ups)
	if err != nil {
		return nil, err
	}
	rep, err := syncproto.SignReply(s.signKey, deviceID, ack, signedUps, now, proofs...)
	if err != nil {
		return nil, err
	}
	if dev.AgeRecipient == "" {
		return nil, Refuse(syncproto.CodeBadRequest, "device %s gave no age recipient at enrollment: a reply file cannot be encrypted to it", deviceID)
	}
	return &FileResult{Result: *res, Reply: rep, AgeRecipient: dev.AgeRecipient, Updates: len(ups.Items)}, nil
}

// ingest stores the batches of one device in one transaction.
func (s *Store) ingest(ctx context.Context, verified *Device, ins []incoming, via string) (*Result, error) {
	i := 0
	return s.ingestGrouped(ctx, verified, func() (incoming, error) {
		if i == len(ins) {
			return incoming{}, io.EOF
		}
		i++
		return ins[i-1], nil
	}, via, true)
}

// ingestStream stores the batches next gives (until io.EOF) in one
// transaction: any error from next or from a batch stores none of them.
func (s *Store) ingestStream(ctx context.Context, verified *Device, next func() (incoming, error), via string) (*Result, error) {
	return s.ingestGrouped(ctx, verified, next, via, false)
}

// ingestGrouped is ingestStream; with group, on PostgreSQL, the batches'
// transaction may be shared with other devices' batches that wait at the
// same moment, each in a savepoint of its own (writeGrouped): still all
// or nothing for each, one commit and one WAL flush for all. Only batches
// already in memory are grouped (a USB file is read inside its transaction).
func (s *Store) ingestGrouped(ctx context.Context, verified *Device, next func() (incoming, error), via string, group bool) (*Result, error) {
	var res *Result
	var conflicts []conflict
	now := s.Now()
	write := s.write
	if group && s.pg {
		// A group's statements must not be cut by one client going away:
		// cancelling a statement closes PostgreSQL's connection, and with
		// it every batch of the group. An ingest is short; a client that
		// left gets the same ack when it retries.
		ctx = context.WithoutCancel(ctx)
		write = s.writeGrouped
	}
	err := write(ctx, func(tx *sql.Tx) error {
		conflicts = nil
		// Again inside the transaction: a revocation may have landed since.
		dev, err := deviceIn(ctx, tx, verified.ID)
		if err != nil {
			return err
		}
		if dev.Revoked() {
			return s.revokedError(dev)
		}
		if !bytes.Equal(dev.PublicKey, verified.PublicKey) {
			return Refuse(syncproto.CodeBadSignature, "device %s's key changed while the batch was checked", dev.ID)
		}
		res = &Result{Device: dev.ID}
		h := &head{seq: dev.HeadSeq, hash: dev.HeadHash}
		ins2 := newEventInserter(ctx, tx)
		defer ins2.close()
		for {
			in, err := next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			n, ack, cs, err := s.ingestOne(ctx, tx, dev, h, in, via, ins2, now)
			if err != nil {
				conflicts = cs
				return err
			}
			if n < 0 {
				res.Duplicates++
			} else {
				res.New += n
			}
			res.Ack = ack
		}
		res.Through, res.LastHash = h.seq, h.hash
		if res.New == 0 { // a duplicate or stale batch: only the contact is noted
			_, err = tx.ExecContext(ctx, "UPDATE devices SET last_sync_at = ? WHERE id = ?", formatTime(now), dev.ID)
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE devices SET head_seq = ?, head_hash = ?, last_sync_at = ?, last_batch_at = ? WHERE id = ?`,
			h.seq, h.hash, formatTime(now), formatTime(now), dev.ID)
		return err
	})
	if err != nil {
		if len(conflicts) > 0 {
			if cerr := s.recordConflicts(ctx, conflicts); cerr != nil {
				return nil, cerr
			}
		}
		return nil, err
	}
	if res.New > 0 {
		s.projectSoon(ctx)
	}
	return res, nil
}

type head struct {
	seq  int64
	hash string
}

// ingestOne stores one batch's new events; n is -1 for a duplicate batch.
func (s *Store) ingestOne(ctx context.Context, tx *sql.Tx, dev *Device, h *head, in incoming, via string,
	ins eventInserter, now time.Time) (n int, ack []byte, conflicts []conflict, err error) {
	hd := &in.b.Header
	// The same batch again (its id is its content): the ack already given.
	var storedDev string
	err = tx.QueryRowContext(ctx, "SELECT device_id, ack FROM batches WHERE batch_id = ?", hd.BatchID).Scan(&storedDev, &ack)
	if err == nil {
		if storedDev != dev.ID {
			return 0, nil, nil, Refuse(syncproto.CodeBadHeader, "batch %s was received from device %s", hd.BatchID, storedDev)
		}
		return -1, ack, nil, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, nil, err
	}
	if hd.FirstSeq > h.seq+1 {
		return 0, nil, nil, &syncproto.Error{Code: syncproto.CodeGap, ExpectedSeq: h.seq + 1,
			Message: fmt.Sprintf("the hub holds device %s up to seq %d; the batch starts at %d: send from seq %d",
				dev.ID, h.seq, hd.FirstSeq, h.seq+1)}
	}
	// The link to what is stored: the hash of the event before the first.
	wantPrev := ""
	if hd.FirstSeq > 1 {
		if hd.FirstSeq-1 == h.seq {
			wantPrev = h.hash
		} else if err := tx.QueryRowContext(ctx, "SELECT hash FROM hub_events WHERE device_id = ? AND seq = ?",
			dev.ID, hd.FirstSeq-1).Scan(&wantPrev); err != nil {
			return 0, nil, nil, fmt.Errorf("stored chain of %s at seq %d: %w", dev.ID, hd.FirstSeq-1, err)
		}
	}
	// Overlap: events already stored must be the very same.
	fresh := in.events
	if hd.FirstSeq <= h.seq && len(in.events) > 0 {
		stored, err := storedHashes(ctx, tx, dev.ID, hd.FirstSeq, min(hd.LastSeq, h.seq))
		if err != nil {
			return 0, nil, nil, err
		}
		fresh = nil
		for i := range in.events {
			e := &in.events[i]
			if e.Seq > h.seq {
				fresh = in.events[i:]
				break
			}
			if sh := stored[e.Seq]; sh != e.Hash {
				b, _ := json.Marshal(e)
				conflicts = append(conflicts, conflict{device: dev.ID, seq: e.Seq, batch: hd.BatchID,
					stored: sh, received: e.Hash, event: b, at: now})
			}
		}
		if len(conflicts) > 0 {
			return 0, nil, conflicts, Refuse(syncproto.CodeConflict,
				"device %s seq %d is already stored at the hub with other content (%d event(s) differ); nothing was stored — an engineer must look at it",
				dev.ID, conflicts[0].seq, len(conflicts))
		}
	} else if hd.PrevHash != wantPrev {
		return 0, nil, nil, Refuse(syncproto.CodeBrokenChain,
			"the batch does not link to the hub's event %d of device %s (its previous hash differs)", hd.FirstSeq-1, dev.ID)
	}
	recv := formatTime(now)
	through, lastHash := h.seq, h.hash
	if len(fresh) > 0 {
		last := fresh[len(fresh)-1]
		through, lastHash = last.Seq, last.Hash
	}
	signed, err := syncproto.SignAck(s.signKey, syncproto.Ack{Device: dev.ID, BatchID: hd.BatchID, ThroughSeq: through,
		LastHash: lastHash, HubTime: now})
	if err != nil {
		return 0, nil, nil, err
	}
	ack = signed.Marshal()
	var batchRow int64
	err = tx.QueryRowContext(ctx, `INSERT INTO batches(batch_id, device_id, body_sha256, first_seq, last_seq, events,
		new_events, through_seq, ack, via, received_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		hd.BatchID, dev.ID, hd.BodySHA256, hd.FirstSeq, hd.LastSeq, len(in.events), len(fresh), through, ack, via, recv).Scan(&batchRow)
	if err != nil {
		return 0, nil, nil, err
	}
	keep := len(fresh) > 0 // kept as signed, for the other devices of the post point (peers.go)
	if keep && hd.FirstSeq <= h.seq {
		// A retry over events the hub's retention redacted holds their
		// personal data as signed: not kept (purge.go).
		var redacted int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM hub_event_redactions WHERE device_id = ? AND seq BETWEEN ? AND ?",
			dev.ID, hd.FirstSeq, h.seq).Scan(&redacted); err != nil {
			return 0, nil, nil, err
		}
		keep = redacted == 0
	}
	if keep {
		if _, err := tx.ExecContext(ctx, "INSERT INTO hub_envelopes(batch, device_id, first_seq, last_seq, envelope) VALUES(?, ?, ?, ?, ?)",
			batchRow, dev.ID, hd.FirstSeq, hd.LastSeq, in.b.Raw); err != nil {
			return 0, nil, nil, err
		}
	}
	for i := range fresh {
		e := &fresh[i]
		if err := ins.addEvent(e, batchRow); err != nil {
			return 0, nil, nil, err
		}
	}
	if err := ins.flush(); err != nil {
		return 0, nil, nil, err
	}
	h.seq, h.hash = through, lastHash
	return len(fresh), ack, nil, nil
}

// eventInserter stores events with multi-row INSERTs: one statement per
// eventsPerInsert events costs far less than one per event (on PostgreSQL
// each statement is a round trip).
type eventInserter struct{ *rowWriter }

const eventsPerInsert = 256

func newEventInserter(ctx context.Context, tx *sql.Tx) eventInserter {
	return eventInserter{newRowWriter(ctx, tx,
		"INSERT INTO hub_events(device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash, batch) VALUES", "", 10, eventsPerInsert)}
}

func (w eventInserter) addEvent(e *domain.Event, batch int64) error {
	var payload []byte
	if len(e.Payload) > 0 {
		payload = e.Payload
	}
	return w.add(e.DeviceID, e.Seq, string(e.Kind), e.Dossier, e.Staff, formatTime(e.At), payload, e.PrevHash, e.Hash, batch)
}

func storedHashes(ctx context.Context, tx *sql.Tx, device string, from, to int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT seq, hash FROM hub_events WHERE device_id = ? AND seq BETWEEN ? AND ?", device, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]string, max(0, to-from+1))
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
			if _, err := tx.ExecContext(ctx, `INSERT INTO conflicts(device_id, seq, batch_id, stored_hash, received_hash, received, detected_at)
				VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.device, c.seq, c.batch, c.stored, c.received, c.event, formatTime(c.at)); err != nil {
				return err
			}
		}
		return nil
	})
}

func Truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

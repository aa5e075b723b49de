package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"postdesk/internal/domain"
)

// The events of the post point's other devices (peers) are kept in `events`
// under their origin device, with its seq and hash chain, exactly as that
// device wrote them; the dossiers are projected from all of them under the
// ordering rule of domain/order.go.

// PeerError is a run of peer events refused whole: nothing of it is stored.
type PeerError struct {
	Device string
	Seq    int64  // the first event at fault, 0 for the whole run
	Code   string // foreign | own | revoked | gap | broken_chain | conflict | unknown_key | bad_signature | corrupt
	Reason string
}

func (e *PeerError) Error() string {
	if e.Seq > 0 {
		return fmt.Sprintf("events of %s refused at seq %d (%s): %s", e.Device, e.Seq, e.Code, e.Reason)
	}
	return fmt.Sprintf("events of %s refused (%s): %s", e.Device, e.Code, e.Reason)
}

// PeerHeads returns, for every other device whose events are held here, the
// last seq held: what this device asks its peers and the hub to send after.
func (s *Store) PeerHeads(ctx context.Context) (map[string]int64, error) {
	dev, _, err := s.Device(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT device_id, max(seq) FROM events WHERE device_id <> ? GROUP BY device_id", dev.ID())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var d string
		var n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		out[d] = n
	}
	return out, rows.Err()
}

// PeerKey is what this device knows of another device's key.
type PeerKey struct {
	Public         ed25519.PublicKey
	PostPoint      string
	Revoked        bool
	RevokedThrough int64  // a revoked device's events after this seq are refused
	AgeRecipient   string // peer files for it are encrypted to this ("" unknown)
}

// PeerKeyOf returns another device's key as the hub (or a pairing) gave it.
func (s *Store) PeerKeyOf(ctx context.Context, device string) (PeerKey, bool, error) {
	var k PeerKey
	var pub []byte
	var revoked string
	err := s.db.QueryRowContext(ctx, "SELECT public_key, post_point, revoked_at, revoked_through, age_recipient FROM sync_device_keys WHERE device = ?", device).
		Scan(&pub, &k.PostPoint, &revoked, &k.RevokedThrough, &k.AgeRecipient)
	if errors.Is(err, sql.ErrNoRows) {
		return k, false, nil
	}
	if err != nil {
		return k, false, err
	}
	if len(pub) != ed25519.PublicKeySize {
		return k, false, fmt.Errorf("device %s: stored key is %d bytes", device, len(pub))
	}
	k.Public, k.Revoked = pub, revoked != ""
	return k, true, nil
}

// SetRevokedThrough records how far a revoked device's log stays accepted.
func (s *Store) SetRevokedThrough(ctx context.Context, device string, through int64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_device_keys SET revoked_through = ? WHERE device = ?", through, device)
	return err
}

// NotePeerRefusal keeps a refused run for the Sync screen.
func (s *Store) NotePeerRefusal(ctx context.Context, via string, pe *PeerError) error {
	_, err := s.db.ExecContext(ctx, "INSERT INTO peer_refusals(at, device, via, seq, code, message) VALUES(?, ?, ?, ?, ?, ?)",
		formatTime(s.Now()), pe.Device, via, pe.Seq, pe.Code, truncateText(pe.Reason, 500))
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, "DELETE FROM peer_refusals WHERE id <= (SELECT max(id) - 200 FROM peer_refusals)")
	return err
}

// PeerRefusal is a refused run as the Sync screen lists it.
type PeerRefusal struct {
	At                time.Time
	Device, Via, Code string
	Seq               int64
	Message           string
}

// PeerRefusals returns the newest refused runs first.
func (s *Store) PeerRefusals(ctx context.Context, limit int) ([]PeerRefusal, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT at, device, via, seq, code, message FROM peer_refusals ORDER BY id DESC LIMIT ?", limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PeerRefusal
	for rows.Next() {
		var r PeerRefusal
		var at string
		if err := rows.Scan(&at, &r.Device, &r.Via, &r.Seq, &r.Code, &r.Message); err != nil {
			return nil, err
		}
		r.At, _ = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// StorePeerEvents stores a run of another device's consecutive events —
// already verified with that device's key by the caller (its signed batch
// envelope) — and projects the dossiers they touch, in one transaction. The
// run may overlap what is held (those events must be identical); it must
// link to the last event held. It returns how many events were new. A
// *PeerError refuses the whole run.
func (s *Store) StorePeerEvents(ctx context.Context, origin string, events []domain.Event) (int, error) {
	res, err := s.StorePeerRuns(ctx, []PeerRun{{Origin: origin, Events: events}})
	if err != nil {
		return 0, err
	}
	return res[0].Added, res[0].Err
}

// PeerRun is a run of another device's consecutive events, verified with
// its key by the caller.
type PeerRun struct {
	Origin string
	Events []domain.Event
	// Envelope is the origin's signed batch the run came in (nil: none);
	// kept when the run brings new events, to relay (PeerRelay).
	Envelope []byte
}

// PeerRunResult is what became of one run: Added new events, or Err (a
// *PeerError) when it was refused whole; Skipped when an earlier run of
// the same origin was refused (it cannot link).
type PeerRunResult struct {
	Added   int
	Err     error
	Skipped bool
}

// StorePeerRuns stores many runs in one transaction — a page from the hub,
// a peer file — each all or nothing (each is checked before any of it is
// written), and writes the
// projection of each dossier they touch once, at the end: a new device's
// catch-up pays one commit and one projection write per dossier per page
// rather than per batch.
func (s *Store) StorePeerRuns(ctx context.Context, runs []PeerRun) ([]PeerRunResult, error) {
	return s.storePeerRuns(ctx, runsOf(runs), false)
}

// PeerRuns are a page's runs as the caller verifies them, in order: the
// store takes each as soon as it is ready, so the verification of the
// later ones (on the other cores) overlaps the storing of the earlier.
type PeerRuns struct {
	Origins []string // every origin a run may come from (their keys are read first)
	Batches int      // how many runs at most
	Runs    iter.Seq[PeerRun]
}

func runsOf(runs []PeerRun) PeerRuns {
	p := PeerRuns{Batches: len(runs), Runs: slices.Values(runs)}
	for _, r := range runs {
		p.Origins = append(p.Origins, r.Origin)
	}
	return p
}

// StorePeerRunsFrom is StorePeerRuns (bulk: StorePeerRunsBulk) of runs
// taken as they come.
func (s *Store) StorePeerRunsFrom(ctx context.Context, runs PeerRuns, bulk bool) ([]PeerRunResult, error) {
	return s.storePeerRuns(ctx, runs, bulk)
}

// storePeerRuns is StorePeerRuns, or StorePeerRunsBulk when bulk (or when
// a catch-up left the projection stale: it stays so until rebuilt).
func (s *Store) storePeerRuns(ctx context.Context, runs PeerRuns, bulk bool) ([]PeerRunResult, error) {
	var out []PeerRunResult
	dev, _, err := s.Device(ctx)
	if err != nil {
		return nil, err
	}
	keys := map[string]PeerKey{}
	known := map[string]bool{}
	for _, origin := range runs.Origins {
		if _, ok := known[origin]; !ok {
			k, ok, err := s.PeerKeyOf(ctx, origin)
			if err != nil {
				return nil, err
			}
			keys[origin], known[origin] = k, ok
		}
	}
	err = s.writeBig(ctx, runs.Batches > 1, func(tx *sql.Tx) error {
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		r.peerPending = map[string]*peerDossier{}
		if from, err := staleFrom(ctx, tx); err != nil {
			return err
		} else if from > 0 {
			bulk = true
		}
		// Marked before any event of it is inserted: the mark names the
		// first row not projected.
		if r.peerBulk = bulk; bulk {
			if err := r.markStale(); err != nil {
				return err
			}
		}
		blocked := map[string]bool{}
		for run := range runs.Runs {
			i := len(out)
			out = append(out, PeerRunResult{})
			if blocked[run.Origin] {
				out[i].Skipped = true
				continue
			}
			// A run is refused (a *PeerError) before anything of it is
			// written, so a refusal leaves the transaction as it was.
			n, err := r.storeRun(dev, run.Origin, run.Events, keys[run.Origin], known[run.Origin])
			var pe *PeerError
			if errors.As(err, &pe) {
				out[i].Err, blocked[run.Origin] = pe, true
				continue
			}
			if err != nil {
				return err
			}
			out[i].Added = n
			if n > 0 && len(run.Envelope) > 0 {
				if err := r.keepEnvelope(run); err != nil {
					return err
				}
			}
		}
		return r.flushPeers()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writeBig is write, with a large page cache (256 MiB at most) and the
// temporary journals in memory for the transaction when big (a page of a
// catch-up touches many index pages: kept in memory, they are written once
// at commit instead of spilled again and again).
func (s *Store) writeBig(ctx context.Context, big bool, fn func(tx *sql.Tx) error) error {
	if !big {
		return s.write(ctx, fn)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The statement journals (an upsert with triggers keeps one) in memory too.
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// storeRun stores one run inside the recorder's transaction (see
// StorePeerEvents); a *PeerError refuses it, always before anything of it
// is written.
func (r *recorder) storeRun(dev domain.Device, origin string, events []domain.Event, key PeerKey, known bool) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	ctx, tx := r.ctx, r.tx
	refuse := func(seq int64, code, format string, a ...any) (int, error) {
		return 0, &PeerError{Device: origin, Seq: seq, Code: code, Reason: fmt.Sprintf(format, a...)}
	}
	if origin == dev.ID() {
		return refuse(0, "own", "these are this device's own events")
	}
	if !strings.HasPrefix(origin, dev.PostPointCode+"-") {
		return refuse(0, "foreign", "device %s is not of post point %s", origin, dev.PostPointCode)
	}
	if err := domain.VerifyChain(events[0].PrevHash, events); err != nil {
		return refuse(0, "corrupt", "%v", err)
	}
	for i := range events {
		if events[i].DeviceID != origin {
			return refuse(events[i].Seq, "corrupt", "event of %s in a run of %s", events[i].DeviceID, origin)
		}
	}
	if !known {
		return refuse(0, "unknown_key", "no key of device %s is known here yet", origin)
	}
	if last := events[len(events)-1].Seq; key.Revoked && last > key.RevokedThrough {
		return refuse(max(key.RevokedThrough+1, events[0].Seq), "revoked",
			"device %s was revoked at the province after its event %d", origin, key.RevokedThrough)
	}
	var head int64
	var headHash []byte
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM events WHERE device_id = ? ORDER BY seq DESC LIMIT 1", origin).Scan(&head, &headHash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	first := events[0].Seq
	if first > head+1 {
		return refuse(first, "gap", "event %d is the next this device needs, the run starts at %d", head+1, first)
	}
	skip := int(head - first + 1)
	if skip > len(events) {
		skip = len(events)
	}
	if skip > 0 {
		held, err := heldHashes(ctx, tx, origin, first, first+int64(skip)-1)
		if err != nil {
			return 0, err
		}
		for i := 0; i < skip; i++ {
			if held[events[i].Seq] != events[i].Hash {
				return refuse(events[i].Seq, "conflict", "event %d differs from the one held here", events[i].Seq)
			}
		}
	}
	fresh := events[skip:]
	if len(fresh) == 0 {
		return 0, nil
	}
	if fresh[0].PrevHash != hex.EncodeToString(headHash) {
		return refuse(fresh[0].Seq, "broken_chain", "event %d does not link to event %d held here", fresh[0].Seq, head)
	}
	if err := r.peerEvents(fresh); err != nil {
		return 0, err
	}
	return len(fresh), nil
}

func heldHashes(ctx context.Context, tx *sql.Tx, device string, from, to int64) (map[int64]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT seq, hash FROM events WHERE device_id = ? AND seq BETWEEN ? AND ?", device, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var seq int64
		var h []byte
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, err
		}
		out[seq] = hex.EncodeToString(h)
	}
	return out, rows.Err()
}

// peerDossier is a dossier touched by a run of peer events.
type peerDossier struct {
	d         *domain.Dossier
	maxAt     time.Time
	maxDevice string
	replay    bool
}

// peerEvents inserts a peer's events and keeps their dossiers' new state
// in r.peerPending: an event that comes after every event held of its
// dossier (domain.Incremental) is applied to the projection; otherwise the
// dossier is built again from all its events (domain.Project), once, when
// flushPeers writes the projections at the end of the transaction.
func (r *recorder) peerEvents(events []domain.Event) error {
	for i := range events {
		e := &events[i]
		if e.Dossier != "" && !r.peerBulk { // in bulk, RebuildProjection projects it
			pd, ok := r.peerPending[e.Dossier]
			if !ok {
				pd = &peerDossier{}
				var err error
				if pd.maxAt, pd.maxDevice, err = r.latest(e.Dossier); err != nil {
					return err
				}
				if pd.maxDevice != "" { // no event of it held: no projection either
					if pd.d, err = r.dossier(e.Dossier); err != nil {
						return err
					}
				}
				r.peerPending[e.Dossier] = pd
				r.peerOrder = append(r.peerOrder, e.Dossier)
			}
			if !pd.replay && domain.Incremental(pd.d, e, pd.maxAt, pd.maxDevice) {
				pd.d, _ = domain.Step(pd.d, e)
				pd.maxAt, pd.maxDevice = e.At, e.DeviceID
			} else {
				pd.replay = true
			}
		}
		if _, err := r.insEvent.ExecContext(r.ctx, e.DeviceID, e.Seq, string(e.Kind), e.Dossier, e.Staff,
			formatTime(e.At), []byte(e.Payload), hashBlob(e.PrevHash), hashBlob(e.Hash)); err != nil {
			return err
		}
		if e.Kind == domain.KindSettingsChanged {
			if err := r.peerSettings(e); err != nil {
				return err
			}
		} else if err := r.peerShared(e); err != nil {
			return err
		}
	}
	return nil
}

// flushPeers writes the projection of every dossier the peer runs of this
// transaction touched, once.
func (r *recorder) flushPeers() error {
	for _, id := range r.peerOrder {
		pd := r.peerPending[id]
		if pd.replay {
			evs, err := r.dossierEvents(id)
			if err != nil {
				return err
			}
			pd.d = domain.Project(evs)
		}
		if pd.d == nil {
			continue // no event creates it yet: its events wait for the one that does
		}
		if err := r.putDossier(pd.d); err != nil {
			return err
		}
	}
	return nil
}

// latest returns the greatest (at, device) of the dossier's events held.
func (r *recorder) latest(dossier string) (time.Time, string, error) {
	var at, dev string
	if r.getLatest == nil { // prepared once per transaction: a catch-up asks it for every dossier
		var err error
		if r.getLatest, err = r.tx.PrepareContext(r.ctx, "SELECT at, device_id FROM events WHERE dossier = ? AND dossier <> '' ORDER BY at DESC, device_id DESC LIMIT 1"); err != nil {
			return time.Time{}, "", err
		}
	}
	err := r.getLatest.QueryRowContext(r.ctx, dossier).Scan(&at, &dev)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", nil
	}
	if err != nil {
		return time.Time{}, "", err
	}
	t, err := parseTime(at)
	return t, dev, err
}

func (r *recorder) dossierEvents(id string) ([]domain.Event, error) {
	return queryEventsIn(r.ctx, r.tx, "WHERE dossier = ? AND dossier <> '' ORDER BY rowid", id)
}

// hasPeerEvents reports whether this database holds any other device's events.
func (r *recorder) hasPeerEvents() (bool, error) {
	own := r.device.ID()
	var d string
	err := r.tx.QueryRowContext(r.ctx, "SELECT device_id FROM events WHERE device_id < ? LIMIT 1", own).Scan(&d)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	err = r.tx.QueryRowContext(r.ctx, "SELECT device_id FROM events WHERE device_id > ? LIMIT 1", own).Scan(&d)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// SetPeerAgeRecipient records another device's age recipient (from the
// hub's key update or a pairing).
func (s *Store) SetPeerAgeRecipient(ctx context.Context, device, recipient string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_device_keys SET age_recipient = ? WHERE device = ?", recipient, device)
	return err
}

// PeerFileImported reports whether the peer file id was imported here.
func (s *Store) PeerFileImported(ctx context.Context, id string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM peer_files WHERE file_id = ?", id).Scan(&n)
	return n > 0, err
}

// RecordPeerFile notes an imported peer file and keeps the sender's
// envelopes to hand on to the hub, in one transaction.
func (s *Store) RecordPeerFile(ctx context.Context, id, from string, events int, forward []OutboxEnvelope) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO peer_files(file_id, from_device, imported_at, events) VALUES(?, ?, ?, ?)",
			id, from, formatTime(s.Now()), events); err != nil {
			return err
		}
		for _, e := range forward {
			if _, err := tx.ExecContext(ctx, "INSERT INTO peer_outbox(origin, last_seq, envelope, received_at) VALUES(?, ?, ?, ?)",
				e.Origin, e.LastSeq, e.Envelope, formatTime(s.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}

// OutboxEnvelope is another device's signed batch waiting to go to the hub.
type OutboxEnvelope struct {
	ID       int64
	Origin   string
	LastSeq  int64
	Envelope []byte
}

// PeerOutbox lists the envelopes waiting for the hub, oldest first.
func (s *Store) PeerOutbox(ctx context.Context) ([]OutboxEnvelope, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT id, origin, last_seq, envelope FROM peer_outbox ORDER BY origin, last_seq, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OutboxEnvelope
	for rows.Next() {
		var e OutboxEnvelope
		if err := rows.Scan(&e.ID, &e.Origin, &e.LastSeq, &e.Envelope); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// DropPeerOutbox removes an envelope the hub has acknowledged.
func (s *Store) DropPeerOutbox(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM peer_outbox WHERE id = ?", id)
	return err
}

// peerSettings takes the post point's shared settings from another
// device's settings.changed (domain.Settings.WithShared), when it is the
// latest change by (at, device) this device knows of, so every device ends
// with the same shared settings whatever the order the changes arrive in.
func (r *recorder) peerSettings(e *domain.Event) error {
	var theirs settingsEvent
	if err := json.Unmarshal(e.Payload, &theirs); err != nil || !theirs.Shared {
		return nil // only its own settings changed (or unreadable): nothing here; the event is kept
	}
	var mark string
	err := r.tx.QueryRowContext(r.ctx, "SELECT value FROM meta WHERE key = 'settings_shared_at'").Scan(&mark)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	key := formatTime(e.At) + " " + e.DeviceID
	if mark >= key {
		return nil // a later change is already in place
	}
	var raw string
	err = r.tx.QueryRowContext(r.ctx, "SELECT value FROM meta WHERE key = 'settings'").Scan(&raw)
	mine := domain.DefaultSettings()
	if err == nil {
		mine = domain.Settings{}
		if err := json.Unmarshal([]byte(raw), &mine); err != nil {
			return fmt.Errorf("stored settings unreadable: %w", err)
		}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	out, err := json.Marshal(mine.WithShared(theirs.Settings))
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"settings": string(out), "settings_shared_at": key} {
		if _, err := r.tx.ExecContext(r.ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", k, v); err != nil {
			return err
		}
	}
	return nil
}

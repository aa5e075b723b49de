package store

// The device's side of sync to the province (tables in 004_sync.sql). The
// protocol lives in internal/syncproto and the rounds in internal/devicesync; this
// file only keeps their state, each change in one transaction.

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
)

// SyncState is this device's enrollment and progress at the hub.
type SyncState struct {
	HubURL          string
	HubName         string
	HubSignKey      ed25519.PublicKey
	HubAgeRecipient string
	EnrolledAt      time.Time
	AckedThrough    int64  // events 1..AckedThrough are held by the hub (verified ack)
	AckedHash       string // hash of event AckedThrough
	AckBlob         []byte // the last verified signed ack, verbatim
	AckedAt         time.Time
	UpdateCursor    int64 // last hub update id applied
	RevokedAt       time.Time
	RevokedReason   string
	LastSuccess     time.Time
}

// Enrolled reports whether the device has a hub.
func (st SyncState) Enrolled() bool { return st.HubURL != "" || len(st.HubSignKey) != 0 }

// Revoked reports whether the province revoked this device.
func (st SyncState) Revoked() bool { return !st.RevokedAt.IsZero() }

// ErrNotEnrolled is returned by sync operations before enrollment.
var ErrNotEnrolled = errors.New("this device is not enrolled at a province hub yet: enroll it first (postdesk enroll)")

// SyncState returns the enrollment, or a zero state (Enrolled() false).
func (s *Store) SyncState(ctx context.Context) (SyncState, error) {
	var st SyncState
	var key, blob []byte
	var enrolled, acked, revoked, success string
	err := s.db.QueryRowContext(ctx, `SELECT hub_url, hub_name, hub_sign_key, hub_age_recipient, enrolled_at,
		acked_through_seq, acked_hash, ack_blob, acked_at, update_cursor, revoked_at, revoked_reason, last_success
		FROM sync_state WHERE id = 1`).Scan(&st.HubURL, &st.HubName, &key, &st.HubAgeRecipient, &enrolled,
		&st.AckedThrough, &st.AckedHash, &blob, &acked, &st.UpdateCursor, &revoked, &st.RevokedReason, &success)
	if errors.Is(err, sql.ErrNoRows) {
		return SyncState{}, nil
	}
	if err != nil {
		return st, err
	}
	st.HubSignKey, st.AckBlob = key, blob
	for _, p := range []struct {
		s string
		t *time.Time
	}{{enrolled, &st.EnrolledAt}, {acked, &st.AckedAt}, {revoked, &st.RevokedAt}, {success, &st.LastSuccess}} {
		if *p.t, err = parseTime(p.s); err != nil {
			return st, err
		}
	}
	return st, nil
}

// DeviceAgeIdentity returns the device's age X25519 identity, making it on
// first use. Reply files from the hub are encrypted to its recipient; like
// the signing key, it never leaves this database.
func (s *Store) DeviceAgeIdentity(ctx context.Context) (*age.X25519Identity, error) {
	v, err := s.Meta(ctx, "device_age_identity", "")
	if err != nil {
		return nil, err
	}
	if v == "" {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			return nil, err
		}
		// INSERT OR IGNORE: if another call won the race, read its identity back.
		if _, err := s.db.ExecContext(ctx, "INSERT OR IGNORE INTO meta(key, value) VALUES('device_age_identity', ?)", id.String()); err != nil {
			return nil, err
		}
		if v, err = s.Meta(ctx, "device_age_identity", ""); err != nil {
			return nil, err
		}
	}
	return age.ParseX25519Identity(v)
}

// Enrollment is what the hub answered to an enrollment.
type Enrollment struct {
	HubURL          string
	HubName         string
	HubSignKey      ed25519.PublicKey
	HubAgeRecipient string
	EnrolledAt      time.Time
}

// SaveEnrollment records the hub. Enrolling again at the same hub (same
// signing key) keeps the acknowledged sequence and the update cursor; a
// different hub starts from zero, since it holds none of this device's events.
func (s *Store) SaveEnrollment(ctx context.Context, e Enrollment) error {
	if len(e.HubSignKey) != ed25519.PublicKeySize {
		return fmt.Errorf("hub signing key must be %d bytes", ed25519.PublicKeySize)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		var key []byte
		err := tx.QueryRowContext(ctx, "SELECT hub_sign_key FROM sync_state WHERE id = 1").Scan(&key)
		if err == nil && string(key) == string(e.HubSignKey) {
			_, err = tx.ExecContext(ctx, `UPDATE sync_state SET hub_url = ?, hub_name = ?, hub_age_recipient = ?,
				enrolled_at = ?, revoked_at = '', revoked_reason = '' WHERE id = 1`,
				e.HubURL, e.HubName, e.HubAgeRecipient, formatTime(e.EnrolledAt))
			return err
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sync_state"); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_state(id, hub_url, hub_name, hub_sign_key, hub_age_recipient, enrolled_at)
			VALUES(1, ?, ?, ?, ?, ?)`, e.HubURL, e.HubName, []byte(e.HubSignKey), e.HubAgeRecipient, formatTime(e.EnrolledAt))
		return err
	})
}

// RecordAck marks this device's events 1..through as held by the hub. The
// caller has verified the hub's signature; here the hash the hub signed must
// be the hash of our own event through, so a hub holding another chain never
// marks anything. The mark only increases: an older ack changes nothing.
func (s *Store) RecordAck(ctx context.Context, through int64, hash string, blob []byte) (bool, error) {
	dev, _, err := s.Device(ctx)
	if err != nil {
		return false, err
	}
	moved := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		var cur int64
		if err := tx.QueryRowContext(ctx, "SELECT acked_through_seq FROM sync_state WHERE id = 1").Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotEnrolled
			}
			return err
		}
		if through <= cur {
			return nil
		}
		var stored []byte // this device's hash of event through (not the ack: blob is kept verbatim)
		err := tx.QueryRowContext(ctx, "SELECT hash FROM events WHERE device_id = ? AND seq = ?", dev.ID(), through).Scan(&stored)
		mine := hex.EncodeToString(stored)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("the hub acknowledges event %d, which this device never wrote", through)
		}
		if err != nil {
			return err
		}
		if mine != hash {
			return fmt.Errorf("the hub acknowledges event %d with another hash than this device's: its copy differs", through)
		}
		moved = true
		_, err = tx.ExecContext(ctx, `UPDATE sync_state SET acked_through_seq = ?, acked_hash = ?, ack_blob = ?, acked_at = ?
			WHERE id = 1`, through, hash, blob, formatTime(s.Now()))
		return err
	})
	return moved, err
}

// SetUpdateCursor moves the update cursor forward (never back).
func (s *Store) SetUpdateCursor(ctx context.Context, cursor int64) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_state SET update_cursor = ? WHERE id = 1 AND update_cursor < ?", cursor, cursor)
	return err
}

// SetSyncSuccess records the time of the last fully successful round.
func (s *Store) SetSyncSuccess(ctx context.Context, at time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_state SET last_success = ? WHERE id = 1", formatTime(at))
	return err
}

// SetRevoked records that the province revoked this device: sync stops.
func (s *Store) SetRevoked(ctx context.Context, at time.Time, reason string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_state SET revoked_at = ?, revoked_reason = ? WHERE id = 1 AND revoked_at = ''",
		formatTime(at), reason)
	return err
}

// SyncRound is one row of the sync history.
type SyncRound struct {
	ID             int64     `json:"id"`
	StartedAt      time.Time `json:"started_at"`
	FinishedAt     time.Time `json:"finished_at"`
	Via            string    `json:"via"` // network | usb_export | usb_import
	Pushed         int       `json:"pushed"`
	Batches        int       `json:"batches"`
	AckedThrough   int64     `json:"acked_through"`
	UpdatesApplied int       `json:"updates_applied"`
	UpdatesSkipped int       `json:"updates_skipped"`
	PeerEvents     int       `json:"peer_events"`    // other devices' events received
	PeerRefused    int       `json:"peer_refused"`   // runs of them refused whole (PeerRefusals)
	ProofsSent     int       `json:"proofs_sent"`    // delivery proof files the hub now holds whole
	ProofsWaiting  int       `json:"proofs_waiting"` // proofs to seal again to the hub once a sign-in opens the proof key
	ErrorCode      string    `json:"error_code,omitempty"`
	Error          string    `json:"error,omitempty"`
}

// BeginSyncRound opens a row in the history (finished_at empty until
// FinishSyncRound: a round cut short by a crash shows as unfinished).
func (s *Store) BeginSyncRound(ctx context.Context, via string, at time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, "INSERT INTO sync_rounds(started_at, finished_at, via) VALUES(?, '', ?)", formatTime(at), via)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// FinishSyncRound writes what round r.ID did.
func (s *Store) FinishSyncRound(ctx context.Context, r SyncRound) error {
	_, err := s.db.ExecContext(ctx, `UPDATE sync_rounds SET finished_at = ?, pushed = ?, batches = ?, acked_through = ?,
		updates_applied = ?, updates_skipped = ?, peer_events = ?, peer_refused = ?, proofs_sent = ?, proofs_waiting = ?,
		error_code = ?, error = ? WHERE id = ?`,
		formatTime(r.FinishedAt), r.Pushed, r.Batches, r.AckedThrough, r.UpdatesApplied, r.UpdatesSkipped,
		r.PeerEvents, r.PeerRefused, r.ProofsSent, r.ProofsWaiting, r.ErrorCode, r.Error, r.ID)
	return err
}

// SyncRounds returns the newest rounds first.
func (s *Store) SyncRounds(ctx context.Context, limit int) ([]SyncRound, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, started_at, finished_at, via, pushed, batches, acked_through,
		updates_applied, updates_skipped, peer_events, peer_refused, proofs_sent, proofs_waiting, error_code, error
		FROM sync_rounds ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SyncRound
	for rows.Next() {
		var r SyncRound
		var start, end string
		if err := rows.Scan(&r.ID, &start, &end, &r.Via, &r.Pushed, &r.Batches, &r.AckedThrough,
			&r.UpdatesApplied, &r.UpdatesSkipped, &r.PeerEvents, &r.PeerRefused, &r.ProofsSent, &r.ProofsWaiting,
			&r.ErrorCode, &r.Error); err != nil {
			return nil, err
		}
		if r.StartedAt, err = parseTime(start); err != nil {
			return nil, err
		}
		if r.FinishedAt, err = parseTime(end); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SyncUpdate is a hub update as this device saw it.
type SyncUpdate struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Dossier   string    `json:"dossier,omitempty"`
	Status    string    `json:"status"` // applied | skipped
	Reason    string    `json:"reason,omitempty"`
	EventSeq  int64     `json:"event_seq,omitempty"`
	RoundID   int64     `json:"round_id"`
	Tries     int       `json:"tries"`
	Data      []byte    `json:"-"`
	FirstSeen time.Time `json:"first_seen"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SyncUpdateStatus returns how update id was handled ("" when never seen).
func (s *Store) SyncUpdateStatus(ctx context.Context, id int64) (string, error) {
	var st string
	err := s.db.QueryRowContext(ctx, "SELECT status FROM sync_updates WHERE id = ?", id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return st, err
}

// SkippedUpdates returns the updates waiting to be applied, oldest first.
func (s *Store) SkippedUpdates(ctx context.Context, limit int) ([]SyncUpdate, error) {
	return s.queryUpdates(ctx, "WHERE status = 'skipped' ORDER BY id LIMIT ?", limit)
}

// RoundUpdates returns the updates a round handled.
func (s *Store) RoundUpdates(ctx context.Context, round int64) ([]SyncUpdate, error) {
	return s.queryUpdates(ctx, "WHERE round_id = ? ORDER BY id", round)
}

func (s *Store) queryUpdates(ctx context.Context, where string, args ...any) ([]SyncUpdate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, kind, dossier, status, reason, event_seq, round_id, tries, data,
		first_seen, updated_at FROM sync_updates `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SyncUpdate
	for rows.Next() {
		var u SyncUpdate
		var first, upd string
		if err := rows.Scan(&u.ID, &u.Kind, &u.Dossier, &u.Status, &u.Reason, &u.EventSeq, &u.RoundID, &u.Tries, &u.Data,
			&first, &upd); err != nil {
			return nil, err
		}
		u.FirstSeen, _ = parseTime(first)
		u.UpdatedAt, _ = parseTime(upd)
		out = append(out, u)
	}
	return out, rows.Err()
}

// HubUpdate is an update being applied: its hub id, kind, dossier and data.
type HubUpdate struct {
	ID      int64
	Kind    string
	Dossier string
	Data    []byte // the update's JSON, kept for retries
	Round   int64
}

// markUpdate inserts or updates the row of u in tx.
func (s *Store) markUpdate(ctx context.Context, tx *sql.Tx, u HubUpdate, status, reason string, seq int64) error {
	now := formatTime(s.Now())
	_, err := tx.ExecContext(ctx, `INSERT INTO sync_updates(id, kind, dossier, status, reason, event_seq, round_id, tries, data, first_seen, updated_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET status = excluded.status, reason = excluded.reason, event_seq = excluded.event_seq,
		round_id = excluded.round_id, tries = sync_updates.tries + 1, updated_at = excluded.updated_at`,
		u.ID, u.Kind, u.Dossier, status, reason, seq, u.Round, u.Data, now, now)
	return err
}

// SkipUpdate records that u could not be applied, and why. It is kept and
// retried on later rounds; it never blocks the updates after it.
func (s *Store) SkipUpdate(ctx context.Context, u HubUpdate, reason string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var st string
		err := tx.QueryRowContext(ctx, "SELECT status FROM sync_updates WHERE id = ?", u.ID).Scan(&st)
		if err == nil && st == "applied" {
			return nil
		}
		return s.markUpdate(ctx, tx, u, "skipped", reason, 0)
	})
}

// MarkUpdateApplied records an update that changes nothing in the event log
// (catalog, keys, revocation) as applied.
func (s *Store) MarkUpdateApplied(ctx context.Context, u HubUpdate) error {
	return s.write(ctx, func(tx *sql.Tx) error { return s.markUpdate(ctx, tx, u, "applied", "", 0) })
}

// ErrUpdateApplied is returned when an update was already applied: a no-op.
var ErrUpdateApplied = errors.New("update already applied")

// ApplyOutcome records an agency outcome from the hub as an event of this
// device's own log, by staff "hub", and marks the update applied — both in
// one transaction, so a crash never applies it twice or loses it. payload
// should carry the hub update id. An illegal move returns the domain error
// and changes nothing (the caller records it with SkipUpdate).
func (s *Store) ApplyOutcome(ctx context.Context, u HubUpdate, kind domain.Kind, payload any) (*domain.Event, error) {
	raw, err := marshalPayload(payload)
	if err != nil {
		return nil, err
	}
	e := &domain.Event{Kind: kind, Dossier: u.Dossier, Staff: HubStaff, Payload: raw}
	err = s.applyUpdate(ctx, u, func(r *recorder) (int64, error) {
		_, err := r.append(e, nil, true)
		return e.Seq, err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// HubStaff is the staff name of events that record the hub's updates.
const HubStaff = "hub"

// ApplyRegistration creates a result-only dossier (a registration from the
// agency's list, sent by the hub) with a receipt number of this device, and
// marks the update applied, in one transaction.
func (s *Store) ApplyRegistration(ctx context.Context, u HubUpdate, d domain.Dossier) (*domain.Dossier, error) {
	var out *domain.Dossier
	err := s.applyUpdate(ctx, u, func(r *recorder) (seq int64, err error) {
		out, err = r.intake(HubStaff, domain.KindRegisterResult, d)
		return r.lastSeq, err
	})
	return out, err
}

// applyUpdate records hub update u with rec in one write transaction and
// marks it applied with the sequence of the event rec recorded; an update
// applied before returns ErrUpdateApplied and records nothing.
func (s *Store) applyUpdate(ctx context.Context, u HubUpdate, rec func(r *recorder) (seq int64, err error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if applied, err := updateApplied(ctx, tx, u.ID); err != nil || applied {
			if applied {
				return ErrUpdateApplied
			}
			return err
		}
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		seq, err := rec(r)
		if err != nil {
			return err
		}
		return s.markUpdate(ctx, tx, u, "applied", "", seq)
	})
}

func updateApplied(ctx context.Context, tx *sql.Tx, id int64) (bool, error) {
	var st string
	err := tx.QueryRowContext(ctx, "SELECT status FROM sync_updates WHERE id = ?", id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return st == "applied", err
}

// CatalogImported reports whether a catalog with this file name and SHA-256
// was already imported (a catalog update applied twice is a no-op).
func (s *Store) CatalogImported(ctx context.Context, fileName, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM catalog_versions WHERE file_name = ? AND sha256 = ?", fileName, sha).Scan(&n)
	return n > 0, err
}

// PutDeviceKey stores (or replaces) another device's public key.
func (s *Store) PutDeviceKey(ctx context.Context, device, postPoint string, pub ed25519.PublicKey, revokedAt time.Time) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("device %s: public key must be %d bytes", device, ed25519.PublicKeySize)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sync_device_keys(device, post_point, public_key, revoked_at, updated_at)
		VALUES(?, ?, ?, ?, ?) ON CONFLICT(device) DO UPDATE SET post_point = excluded.post_point,
		public_key = excluded.public_key, revoked_at = excluded.revoked_at, updated_at = excluded.updated_at`,
		device, postPoint, []byte(pub), formatTime(revokedAt), formatTime(s.Now()))
	return err
}

// RevokeDeviceKey marks another device's key revoked (receipts it signed
// before stay verifiable; the key is kept).
func (s *Store) RevokeDeviceKey(ctx context.Context, device string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, "UPDATE sync_device_keys SET revoked_at = ?, updated_at = ? WHERE device = ? AND revoked_at = ''",
		formatTime(at), formatTime(s.Now()), device)
	return err
}

// PublicKeyOf returns the Ed25519 public key of a device of the province —
// this device's own, or one the hub sent — so a receipt QR signed by any of
// them verifies here. ok is false for an unknown device.
func (s *Store) PublicKeyOf(ctx context.Context, deviceID string) (ed25519.PublicKey, bool, error) {
	dev, _, err := s.Device(ctx)
	if err != nil && !errors.Is(err, ErrNotSetUp) {
		return nil, false, err
	}
	if err == nil && dev.ID() == deviceID {
		key, err := s.DeviceKey(ctx)
		if err != nil {
			return nil, false, err
		}
		return key.Public().(ed25519.PublicKey), true, nil
	}
	var pub []byte
	err = s.db.QueryRowContext(ctx, "SELECT public_key FROM sync_device_keys WHERE device = ?", deviceID).Scan(&pub)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, false, err
	}
	return ed25519.PublicKey(pub), true, nil
}

// EventsWaiting is how many of this device's events the hub has not acknowledged.
func (s *Store) EventsWaiting(ctx context.Context) (int64, error) {
	dev, _, err := s.Device(ctx)
	if err != nil {
		return 0, err
	}
	last, err := s.LastSeq(ctx, dev.ID())
	if err != nil {
		return 0, err
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		return 0, err
	}
	return last - st.AckedThrough, nil
}

// EventHash returns the hash of this device's event seq ("" for seq 0).
func (s *Store) EventHash(ctx context.Context, device string, seq int64) (string, error) {
	if seq == 0 {
		return "", nil
	}
	var h []byte
	err := s.db.QueryRowContext(ctx, "SELECT hash FROM events WHERE device_id = ? AND seq = ?", device, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("event %d of %s: %w", seq, device, ErrNotFound)
	}
	return hex.EncodeToString(h), err
}

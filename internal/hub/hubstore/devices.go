package hubstore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// TokenTTL is how long an enrollment token stays valid.
const TokenTTL = 7 * 24 * time.Hour

// PostPoint is a post point known to the hub.
type PostPoint struct {
	Code      string
	Name      string
	CreatedAt time.Time
}

// Device is an enrolled device as the hub knows it.
type Device struct {
	ID            string
	PostPointCode string
	PublicKey     ed25519.PublicKey
	AgeRecipient  string
	EnrolledAt    time.Time
	RevokedAt     time.Time // zero while active
	HeadSeq       int64     // last event stored
	HeadHash      string
	LastSyncAt    time.Time
	UpdateCursor  int64
	ProjectedSeq  int64 // events applied to hub_dossiers so far
}

// Revoked reports whether the device was revoked.
func (d *Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// ParseDeviceID splits "600900-A" into its post point and letter.
func ParseDeviceID(id string) (domain.Device, error) {
	code, letter, ok := strings.Cut(id, "-")
	if !ok || domain.ValidPostPointCode(code) != nil || domain.ValidDeviceLetter(letter) != nil {
		return domain.Device{}, domain.Errf("device", "hub.err.device_id", "%q is not a device like 600900-A", id).WithArgs("Device", id)
	}
	return domain.Device{PostPointCode: code, Letter: letter}, nil
}

// EnsurePostPoint adds a post point, or renames it when name is given.
func (s *Store) EnsurePostPoint(ctx context.Context, code, name string) error {
	code, name = domain.Clean(code), domain.Clean(name)
	if err := domain.ValidPostPointCode(code); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error { return ensurePostPoint(ctx, tx, code, name, s.Now()) })
}

func ensurePostPoint(ctx context.Context, tx *sql.Tx, code, name string, now time.Time) error {
	var known, communes bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM post_points WHERE code = ?),
		EXISTS (SELECT 1 FROM hub_report_post_point_communes) OR EXISTS (SELECT 1 FROM hub_report_agency_communes)`, code).Scan(&known, &communes); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO post_points(code, name, created_at) VALUES(?, ?, ?)
		ON CONFLICT(code) DO UPDATE SET name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE post_points.name END`,
		code, name, formatTime(now))
	if err != nil || known || !communes {
		return err
	}
	// a post point new since the communes import learns its report's scope
	return queueScopes(ctx, tx, []string{code}, formatTime(now))
}

// tokenAlphabet is base32 without padding; tokens are typed by hand, so the
// text is upper-case and grouped, and spaces or dashes are ignored on input.
var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NormalizeToken strips what a person may add when copying a token.
func NormalizeToken(t string) string {
	t = strings.ToUpper(t)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, t)
}

func tokenHash(t string) string {
	sum := sha256.Sum256([]byte("postdesk-token:" + NormalizeToken(t)))
	return hex.EncodeToString(sum[:])
}

// IssuedToken is a new enrollment token; Token is shown once and never stored.
type IssuedToken struct {
	Token     string
	PostPoint string
	ExpiresAt time.Time
}

// IssueToken makes a one-time enrollment token for a post point, adding the
// post point when it is new.
func (s *Store) IssueToken(ctx context.Context, postPoint, name, by string) (IssuedToken, error) {
	postPoint, name = domain.Clean(postPoint), domain.Clean(name)
	if err := domain.ValidPostPointCode(postPoint); err != nil {
		return IssuedToken{}, err
	}
	raw := make([]byte, 15) // 120 bits
	if _, err := rand.Read(raw); err != nil {
		return IssuedToken{}, err
	}
	text := tokenEncoding.EncodeToString(raw) // 24 characters
	var groups []string
	for i := 0; i < len(text); i += 6 {
		groups = append(groups, text[i:min(i+6, len(text))])
	}
	tok := strings.Join(groups, "-")
	now := s.Now()
	exp := now.Add(TokenTTL)
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := ensurePostPoint(ctx, tx, postPoint, "", now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO enrollment_tokens(token_hash, post_point_code, name, created_at, created_by, expires_at)
			VALUES(?, ?, ?, ?, ?, ?)`, tokenHash(tok), postPoint, name, formatTime(now), by, formatTime(exp))
		return err
	})
	if err != nil {
		return IssuedToken{}, err
	}
	return IssuedToken{Token: tok, PostPoint: postPoint, ExpiresAt: exp}, nil
}

// Enrollment is what a device asks for.
type Enrollment struct {
	Token        string
	DeviceID     string
	PublicKey    ed25519.PublicKey
	AgeRecipient string // the device's age X25519 recipient: reply files are encrypted to it
}

// Enroll binds a device's public key to the token's post point. It is
// idempotent: the same device with the same key and token enrolls again
// without error (its first answer may have been lost on the line).
func (s *Store) Enroll(ctx context.Context, en Enrollment) (*Device, error) {
	dev, err := ParseDeviceID(en.DeviceID)
	if err != nil {
		return nil, Refuse(syncproto.CodeBadRequest, "%v", err)
	}
	if len(en.PublicKey) != ed25519.PublicKeySize {
		return nil, Refuse(syncproto.CodeBadRequest, "the device's public key must be %d bytes of ed25519", ed25519.PublicKeySize)
	}
	if en.AgeRecipient != "" {
		if _, err := age.ParseX25519Recipient(en.AgeRecipient); err != nil {
			return nil, Refuse(syncproto.CodeBadRequest, "the device's age recipient is not valid: %v", err)
		}
	}
	now := s.Now()
	err = s.write(ctx, func(tx *sql.Tx) error {
		var id int64
		var pp, expires, usedAt, usedBy string
		err := tx.QueryRowContext(ctx, `SELECT id, post_point_code, expires_at, used_at, device_id FROM enrollment_tokens
			WHERE token_hash = ?`, tokenHash(en.Token)).Scan(&id, &pp, &expires, &usedAt, &usedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return Refuse(syncproto.CodeBadToken, "this enrollment token is not known to the hub")
		}
		if err != nil {
			return err
		}
		existing, err := deviceIn(ctx, tx, en.DeviceID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if usedAt != "" {
			if usedBy == en.DeviceID && existing != nil && bytes.Equal(existing.PublicKey, en.PublicKey) && !existing.Revoked() {
				return nil // the same enrollment again
			}
			return Refuse(syncproto.CodeBadToken, "this enrollment token was already used (by %s)", usedBy)
		}
		if !now.Before(parseTime(expires)) {
			return Refuse(syncproto.CodeBadToken, "this enrollment token expired on %s", domain.FormatDateTime(parseTime(expires)))
		}
		if pp != dev.PostPointCode {
			return Refuse(syncproto.CodeWrongPoint, "this token is for post point %s, not for device %s", pp, en.DeviceID)
		}
		if existing != nil {
			if existing.Revoked() {
				return Refuse(syncproto.CodeRevoked, "device %s was revoked; set the new PC up with another letter", en.DeviceID)
			}
			if !bytes.Equal(existing.PublicKey, en.PublicKey) {
				return Refuse(syncproto.CodeAlreadyTaken, "device %s is already enrolled with another key; set this PC up with another letter or revoke the old one", en.DeviceID)
			}
		} else {
			if _, err := tx.ExecContext(ctx, `INSERT INTO devices(id, post_point_code, public_key, age_recipient, enrolled_at, token_id)
				VALUES(?, ?, ?, ?, ?, ?)`, en.DeviceID, dev.PostPointCode, []byte(en.PublicKey), en.AgeRecipient, formatTime(now), id); err != nil {
				return err
			}
			// Every device learns every device's key, so receipts verify offline.
			if err := queueBroadcast(ctx, tx, syncproto.UpdateDeviceKey, syncproto.DeviceKey{Device: en.DeviceID,
				PostPoint: dev.PostPointCode, PublicKey: []byte(en.PublicKey), AgeRecipient: en.AgeRecipient}, "enroll", now); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, "UPDATE enrollment_tokens SET used_at = ?, device_id = ? WHERE id = ?", formatTime(now), en.DeviceID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.Device(ctx, en.DeviceID)
}

// Revoke stops a device: its batches and pulls are refused from now on, and
// every other device is told. What it sent before stays. ErrNotFound for an
// unknown device; revoking twice changes nothing.
func (s *Store) Revoke(ctx context.Context, deviceID, by, reason string) error {
	now := s.Now()
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE devices SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at = ''",
			formatTime(now), by, deviceID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			_, err := deviceIn(ctx, tx, deviceID)
			return err // ErrNotFound, or already revoked: nothing to do
		}
		dev, err := deviceIn(ctx, tx, deviceID)
		if err != nil {
			return err
		}
		if err := queueBroadcast(ctx, tx, syncproto.UpdateRevoke, syncproto.Revocation{Device: deviceID, Reason: domain.Clean(reason), ThroughSeq: dev.HeadSeq}, "revoke", now); err != nil {
			return err
		}
		at := dev.RevokedAt
		if err := queueBroadcast(ctx, tx, syncproto.UpdateDeviceKey, syncproto.DeviceKey{Device: deviceID, PostPoint: dev.PostPointCode,
			PublicKey: []byte(dev.PublicKey), RevokedAt: &at, RevokedThrough: dev.HeadSeq, AgeRecipient: dev.AgeRecipient}, "revoke", now); err != nil {
			return err
		}
		return releaseClaims(ctx, tx, dev, now)
	})
}

// releaseClaims gives the result-only registrations a revoked device claimed
// but never confirmed (after its cursor) back to its post point, as new
// updates (new ids, so a device whose cursor is past the old ones still
// gets them); the old rows stay as the revoked device's history.
func releaseClaims(ctx context.Context, tx *sql.Tx, dev *Device, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, post_point_code, payload, source, dedup FROM updates
		WHERE device_id = ? AND kind = ? AND id > ? ORDER BY id`, dev.ID, syncproto.UpdateRegister, dev.UpdateCursor)
	if err != nil {
		return err
	}
	type claim struct {
		id                int64
		pp, source, dedup string
		payload           []byte
	}
	var claims []claim
	for rows.Next() {
		var c claim
		if err := rows.Scan(&c.id, &c.pp, &c.payload, &c.source, &c.dedup); err != nil {
			rows.Close()
			return err
		}
		claims = append(claims, c)
	}
	rows.Close()
	for _, c := range claims {
		if _, err := tx.ExecContext(ctx, "UPDATE updates SET dedup = ? WHERE id = ?", c.dedup+":released:"+strconv.FormatInt(c.id, 10), c.id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO updates(post_point_code, device_id, kind, payload, source, dedup, created_at)
			VALUES(?, '', ?, ?, ?, ?, ?)`, c.pp, syncproto.UpdateRegister, c.payload, c.source, c.dedup, formatTime(now)); err != nil {
			return err
		}
	}
	return nil
}

// Device returns an enrolled device, or ErrNotFound.
func (s *Store) Device(ctx context.Context, id string) (*Device, error) {
	return deviceIn(ctx, s.db, id)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

const deviceCols = "id, post_point_code, public_key, age_recipient, enrolled_at, revoked_at, head_seq, head_hash, last_sync_at, update_cursor, projected_seq"

func scanDevice(sc interface{ Scan(...any) error }) (*Device, error) {
	var d Device
	var key []byte
	var enrolled, revoked, last string
	if err := sc.Scan(&d.ID, &d.PostPointCode, &key, &d.AgeRecipient, &enrolled, &revoked, &d.HeadSeq, &d.HeadHash, &last, &d.UpdateCursor, &d.ProjectedSeq); err != nil {
		return nil, err
	}
	d.PublicKey = ed25519.PublicKey(key)
	d.EnrolledAt, d.RevokedAt, d.LastSyncAt = parseTime(enrolled), parseTime(revoked), parseTime(last)
	return &d, nil
}

func deviceIn(ctx context.Context, q queryer, id string) (*Device, error) {
	d, err := scanDevice(q.QueryRowContext(ctx, "SELECT "+deviceCols+" FROM devices WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return d, err
}

// Devices lists every device, by id.
func (s *Store) Devices(ctx context.Context) ([]*Device, error) { return devicesIn(ctx, s.db) }

// PostPoints lists every post point, by code.
func (s *Store) PostPoints(ctx context.Context) ([]PostPoint, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT code, name, created_at FROM post_points ORDER BY code")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PostPoint
	for rows.Next() {
		var p PostPoint
		var at string
		if err := rows.Scan(&p.Code, &p.Name, &at); err != nil {
			return nil, err
		}
		p.CreatedAt = parseTime(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

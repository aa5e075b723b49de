package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// StaffRecord is a staff member with the sign-in fields only the store sees.
type StaffRecord struct {
	domain.Staff
	SecretHash  string // argon2id hash of the PIN or password
	FailedTries int
	LockedUntil time.Time
}

// AddStaff creates a staff member (recorded as an event by actor, "" at first start).
func (s *Store) AddStaff(ctx context.Context, actor string, st domain.Staff, secretHash string) error {
	st.Username, st.FullName = domain.Clean(st.Username), domain.Clean(st.FullName)
	var errs domain.Errors
	if st.Username == "" {
		errs = append(errs, domain.Errf("staff.username", "err.required", "required"))
	}
	if st.FullName == "" {
		errs = append(errs, domain.Errf("staff.full_name", "err.required", "required"))
	}
	if !st.Role.Valid() {
		errs = append(errs, domain.Errf("staff.role", "err.staff.role", "unknown role %q", st.Role))
	}
	if err := errs.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO staff(username, full_name, role, active, secret_hash, created_at)
			VALUES(?, ?, ?, 1, ?, ?)`, st.Username, st.FullName, string(st.Role), secretHash, formatTime(s.Now())); err != nil {
			var one int
			if tx.QueryRowContext(ctx, "SELECT 1 FROM staff WHERE username = ?", st.Username).Scan(&one) == nil {
				return domain.Errf("staff.username", "err.staff.exists", "username %s is taken", st.Username).WithArgs("Name", st.Username)
			}
			return err
		}
		if actor == "" {
			actor = st.Username
		}
		// The account reaches the post point's other devices with its PIN
		// hash (docs/sync-protocol.md §11.5), so the clerk signs in there
		// with the same PIN.
		return s.recordStaff(ctx, tx, actor, domain.KindStaffAdded, staffChange{Username: st.Username,
			FullName: &st.FullName, Role: &st.Role, Active: ptr(true), SecretHash: &secretHash})
	})
}

// staffChange is the payload of staff.added and staff.changed: the account
// and the fields set (secret_hash is the argon2id hash, never the PIN).
type staffChange struct {
	Username    string       `json:"username"`
	FullName    *string      `json:"full_name,omitempty"`
	Role        *domain.Role `json:"role,omitempty"`
	Active      *bool        `json:"active,omitempty"`
	SecretReset bool         `json:"secret_reset,omitempty"`
	SecretHash  *string      `json:"secret_hash,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// recordStaff records a change of an account made here, at a moment after
// every shared change held (sharedAt), and marks the fields it set as this
// change's, so a peer's older change of them does not undo it.
func (s *Store) recordStaff(ctx context.Context, tx *sql.Tx, actor string, kind domain.Kind, c staffChange) error {
	at, err := s.sharedAt(ctx, tx)
	if err != nil {
		return err
	}
	e, err := s.recordAt(ctx, tx, actor, kind, c, at)
	if err != nil || e == nil {
		return err
	}
	return applyStaffFields(ctx, tx, c, eventMark(e, 0), false)
}

// applyStaffFields writes the fields of c whose claim wins under m (all
// marks are taken; with write false only the marks, the row being written
// by the caller).
func applyStaffFields(ctx context.Context, tx *sql.Tx, c staffChange, m mark, write bool) error {
	set := func(what, col string, v any) error {
		won, err := claim(ctx, tx, "staff."+what, c.Username, m)
		if err != nil || !won || !write {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE staff SET "+col+" = ? WHERE username = ?", v, c.Username)
		return err
	}
	if c.FullName != nil {
		if err := set("full_name", "full_name", *c.FullName); err != nil {
			return err
		}
	}
	if c.Role != nil && c.Role.Valid() {
		if err := set("role", "role", string(*c.Role)); err != nil {
			return err
		}
	}
	if c.Active != nil {
		if err := set("active", "active", *c.Active); err != nil {
			return err
		}
	}
	if c.SecretHash != nil {
		won, err := claim(ctx, tx, "staff.secret", c.Username, m)
		if err != nil || !won || !write {
			return err
		}
		// A new PIN lifts the lock here too, as on the device it was set on,
		// and the old one no longer opens this device's proof key (the member
		// gets a new copy at a sign-in while the key is open: proofkey.go).
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET secret_hash = ?, failed_tries = 0, locked_until = '' WHERE username = ?",
			*c.SecretHash, c.Username); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM proof_key_slots WHERE username = ?", c.Username)
		return err
	}
	return nil
}

// peerStaff applies another device's staff.added or staff.changed. An
// account first known from a change (its creation not yet here) is kept
// inactive, without a PIN, until the fields arrive.
func (r *recorder) peerStaff(e *domain.Event) error {
	var c staffChange
	if err := json.Unmarshal(e.Payload, &c); err != nil {
		return unreadable(fmt.Errorf("%s %s/%d: %w", e.Kind, e.DeviceID, e.Seq, err))
	}
	c.Username = domain.Clean(c.Username)
	if c.Username == "" {
		return unreadable(fmt.Errorf("%s %s/%d: no username", e.Kind, e.DeviceID, e.Seq))
	}
	if e.Kind == domain.KindStaffAdded && c.Active == nil {
		c.Active = ptr(true) // written before accounts were shared: an account is made active
	}
	if _, err := r.tx.ExecContext(r.ctx, `INSERT INTO staff(username, full_name, role, active, secret_hash, created_at)
		VALUES(?, ?, 'clerk', 0, '', ?) ON CONFLICT(username) DO NOTHING`, c.Username, c.Username, formatTime(e.At)); err != nil {
		return err
	}
	return applyStaffFields(r.ctx, r.tx, c, eventMark(e, 0), true)
}

// recordIn appends a non-dossier event inside tx, when the device is set up.
func (s *Store) recordIn(ctx context.Context, tx *sql.Tx, actor string, kind domain.Kind, payload any) error {
	_, err := s.recordAt(ctx, tx, actor, kind, payload, time.Time{})
	return err
}

// recordAt appends a non-dossier event at at (now when zero) inside tx and
// returns it; nil when the device is not set up yet.
func (s *Store) recordAt(ctx context.Context, tx *sql.Tx, actor string, kind domain.Kind, payload any, at time.Time) (*domain.Event, error) {
	if _, _, err := deviceOf(ctx, tx); errors.Is(err, ErrNotSetUp) {
		return nil, nil
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	r, err := s.newRecorder(ctx, tx)
	if err != nil {
		return nil, err
	}
	defer r.close()
	e := &domain.Event{Kind: kind, Staff: actor, At: at, Payload: raw}
	if _, err = r.append(e, nil, false); err != nil {
		return nil, err
	}
	return e, nil
}

// StaffMember returns one staff record, or ErrNotFound.
func (s *Store) StaffMember(ctx context.Context, username string) (StaffRecord, error) {
	var r StaffRecord
	var role, locked string
	err := s.db.QueryRowContext(ctx, `SELECT username, full_name, role, active, secret_hash, failed_tries, locked_until
		FROM staff WHERE username = ?`, domain.Clean(username)).
		Scan(&r.Username, &r.FullName, &role, &r.Active, &r.SecretHash, &r.FailedTries, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.Role = domain.Role(role)
	r.LockedUntil, _ = parseTime(locked)
	return r, err
}

// StaffList returns every staff member, ordered by username.
func (s *Store) StaffList(ctx context.Context) ([]domain.Staff, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT username, full_name, role, active FROM staff ORDER BY username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Staff
	for rows.Next() {
		var st domain.Staff
		var role string
		if err := rows.Scan(&st.Username, &st.FullName, &role, &st.Active); err != nil {
			return nil, err
		}
		st.Role = domain.Role(role)
		out = append(out, st)
	}
	return out, rows.Err()
}

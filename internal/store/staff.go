package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
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
		return s.recordIn(ctx, tx, actor, domain.KindStaffAdded, map[string]any{
			"username": st.Username, "full_name": st.FullName, "role": st.Role})
	})
}

// recordIn appends a non-dossier event inside tx, when the device is set up.
func (s *Store) recordIn(ctx context.Context, tx *sql.Tx, actor string, kind domain.Kind, payload any) error {
	if _, _, err := deviceOf(ctx, tx); errors.Is(err, ErrNotSetUp) {
		return nil
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	r, err := s.newRecorder(ctx, tx)
	if err != nil {
		return err
	}
	defer r.close()
	_, err = r.append(&domain.Event{Kind: kind, Staff: actor, Payload: raw}, nil, false)
	return err
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

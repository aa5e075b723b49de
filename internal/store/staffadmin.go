package store

import (
	"context"
	"database/sql"
	"errors"

	"postdesk/internal/domain"
)

// Staff management by a supervisor. Each change is a staff.changed event
// naming the supervisor, so the log tells who gave whom which rights.

// SetStaffActive activates or deactivates an account. A supervisor cannot
// deactivate themselves, and the last active supervisor cannot be
// deactivated: someone must always be able to manage the post point.
func (s *Store) SetStaffActive(ctx context.Context, actor, username string, active bool) error {
	username = domain.Clean(username)
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := staffIn(ctx, tx, username)
		if err != nil {
			return err
		}
		if !active {
			if username == actor {
				return domain.Errf("staff.active", "err.staff.self", "you cannot deactivate your own account")
			}
			if err := keepOneSupervisor(ctx, tx, st, domain.RoleClerk); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET active = ? WHERE username = ?", active, username); err != nil {
			return err
		}
		return s.recordStaff(ctx, tx, actor, domain.KindStaffChanged, staffChange{Username: username, Active: &active})
	})
}

// SetStaffRole changes an account's role (the last active supervisor keeps theirs).
func (s *Store) SetStaffRole(ctx context.Context, actor, username string, role domain.Role) error {
	username = domain.Clean(username)
	if !role.Valid() {
		return domain.Errf("staff.role", "err.staff.role", "unknown role %q", role)
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		st, err := staffIn(ctx, tx, username)
		if err != nil {
			return err
		}
		if err := keepOneSupervisor(ctx, tx, st, role); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET role = ? WHERE username = ?", string(role), username); err != nil {
			return err
		}
		return s.recordStaff(ctx, tx, actor, domain.KindStaffChanged, staffChange{Username: username, Role: &role})
	})
}

// ResetStaffSecret sets a new PIN or password hash and lifts any sign-in lock.
// The argon2id hash (never the PIN) goes into the event log, so the post
// point's other devices take the new PIN too (docs/sync-protocol.md §11.5).
func (s *Store) ResetStaffSecret(ctx context.Context, actor, username, secretHash string) error {
	username = domain.Clean(username)
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := staffIn(ctx, tx, username); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET secret_hash = ?, failed_tries = 0, locked_until = '' WHERE username = ?",
			secretHash, username); err != nil {
			return err
		}
		// The old PIN must not open the proof key any more; the member gets a
		// new copy at a sign-in while the key is open (proofkey.go).
		if _, err := tx.ExecContext(ctx, "DELETE FROM proof_key_slots WHERE username = ?", username); err != nil {
			return err
		}
		return s.recordStaff(ctx, tx, actor, domain.KindStaffChanged, staffChange{Username: username, SecretReset: true, SecretHash: &secretHash})
	})
}

func staffIn(ctx context.Context, tx *sql.Tx, username string) (domain.Staff, error) {
	var st domain.Staff
	var role string
	err := tx.QueryRowContext(ctx, "SELECT username, full_name, role, active FROM staff WHERE username = ?", username).
		Scan(&st.Username, &st.FullName, &role, &st.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return st, domain.Errf("staff.username", "err.staff.unknown", "no staff member %s", username).WithArgs("Name", username)
	}
	st.Role = domain.Role(role)
	return st, err
}

// keepOneSupervisor refuses a change that would take the last active
// supervisor's rights away (newRole is the role st would have).
func keepOneSupervisor(ctx context.Context, tx *sql.Tx, st domain.Staff, newRole domain.Role) error {
	if st.Role != domain.RoleSupervisor || !st.Active || newRole == domain.RoleSupervisor {
		return nil
	}
	var others int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM staff WHERE role = 'supervisor' AND active = 1 AND username <> ?",
		st.Username).Scan(&others); err != nil {
		return err
	}
	if others == 0 {
		return domain.Errf("staff.role", "err.staff.last_supervisor", "%s is the last active supervisor", st.Username).
			WithArgs("Name", st.Username)
	}
	return nil
}

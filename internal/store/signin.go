package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
)

// SignIn checks a staff member's PIN or password. A wrong one counts: after
// domain.MaxSignInTries in a row the account is locked for
// domain.SignInLockout (recorded as a staff.locked event); a right one
// resets the count and records staff.signed_in. An unknown username and a
// wrong PIN get the same answer, so the sign-in screen reveals no usernames.
func (s *Store) SignIn(ctx context.Context, username, secret string) (domain.Staff, error) {
	username = domain.Clean(username)
	var errs domain.Errors
	if username == "" {
		errs = append(errs, domain.Errf("signin.username", "err.required", "required"))
	}
	if secret == "" {
		errs = append(errs, domain.Errf("signin.secret", "err.required", "required"))
	}
	if err := errs.Err(); err != nil {
		return domain.Staff{}, err
	}
	rec, err := s.StaffMember(ctx, username)
	if errors.Is(err, ErrNotFound) {
		return domain.Staff{}, wrongSecret(-1)
	}
	if err != nil {
		return domain.Staff{}, err
	}
	now := s.Now()
	if rec.LockedUntil.After(now) {
		return domain.Staff{}, lockedErr(rec.Username, rec.LockedUntil)
	}
	if !rec.Active {
		return domain.Staff{}, domain.Errf("signin.username", "err.signin.inactive", "account %s is deactivated", rec.Username).
			WithArgs("Name", rec.Username)
	}
	ok, err := auth.Verify(rec.SecretHash, secret)
	if err != nil && !errors.Is(err, auth.ErrMalformed) {
		return domain.Staff{}, err
	}
	if !ok {
		tries, until, err := s.recordSignInFailure(ctx, rec.Username, now)
		if err != nil {
			return domain.Staff{}, err
		}
		if !until.IsZero() {
			return domain.Staff{}, lockedErr(rec.Username, until)
		}
		return domain.Staff{}, wrongSecret(domain.MaxSignInTries - tries)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET failed_tries = 0, locked_until = '' WHERE username = ?", rec.Username); err != nil {
			return err
		}
		return s.recordIn(ctx, tx, rec.Username, domain.KindStaffSignedIn, map[string]any{"username": rec.Username})
	})
	if err != nil {
		return domain.Staff{}, err
	}
	if err := s.unlockProofs(ctx, rec.Username, secret); err != nil {
		return domain.Staff{}, fmt.Errorf("opening the proof key: %w", err)
	}
	return rec.Staff, nil
}

// recordSignInFailure counts a wrong PIN; at the limit it locks the account
// and returns the time the lock ends.
func (s *Store) recordSignInFailure(ctx context.Context, username string, now time.Time) (tries int, until time.Time, err error) {
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "UPDATE staff SET failed_tries = failed_tries + 1 WHERE username = ? RETURNING failed_tries",
			username).Scan(&tries); err != nil {
			return err
		}
		if tries < domain.MaxSignInTries {
			return nil
		}
		until = now.Add(domain.SignInLockout)
		if _, err := tx.ExecContext(ctx, "UPDATE staff SET failed_tries = 0, locked_until = ? WHERE username = ?",
			formatTime(until), username); err != nil {
			return err
		}
		return s.recordIn(ctx, tx, username, domain.KindStaffLocked, map[string]any{
			"username": username, "tries": tries, "until": formatTime(until)})
	})
	return tries, until, err
}

func wrongSecret(left int) error {
	if left <= 0 || left >= domain.MaxSignInTries {
		return domain.Errf("signin.secret", "err.signin.wrong", "wrong username or PIN")
	}
	return domain.Errf("signin.secret", "err.signin.wrong_left", "wrong username or PIN; %d tries left", left).
		WithArgs("Left", strconv.Itoa(left), "Minutes", strconv.Itoa(int(domain.SignInLockout/time.Minute)))
}

func lockedErr(username string, until time.Time) error {
	return domain.Errf("signin.username", "err.signin.locked", "account %s is locked until %s", username, until.In(domain.Zone).Format("15:04")).
		WithArgs("Name", username, "Until", until.In(domain.Zone).Format("15:04"))
}

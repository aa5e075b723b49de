package hubstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"
	"unicode/utf8"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
)

// Sign-in rules for province staff on the web page.
const (
	MinPasswordLen = 10
	SessionTTL     = 12 * time.Hour
	MaxFailedTries = 5
	LockFor        = 15 * time.Minute
)

// ErrBadLogin is a wrong user name or password (never saying which).
var ErrBadLogin = errors.New("wrong user name or password")

// ErrLocked means too many wrong passwords: wait, then try again.
var ErrLocked = errors.New("too many wrong passwords: this account is locked for a while")

// AddUser creates a province staff account for the web page, or changes
// its password when it exists.
func (s *Store) AddUser(ctx context.Context, username, password string) error {
	username = domain.Clean(username)
	if username == "" || utf8.RuneCountInString(username) > 64 {
		return domain.Errf("username", "hub.err.username", "a user name of 1 to 64 characters is required")
	}
	if utf8.RuneCountInString(password) < MinPasswordLen {
		return domain.Errf("password", "hub.err.password_short", "the password must have at least %d characters", MinPasswordLen).
			WithArgs("N", "10")
	}
	hash, err := auth.Hash(password)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO hub_users(username, secret_hash, created_at) VALUES(?, ?, ?)
		ON CONFLICT(username) DO UPDATE SET secret_hash = excluded.secret_hash, failed_tries = 0, locked_until = ''`,
		username, hash, formatTime(s.Now()))
	return err
}

// Login checks a password and opens a session; it returns the session's
// cookie value and CSRF token. Wrong passwords count towards a lock.
func (s *Store) Login(ctx context.Context, username, password string) (cookie, csrf string, err error) {
	username = domain.Clean(username)
	var hash, locked string
	var tries int
	err = s.db.QueryRowContext(ctx, "SELECT secret_hash, failed_tries, locked_until FROM hub_users WHERE username = ?", username).
		Scan(&hash, &tries, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		// Spend the same time as a real check, so timing tells no names.
		auth.Verify("$argon2id$v=19$m=32768,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", password)
		return "", "", ErrBadLogin
	}
	if err != nil {
		return "", "", err
	}
	now := s.Now()
	if l := parseTime(locked); !l.IsZero() && now.Before(l) {
		return "", "", ErrLocked
	}
	ok, err := auth.Verify(hash, password)
	if err != nil {
		return "", "", err
	}
	if !ok {
		tries++
		lock := ""
		if tries >= MaxFailedTries {
			lock, tries = formatTime(now.Add(LockFor)), 0
		}
		s.db.ExecContext(ctx, "UPDATE hub_users SET failed_tries = ?, locked_until = ? WHERE username = ?", tries, lock, username)
		return "", "", ErrBadLogin
	}
	cookie, csrf = RandomHex(32), RandomHex(32)
	err = s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE hub_users SET failed_tries = 0, locked_until = '' WHERE username = ?", username); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM hub_sessions WHERE expires_at < ?", formatTime(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO hub_sessions(token_hash, username, csrf, created_at, expires_at) VALUES(?, ?, ?, ?, ?)",
			sessionHash(cookie), username, csrf, formatTime(now), formatTime(now.Add(SessionTTL)))
		return err
	})
	return cookie, csrf, err
}

// Session is a signed-in staff member.
type Session struct {
	Username string
	CSRF     string
}

// Session returns the session of a cookie value, or ErrNotFound when it is
// unknown or expired.
func (s *Store) Session(ctx context.Context, cookie string) (*Session, error) {
	if cookie == "" {
		return nil, ErrNotFound
	}
	var ss Session
	var exp string
	err := s.db.QueryRowContext(ctx, "SELECT username, csrf, expires_at FROM hub_sessions WHERE token_hash = ?", sessionHash(cookie)).
		Scan(&ss.Username, &ss.CSRF, &exp)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !s.Now().Before(parseTime(exp))) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &ss, nil
}

// Logout ends a session.
func (s *Store) Logout(ctx context.Context, cookie string) error {
	_, err := s.db.ExecContext(ctx, "DELETE FROM hub_sessions WHERE token_hash = ?", sessionHash(cookie))
	return err
}

func sessionHash(c string) string {
	sum := sha256.Sum256([]byte("postdesk-session:" + c))
	return hex.EncodeToString(sum[:])
}

func RandomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

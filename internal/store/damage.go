package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"postdesk/internal/domain"
)

// ErrDamaged means the database file is damaged (SQLite found a malformed
// page, or the file is not a database). It comes wrapped with a FieldError
// whose Vietnamese message names the file, the backup folder and the
// restore command, instead of SQLite's own text.
var ErrDamaged = errors.New("the database file is damaged")

// quickCheckMaxBytes: Open runs SQLite's quick_check (every page read once)
// on files up to this size — a post point's first years, checked in well
// under a second. A larger file is checked by CheckDamage when the caller
// asks (the app does it in the background after its first frame).
const quickCheckMaxBytes = 64 << 20

type damagedError struct {
	fe    *domain.FieldError
	cause error
}

func (e *damagedError) Error() string   { return e.fe.Error() + ": " + e.cause.Error() }
func (e *damagedError) Unwrap() []error { return []error{ErrDamaged, e.fe} }

// Damaged turns a SQLite "malformed" or "not a database" error on the file
// at path into ErrDamaged with the message to show; other errors are
// returned as they are.
func Damaged(path string, err error) error {
	if err == nil || errors.Is(err, ErrDamaged) || !isCorrupt(err) {
		return err
	}
	return damaged(path, err)
}

func damaged(path string, cause error) error {
	backups := filepath.Join(filepath.Dir(path), "backups")
	fe := domain.Errf("db", "err.db.damaged",
		"the database file %s is damaged; restore the newest backup (in %s): postdesk restore --db %s BACKUP.db", path, backups, path).
		WithArgs("Path", path, "Backups", backups)
	return &damagedError{fe: fe, cause: cause}
}

// isCorrupt reports whether err is SQLite's SQLITE_CORRUPT or SQLITE_NOTADB.
func isCorrupt(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "database disk image is malformed") || strings.Contains(msg, "file is not a database") ||
		strings.Contains(msg, "(11)") && strings.Contains(msg, "SQLITE_CORRUPT") || strings.Contains(msg, "SQLITE_NOTADB")
}

// CheckDamage runs SQLite's quick_check over the whole file: nil, or
// ErrDamaged with the message to show.
func (s *Store) CheckDamage(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return Damaged(s.path, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return Damaged(s.path, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return Damaged(s.path, err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], "…")
		}
		return damaged(s.path, errors.New("quick_check: "+strings.Join(problems, "; ")))
	}
	return nil
}

// smallEnoughToCheck reports whether Open checks the file itself.
func smallEnoughToCheck(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() <= quickCheckMaxBytes
}

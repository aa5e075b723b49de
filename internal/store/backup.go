package store

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"postdesk/internal/atomicfile"
)

// Backup writes a consistent copy of the database to path with VACUUM INTO.
// It writes to a temporary name first, so a cut never leaves half a backup
// under the final name.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup %s: the file already exists", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	tmp := path + ".partial"
	os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return atomicfile.Commit(tmp, path)
}

// BackupName is the timestamped file name of an automatic backup.
func BackupName(t time.Time) string {
	return "postdesk-" + t.Format("20060102-150405") + ".db"
}

// AutoBackup makes today's backup in dir when there is none yet for today,
// then keeps only the newest keep backups there. It returns the file written,
// or "" when today's backup already existed.
func (s *Store) AutoBackup(ctx context.Context, dir string, keep int) (string, error) {
	now := s.Now()
	today := "postdesk-" + now.Format("20060102") + "-"
	existing, _ := filepath.Glob(filepath.Join(dir, "postdesk-*.db"))
	for _, f := range existing {
		if strings.HasPrefix(filepath.Base(f), today) {
			return "", nil
		}
	}
	path := filepath.Join(dir, BackupName(now))
	if err := s.Backup(ctx, path); err != nil {
		return "", err
	}
	existing = append(existing, path)
	sort.Strings(existing) // names sort by time
	for keep > 0 && len(existing) > keep {
		os.Remove(existing[0])
		existing = existing[1:]
	}
	return path, nil
}

// Restore replaces the database at dst with the backup src, after checking
// that src is a sound PostDesk database (integrity, chains, projection) of a
// schema this build knows. The replaced file is kept beside it as .before-restore.
// dst must not be open.
func Restore(ctx context.Context, dst, src string) error {
	if err := verifyBackup(ctx, src); err != nil {
		return fmt.Errorf("restore refused, %s is not a sound backup: %w", src, err)
	}
	tmp := dst + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(dst + suffix)
		}
		if err := os.Rename(dst, dst+".before-restore"); err != nil {
			return err
		}
	}
	return atomicfile.Commit(tmp, dst)
}

func verifyBackup(ctx context.Context, src string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	// Check a private copy, so opening it (which may migrate) never touches the backup itself.
	tmp, err := os.MkdirTemp("", "postdesk-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	probe := filepath.Join(tmp, "probe.db")
	if err := copyFile(src, probe); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", dsn(probe))
	if err != nil {
		return err
	}
	var version int
	err = raw.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	raw.Close()
	if err != nil {
		return err
	}
	if version == 0 {
		return fmt.Errorf("not a PostDesk database")
	}
	s, err := Open(probe)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.Check(ctx)
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, in); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

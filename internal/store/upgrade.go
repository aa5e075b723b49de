package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"postdesk/internal/atomicfile"
	"postdesk/internal/sqlitedb"
	"postdesk/internal/vault"
)

// Upgrade says what Open did to a file written by an older PostDesk.
type Upgrade struct {
	From, To int    // schema versions
	Backup   string // the copy of the file as it was, made before anything changed
}

// upgrade brings a file of an older schema (from > 0) up to target without
// ever changing the file itself until the new one is whole: it writes a
// backup of the file as it is (VACUUM INTO, in the backups folder beside
// it), migrates a second copy, and only when every migration succeeded
// renames that copy over the file. A failed migration leaves the file as it
// was, byte for byte, still usable by the older PostDesk. db is the open
// handle on path; upgrade closes it.
func upgrade(ctx context.Context, db *sql.DB, path string, from, target int, all []sqlitedb.Migration, now string) (*Upgrade, error) {
	dir := filepath.Join(filepath.Dir(path), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		db.Close()
		return nil, fmt.Errorf("backup folder: %w", err)
	}
	backup := filepath.Join(dir, fmt.Sprintf("postdesk-before-schema-%d-%s.db", target, now))
	if err := vacuumInto(ctx, db, backup); err != nil {
		db.Close()
		return nil, fmt.Errorf("backup before the upgrade: %w (the database was not changed)", err)
	}
	backup, err := sealUpgradeBackup(ctx, db, backup)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("backup before the upgrade: %w (the database was not changed)", err)
	}
	work := path + ".upgrading"
	os.Remove(work)
	err = vacuumInto(ctx, db, work)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = migrateFile(ctx, work, all, target)
	}
	if err != nil {
		removeDB(work)
		return nil, fmt.Errorf("the upgrade from schema %d to %d failed: %w; the database was not changed, and a copy is in %s", from, target, err, backup)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix) // the old file's, already checkpointed by Close
	}
	if err := atomicfile.Commit(work, path); err != nil {
		removeDB(work)
		return nil, fmt.Errorf("the upgrade from schema %d to %d: %w; the database was not changed, and a copy is in %s", from, target, err, backup)
	}
	return &Upgrade{From: from, To: target, Backup: backup}, nil
}

// sealUpgradeBackup encrypts the copy made before an upgrade to the post
// point's recovery key and hub, as every backup is, when the old file has a
// recovery key; a file from before recovery keys existed has none to
// encrypt to, and its copy stays plain in the backups folder beside it.
func sealUpgradeBackup(ctx context.Context, db *sql.DB, plain string) (string, error) {
	var rec string
	if err := db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaRecovery).Scan(&rec); err != nil || rec == "" {
		return plain, nil
	}
	var hub string
	_ = db.QueryRowContext(ctx, "SELECT hub_age_recipient FROM sync_state WHERE id = 1").Scan(&hub)
	rcpts, err := vault.Recipients(rec, hub)
	if err != nil {
		return plain, err
	}
	sealed := strings.TrimSuffix(plain, ".db") + BackupExt
	if err := vault.SealFile(plain, sealed, rcpts); err != nil {
		return plain, err
	}
	return sealed, os.Remove(plain)
}

// vacuumInto writes a consistent copy of the open database to path (a new
// file), synced and renamed into place.
func vacuumInto(ctx context.Context, db *sql.DB, path string) error {
	tmp := path + ".partial"
	os.Remove(tmp)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return atomicfile.Commit(tmp, path)
}

// migrateFile migrates the file at path and closes it, so that its WAL is
// folded back into it.
func migrateFile(ctx context.Context, path string, all []sqlitedb.Migration, target int) error {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return err
	}
	err = sqlitedb.Migrate(ctx, db, all, target, "database")
	if err == nil {
		_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	return err
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

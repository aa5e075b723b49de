// Package store keeps PostDesk's data in a local SQLite file: migrations,
// the append-only event log, the dossier projection, search and backups.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/platform"
	"postdesk/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNotSetUp is returned while the database has no post point and device yet.
var ErrNotSetUp = errors.New("this database has no post point yet: run the first-start setup")

// ErrNotFound is returned when a dossier, staff member or procedure does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open PostDesk database.
type Store struct {
	db   *sql.DB
	path string
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Upgraded is set when Open brought a file of an older PostDesk up to
	// this schema, with the backup it made first; callers say so.
	Upgraded *Upgrade
	// proofs holds the device's proof key once a staff member's sign-in
	// opened it (proofkey.go); never written to disk in the clear.
	proofs proofKey
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A database written by a newer PostDesk is refused.
func Open(path string) (*Store, error) {
	db, err := sqlitedb.Open(path, dsn(path), "database")
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, Now: time.Now}
	// A damaged file is said so, with the way back (a backup), before
	// anything reads it half: SQLite's quick_check when the file is small
	// enough to check at once (see CheckDamage for a larger one).
	if smallEnoughToCheck(path) {
		if err := s.CheckDamage(context.Background()); err != nil {
			db.Close()
			return nil, err
		}
	}
	ctx := context.Background()
	all := migrationList()
	from, err := sqlitedb.Version(ctx, db)
	if err != nil {
		db.Close()
		return nil, Damaged(path, err)
	}
	if from > 0 && from < len(all) { // written by an older PostDesk: back up, migrate a copy (upgrade.go)
		up, err := upgrade(ctx, db, path, from, len(all), all, time.Now().Format("20060102-150405"))
		if err != nil {
			return nil, err
		}
		if db, err = sql.Open("sqlite", dsn(path)); err != nil {
			return nil, err
		}
		s.db, s.Upgraded = db, up
	}
	if err := sqlitedb.Migrate(ctx, db, all, len(all), "database"); err != nil {
		db.Close()
		return nil, Damaged(path, err)
	}
	// A catch-up cut by a power cut left the projection to build: built
	// now, before anything reads the dossiers (bulkpeers.go).
	if stale, err := s.ProjectionStale(ctx); err != nil {
		db.Close()
		return nil, err
	} else if stale {
		if _, err := s.RebuildProjection(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if _, err := s.SealPlainProofs(ctx); err != nil { // proofs kept by an older PostDesk (proofkey.go)
		db.Close()
		return nil, err
	}
	return s, nil
}

func dsn(path string) string { return sqlitedb.DSN(path, 10000) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

func migrations() []sqlitedb.Migration { return sqlitedb.Migrations(migrationFiles, "migrations") }

// migrationList is what Open applies (a test adds a failing step).
var migrationList = migrations

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int { return len(migrations()) }

// ErrNewerSchema means the file was written by a newer PostDesk.
type ErrNewerSchema = sqlitedb.ErrNewerSchema

// migrate applies migrations up to version target, each in its own transaction.
func (s *Store) migrate(ctx context.Context, target int) error {
	return sqlitedb.Migrate(ctx, s.db, migrations(), target, "database")
}

// write runs fn in one write transaction (BEGIN IMMEDIATE).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return sqlitedb.Write(ctx, s.db, fn)
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(domain.TimeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(domain.TimeLayout, s)
}

// Meta reads a setting; def when unset.
func (s *Store) Meta(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	return v, err
}

// SetMeta writes a setting.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx,
		"INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, value)
	return err
}

// Checkpoint copies the WAL into the database file and truncates it, so the
// file alone holds everything (before copying it, or to measure its size).
func (s *Store) Checkpoint(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// DefaultPath is the desktop app's database when --db is not given: in the
// data folder (platform.DataDir: %PROGRAMDATA%\PostDesk on Windows, ~/.config/postdesk on Linux).
func DefaultPath() string { return platform.DefaultDBPath() }

// Package store keeps PostDesk's data in a local SQLite file: migrations,
// the append-only event log, the dossier projection, search and backups.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"postdesk/internal/domain"
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
}

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A database written by a newer PostDesk is refused.
func Open(path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("database folder: %w", err)
		}
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, path: path, Now: time.Now}
	if err := s.migrate(context.Background(), len(migrations())); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// dsn sets the pragmas every connection needs: WAL so readers never block
// the writer, FULL sync so a receipt that was printed survives a power cut,
// foreign keys, a busy timeout, and BEGIN IMMEDIATE so writers queue up
// instead of failing halfway through a transaction.
func dsn(path string) string {
	q := url.Values{}
	for _, p := range []string{"page_size(8192)", "busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.path }

// DB gives the raw handle to packages that own their own tables (sync, reports).
func (s *Store) DB() *sql.DB { return s.db }

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() []migration {
	entries, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	var out []migration
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			panic("migration file without a number: " + e.Name())
		}
		b, _ := migrationFiles.ReadFile("migrations/" + e.Name())
		out = append(out, migration{version: n, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			panic(fmt.Sprintf("migrations must be numbered 1, 2, 3…: %s", m.name))
		}
	}
	return out
}

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int { return len(migrations()) }

// ErrNewerSchema means the file was written by a newer PostDesk.
type ErrNewerSchema struct{ File, Known int }

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("this database has schema version %d but this PostDesk knows only up to %d: install a newer PostDesk (the file was not changed)", e.File, e.Known)
}

// migrate applies migrations up to version target, each in its own transaction.
func (s *Store) migrate(ctx context.Context, target int) error {
	var current int
	if err := s.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	all := migrations()
	if current > len(all) {
		return &ErrNewerSchema{File: current, Known: len(all)}
	}
	for _, m := range all[current:target] {
		err := s.write(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// write runs fn in one write transaction (BEGIN IMMEDIATE).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Write runs fn in one write transaction, for packages that own tables of
// their own and must change them together with the event log.
func (s *Store) Write(ctx context.Context, fn func(tx *sql.Tx) error) error { return s.write(ctx, fn) }

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

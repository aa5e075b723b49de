// Package sqlitedb is the SQLite plumbing the post point's store and the
// province hub share: how a connection is opened, how numbered, embedded
// migrations are applied, and SQLite's own integrity check.
package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DSN sets the pragmas every connection needs: WAL so readers never block
// the writer, FULL sync so what was acknowledged survives a power cut,
// foreign keys, a busy timeout, and BEGIN IMMEDIATE so writers queue up
// instead of failing halfway through a transaction. page_size only matters
// when the file is created.
func DSN(path string, busyMillis int) string {
	q := url.Values{}
	for _, p := range []string{"page_size(8192)", "busy_timeout(" + strconv.Itoa(busyMillis) + ")",
		"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Migration is one numbered SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations reads dir of files named NNN_what.sql, numbered 1, 2, 3… with
// no gap. They are embedded at build time, so a bad name is a programming
// error and panics.
func Migrations(files fs.FS, dir string) []Migration {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		panic(err)
	}
	var out []Migration
	for _, e := range entries {
		n, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			panic("migration file without a number: " + e.Name())
		}
		b, err := fs.ReadFile(files, dir+"/"+e.Name())
		if err != nil {
			panic(err)
		}
		out = append(out, Migration{Version: n, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			panic(fmt.Sprintf("migrations must be numbered 1, 2, 3…: %s", m.Name))
		}
	}
	return out
}

// ErrNewerSchema means the file was written by a newer PostDesk.
type ErrNewerSchema struct {
	What        string // "database" or "hub database"
	File, Known int
}

func (e *ErrNewerSchema) Error() string {
	return fmt.Sprintf("this %s has schema version %d but this PostDesk knows only up to %d: install a newer PostDesk (the file was not changed)", e.What, e.File, e.Known)
}

// Version is the file's schema version (PRAGMA user_version).
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v int
	err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Migrate applies the migrations after the file's version up to target,
// each in its own transaction together with the new user_version, so a cut
// leaves the file at the last whole step. A file newer than all is refused.
func Migrate(ctx context.Context, db *sql.DB, all []Migration, target int, what string) error {
	current, err := Version(ctx, db)
	if err != nil {
		return fmt.Errorf("open %s: %w", what, err)
	}
	if current > len(all) {
		return &ErrNewerSchema{What: what, File: current, Known: len(all)}
	}
	for _, m := range all[current:target] {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Open makes the folder of path (what names the file in errors, e.g. "hub
// database") and opens path with dsn.
func Open(path, dsn, what string) (*sql.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("%s folder: %w", what, err)
		}
	}
	return sql.Open("sqlite", dsn)
}

// Write runs fn in one write transaction (BEGIN IMMEDIATE, from DSN):
// committed when fn returns nil, rolled back otherwise.
func Write(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Check runs a store's check: SQLite's integrity check (CheckIntegrity),
// then fn, in one read-only snapshot.
func Check(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := CheckIntegrity(ctx, tx); err != nil {
		return err
	}
	return fn(tx)
}

// Discrepancy is the first thing a store's check found wrong.
type Discrepancy struct{ What string }

func (d *Discrepancy) Error() string { return d.What }

// CheckIntegrity runs SQLite's integrity check inside tx: a *Discrepancy
// listing what it found wrong, nil when the file is sound.
func CheckIntegrity(ctx context.Context, tx *sql.Tx) error {
	problems, err := integrityProblems(ctx, tx)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return &Discrepancy{What: "SQLite integrity check: " + strings.Join(problems, "; ")}
	}
	return nil
}

// integrityProblems runs SQLite's integrity check inside tx and returns
// what it found wrong (nothing when the file is sound).
func integrityProblems(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return nil, err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	return problems, rows.Err()
}

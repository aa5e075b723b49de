package hubstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"postdesk/internal/pgdb"
	"postdesk/internal/sqlitedb"
)

// A hub on PostgreSQL runs the same SQL as on SQLite (internal/pgdb
// rewrites the placeholders; migrations/postgres provides the few SQLite
// functions the SQL calls). What differs is here.
//
// Several hub processes may serve one database. The hub's SQL was written
// for SQLite, where one writer at a time sees everything committed before
// it: the ack computed from the device's stored head, the updates a device
// is handed (and the result-only registrations it claims), the counters the
// report triggers keep, and the commit order of onestop_changes.seq and
// updates.id that pollers page through. On PostgreSQL every write
// transaction therefore first takes one transaction-scoped advisory lock,
// pg_advisory_xact_lock(writeLockKey), held until it commits or rolls back;
// under READ COMMITTED each statement after the lock sees every write that
// committed before it. So writers of all the processes run one after
// another, exactly as on SQLite, and nothing needs retrying: a batch pushed
// to two processes at once is stored by the first, and the second finds it
// stored (the UNIQUE batch_id and (device_id, seq) constraints stand behind
// this) and answers the same signed ack, read back from batches.ack. Reads
// (pulls, the web page, reports) take no lock; a read of several statements
// runs in one REPEATABLE READ snapshot (readTx).
const writeLockKey = 0x506f737444657368 // "PostDesh"

// postgresMaxConns bounds one process's connections (PostgreSQL's default
// max_connections is 100, shared by every hub process and tool).
const postgresMaxConns = 24

func openPostgres(dsn string) (*Store, error) {
	db, err := pgdb.Open(dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	db.SetConnMaxIdleTime(10 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("hub database on PostgreSQL: cannot connect: %w", err)
	}
	s := &Store{db: db, path: dsn, pg: true, Now: time.Now}
	// A streaming replica (or a database set read-only) serves what only
	// reads: reports, exports, status, check. Nothing is migrated or made there.
	if err := db.QueryRowContext(ctx, "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'").Scan(&s.readOnly); err != nil {
		db.Close()
		return nil, fmt.Errorf("hub database on PostgreSQL: %w", err)
	}
	return start(s)
}

// IsPostgres reports whether the store is on PostgreSQL.
func (s *Store) IsPostgres() bool { return s.pg }

// ErrNotEmpty means a PostgreSQL database already holds tables that are not a hub's.
var ErrNotEmpty = errors.New("this PostgreSQL database already holds tables and is not a PostDesk hub: give the hub an empty database of its own (CREATE DATABASE)")

// migratePostgres applies the steps after the database's version in one
// transaction (PostgreSQL's DDL is transactional: a cut leaves the last
// whole version), under the write lock so two processes starting at once
// migrate once. The version is kept in hub_schema_version.
func (s *Store) migratePostgres(ctx context.Context) error {
	if s.readOnly {
		var v int
		err := s.db.QueryRowContext(ctx, "SELECT version FROM hub_schema_version").Scan(&v)
		if err != nil {
			return fmt.Errorf("this PostgreSQL database is read-only (a replica?) and holds no hub: %w", err)
		}
		if n := len(PostgresMigrations()); v != n {
			return fmt.Errorf("this PostgreSQL database is read-only (a replica?) and its hub schema is version %d, this PostDesk's is %d: run this PostDesk against the primary first", v, n)
		}
		return nil
	}
	return s.writePostgres(ctx, func(tx *sql.Tx) error { return migrateInTx(ctx, tx) })
}

// migrateInTx brings the PostgreSQL database of tx to the newest schema.
func migrateInTx(ctx context.Context, tx *sql.Tx) error {
	all := PostgresMigrations()
	var have bool
	if err := tx.QueryRowContext(ctx, "SELECT to_regclass('hub_schema_version') IS NOT NULL").Scan(&have); err != nil {
		return fmt.Errorf("open hub database: %w", err)
	}
	current := 0
	if !have {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_tables
			WHERE schemaname = current_schema()`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrNotEmpty
		}
		if _, err := tx.ExecContext(ctx, "CREATE TABLE hub_schema_version (version bigint NOT NULL)"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO hub_schema_version(version) VALUES(0)"); err != nil {
			return err
		}
	} else if err := tx.QueryRowContext(ctx, "SELECT version FROM hub_schema_version").Scan(&current); err != nil {
		return fmt.Errorf("open hub database: %w", err)
	}
	if current > len(all) {
		return &ErrNewerSchema{What: "hub database", File: current, Known: len(all)}
	}
	for _, m := range all[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	_, err := tx.ExecContext(ctx, "UPDATE hub_schema_version SET version = ?", len(all))
	return err
}

// writePostgres runs fn in one transaction that holds the hub's write lock.
func (s *Store) writePostgres(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(writeLockKey)); err != nil {
		tx.Rollback()
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// The planner's statistics. A hub's tables grow from nothing by batches of
// thousands of events; until autovacuum's next round (a minute by default)
// PostgreSQL plans with the sizes it last saw, and the projector's reads of
// up to 512 dossiers at once (project.go, prefetch) then scan hub_events
// whole instead of reading its dossier index: measured, 22–31 ms a read
// over 90,000 events instead of about 2 ms. So the store runs ANALYZE on
// the tables the projection reads once the rows this process projected
// since its last ANALYZE reach the number the statistics hold for
// hub_events (and at least analyzeMinRows): after 5,000, 10,000, 20,000…
// events, a few ANALYZEs in a first big push, then as autovacuum would.
// ANALYZE takes no lock that stops the hub's readers or writers.
const analyzeMinRows = 5000

type analyzeState struct {
	mu      sync.Mutex
	pending int64 // events projected since the last ANALYZE
	running bool
}

// noteProjected counts n events projected and runs ANALYZE when due.
func (s *Store) noteProjected(ctx context.Context, n int) {
	if !s.pg || s.readOnly || n == 0 {
		return
	}
	a := &s.analyzed
	a.mu.Lock()
	a.pending += int64(n)
	due := a.pending >= analyzeMinRows && !a.running
	if due {
		a.running = true
	}
	pending := a.pending
	a.mu.Unlock()
	if !due {
		return
	}
	defer func() {
		a.mu.Lock()
		a.running = false
		a.mu.Unlock()
	}()
	var known float64 // pg_class.reltuples: -1 when never analyzed
	if err := s.db.QueryRowContext(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'hub_events'::regclass").Scan(&known); err != nil {
		return // statistics are an optimisation: the next chunk tries again
	}
	if float64(pending) < known {
		return
	}
	// Only the columns the projector's reads select by: ANALYZE of every
	// column (hub_dossiers' JSON among them) took 0.66 s at 90,000 events.
	if _, err := s.db.ExecContext(ctx, "ANALYZE hub_events (dossier, device_id), hub_dossiers (id)"); err != nil {
		return
	}
	a.mu.Lock()
	a.pending = 0
	a.mu.Unlock()
}

// Group commit. Every write commits under the write lock, and on a
// production server (synchronous_commit on) a commit waits for its WAL
// flush, so writers queued behind the lock wait one fsync each: 1,000
// devices pushing at once meant 1,000 fsyncs in a row. writeGrouped lets
// the device batches that wait at the same moment share one transaction:
// the first to arrive leads, takes the lock, and runs its own fn and every
// fn queued meanwhile, each in a SAVEPOINT of its own — a fn that fails is
// rolled back to its savepoint alone and its caller gets its error, as if
// it had run alone —, then commits once and tells each caller. Writers run
// one after another as before (each sees what the earlier ones wrote), so
// what the lock gives (see writeLockKey) stands; a failed commit fails
// every fn of the group, none of them acked.
type pendingWrite struct {
	fn   func(tx *sql.Tx) error
	done chan error
}

type writeGroup struct {
	mu      sync.Mutex
	queue   []*pendingWrite
	leading bool
}

// maxGroup bounds the batches of one group (and so one transaction's size).
const maxGroup = 64

func (s *Store) writeGrouped(ctx context.Context, fn func(tx *sql.Tx) error) error {
	g := &s.group
	p := &pendingWrite{fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, p)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead {
		return <-p.done
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroup)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if n == 0 {
			g.leading = false
			g.mu.Unlock()
			return <-p.done
		}
		g.mu.Unlock()
		s.runGroup(ctx, batch)
	}
}

// runGroup runs the fns of batch in one transaction, each in a savepoint.
func (s *Store) runGroup(ctx context.Context, batch []*pendingWrite) {
	errs := make([]error, len(batch))
	err := s.writePostgres(ctx, func(tx *sql.Tx) error {
		for i, p := range batch {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT hub_write"); err != nil {
				return err
			}
			if errs[i] = p.fn(tx); errs[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT hub_write"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT hub_write"); err != nil {
				return err
			}
		}
		return nil
	})
	for i, p := range batch {
		if err != nil {
			p.done <- err
		} else {
			p.done <- errs[i]
		}
	}
}

// check runs fn in one read-only snapshot, after SQLite's integrity check
// on SQLite (PostgreSQL keeps its own pages' checksums; pg_amcheck is the
// DBA's tool).
func (s *Store) check(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !s.pg {
		return sqlitedb.Check(ctx, s.db, fn)
	}
	tx, err := s.readTx(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	return fn(tx)
}

package hubtest

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/pgdb"
	"postdesk/internal/pgtest"
	"postdesk/internal/testtool"
)

// The hub's tests run against either store, one suite: SQLite by default,
// PostgreSQL when POSTDESK_TEST_HUB_DB=postgres (make test runs the hub's
// packages and the end-to-end tests a second time so). Each test package
// then starts one throwaway cluster (internal/pgtest) in its TestMain
// (Main) and gives every test a database of its own, made from a migrated
// template, dropped at the test's end.

// StoreEnv names the store the hub's tests run against.
const StoreEnv = "POSTDESK_TEST_HUB_DB"

// Postgres reports whether this run's hub tests are on PostgreSQL.
func Postgres() bool { return os.Getenv(StoreEnv) == "postgres" }

var pg struct {
	once    sync.Once
	cluster *pgtest.Cluster
	admin   *sql.DB
	err     error
	n       atomic.Int64
}

// Main runs a hub test package's tests (its TestMain calls it) and stops
// the package's PostgreSQL cluster, if one was started, afterwards.
func Main(m *testing.M) int {
	code := m.Run()
	if pg.cluster != nil {
		pg.admin.Close()
		if err := pg.cluster.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the tests' PostgreSQL:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// template is the migrated, keyless hub database new ones are copied from.
const template = "hub_template"

func cluster(t testing.TB) *pgtest.Cluster {
	t.Helper()
	pg.once.Do(func() {
		c, err := pgtest.StartShared()
		if err != nil || c == nil {
			pg.err = err
			return
		}
		pg.cluster = c
		if pg.admin, pg.err = pgdb.Open(c.URL); pg.err != nil {
			return
		}
		if _, pg.err = pg.admin.Exec("CREATE DATABASE " + template); pg.err != nil {
			return
		}
		s, err := hubstore.Open(c.URLFor(template))
		if err != nil {
			pg.err = err
			return
		}
		s.Close()
		tdb, err := pgdb.Open(c.URLFor(template))
		if err != nil {
			pg.err = err
			return
		}
		defer tdb.Close()
		_, pg.err = tdb.Exec("DELETE FROM hub_meta") // every test's hub makes keys of its own
	})
	if pg.err != nil {
		t.Fatalf("the tests' PostgreSQL: %v", pg.err)
	}
	if pg.cluster == nil {
		t.Skip("PostgreSQL is not installed (scripts/deps.sh test)")
	}
	return pg.cluster
}

// NewDB is the --db of a new, empty hub database for t: HUB.db in t's
// folder, or on PostgreSQL a new database (its connection string) dropped
// at t's end.
func NewDB(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		return filepath.Join(t.TempDir(), "HUB.db")
	}
	return NewPostgresDB(t, true)
}

// NewPostgresDB is a new database of the package's cluster, migrated as a
// hub when hub, else empty; dropped at t's end.
func NewPostgresDB(t testing.TB, hub bool) string {
	t.Helper()
	c := cluster(t)
	name := fmt.Sprintf("hub_%d", pg.n.Add(1))
	q := "CREATE DATABASE " + name
	if hub {
		q += " TEMPLATE " + template
	}
	if _, err := pg.admin.Exec(q); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pg.admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("dropping the test's database: %v", err)
		}
	})
	return c.URLFor(name)
}

// DB is a second connection to s's database, for tests that look at or
// damage rows directly.
func DB(t testing.TB, s *hubstore.Store) *sql.DB {
	if !s.IsPostgres() {
		return testtool.DB(t, s.Path())
	}
	db, err := pgdb.Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// SQLiteOnly skips t on PostgreSQL, saying why (what it tests is SQLite's own).
func SQLiteOnly(t testing.TB, why string) {
	t.Helper()
	if Postgres() {
		t.Skip("SQLite only: " + why)
	}
}

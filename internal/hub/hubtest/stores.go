package hubtest

import (
	"bytes"
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

// Holds lists the needles found anywhere in the database db (a --db
// value): for a file, in its bytes and its write-ahead log's; on
// PostgreSQL, in any text, json or bytea column of any table of the
// database (as strings, so a needle inside a JSON or an opaque value counts).
func Holds(t testing.TB, db string, needles []string) []string {
	t.Helper()
	var out []string
	if !pgdb.Is(db) {
		var all []byte
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(db + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		for _, n := range needles {
			if bytes.Contains(all, []byte(n)) {
				out = append(out, n)
			}
		}
		return out
	}
	conn, err := pgdb.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND data_type IN ('text', 'bytea', 'json', 'jsonb', 'character varying')`)
	if err != nil {
		t.Fatal(err)
	}
	type col struct{ table, name, typ string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.table, &c.name, &c.typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if len(cols) < 50 {
		t.Fatalf("only %d text columns found in the hub's database", len(cols))
	}
	for _, n := range needles {
		for _, c := range cols {
			expr := fmt.Sprintf("strpos(%q::text, $1) > 0", c.name)
			if c.typ == "bytea" {
				expr = fmt.Sprintf("position(convert_to($1, 'UTF8') in %q) > 0", c.name)
			}
			var hit int
			if err := conn.QueryRow(fmt.Sprintf("SELECT count(*) FROM %q WHERE %s", c.table, expr), n).Scan(&hit); err != nil {
				t.Fatal(err)
			}
			if hit > 0 {
				out = append(out, n+" in "+c.table+"."+c.name)
				break
			}
		}
	}
	return out
}

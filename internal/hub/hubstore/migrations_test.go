package hubstore_test

import (
	"database/sql"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/testtool"
)

// TestMigrationsSameOnBothStores: the two folders hold the same numbers
// and names, and the two migrated databases the same tables and columns.
func TestMigrationsSameOnBothStores(t *testing.T) {
	lite, pg := hubstore.Migrations(), hubstore.PostgresMigrations()
	if len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d PostgreSQL ones: add each to both folders (migrations/README.md)", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Name != pg[i].Name {
			t.Errorf("migration %d is %s on SQLite, %s on PostgreSQL", i+1, lite[i].Name, pg[i].Name)
		}
	}
	if !hubtest.Postgres() {
		t.Skip("the schemas are compared in the PostgreSQL run (" + hubtest.StoreEnv + "=postgres, make test-hub-postgres)")
	}
	file := filepath.Join(t.TempDir(), "HUB.db")
	s, err := hubstore.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	p := hubtest.Open(t)
	want := columns(t, testtool.DB(t, file), `SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	got := columns(t, hubtest.DB(t, p), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'hub_schema_version'`)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after migrating, PostgreSQL's tables and columns differ from SQLite's:\nPostgreSQL %v\nSQLite     %v", got, want)
	}
	if len(want) < 20 {
		t.Fatalf("only %d tables", len(want))
	}
}

// columns is table → its column names, sorted.
func columns(t *testing.T, db *sql.DB, q string) map[string][]string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var tab, col string
		if err := rows.Scan(&tab, &col); err != nil {
			t.Fatal(err)
		}
		out[tab] = append(out[tab], col)
	}
	for _, c := range out {
		sort.Strings(c)
	}
	return out
}

// TestReadOnlyPostgresServesReports: a hub database PostgreSQL only lets
// read (a replica; here one set read-only) opens without migrating or
// making keys, answers reports and checks with the primary's keys, and
// refuses writes.
func TestReadOnlyPostgresServesReports(t *testing.T) {
	if !hubtest.Postgres() {
		t.Skip("PostgreSQL only (" + hubtest.StoreEnv + "=postgres)")
	}
	s, _, _ := hubtest.WithDossiers(t, 5)
	want, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := hubtest.DB(t, s)
	var name string
	if err := db.QueryRow("SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("ALTER DATABASE " + name + " SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	ro, err := hubstore.Open(s.Path())
	if err != nil {
		t.Fatalf("opening the read-only database: %v", err)
	}
	defer ro.Close()
	if !ro.PublicKey().Equal(s.PublicKey()) {
		t.Fatal("the read-only hub has other keys")
	}
	got, err := ro.Check(ctx)
	if err != nil || got != want {
		t.Fatalf("check on the read-only database: %+v %v, want %+v", got, err, want)
	}
	if _, err := ro.IssueToken(ctx, "600900", "x", "tester"); err == nil {
		t.Fatal("a write succeeded on the read-only database")
	}
}

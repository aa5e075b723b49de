package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/store"
)

// A read-only command given a path that does not exist says so and creates
// nothing (it used to make a new empty database and answer "ok").
func TestReadOnlyCommandsRefuseMissingDB(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	typo := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"check", "--db", typo},
		{"find", "--db", typo, "Rơ Mah"},
		{"status", "--db", typo},
		{"backup", "--db", typo, "--out", filepath.Join(dir, "b.db")},
		{"receipt", "--db", typo, "--dossier", "600900A-261125-0001", "--out", filepath.Join(dir, "r.pdf")},
		{"register", "--db", typo, "--out", filepath.Join(dir, "r.pdf")},
		{"report", "kpi", "--db", typo, "--year", "2026", "--out", filepath.Join(dir, "k.json")},
		{"report", "totals", "list", "--db", typo},
		{"notice", "--db", typo, "--out", filepath.Join(dir, "n.pdf")},
		{"sync", "--db", typo},
		{"batch", "export", "--db", typo, "--out", filepath.Join(dir, "x.pdsync")},
		{"hub", "status", "--db", typo},
		{"hub", "check", "--db", typo},
		{"hub", "report", "kpi", "--db", typo, "--year", "2026", "--out", filepath.Join(dir, "h.json")},
	} {
		code, _, errs := run(t, args...)
		if code == 0 || !strings.Contains(errs, "no such database file") {
			t.Errorf("%s: %d %q", strings.Join(args[:len(args)-2], " "), code, errs)
		}
		if _, err := os.Stat(typo); !os.IsNotExist(err) {
			t.Fatalf("%s created %s", args[0], typo)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("left behind: %s", e.Name())
	}
}

// --db postgres://… is not a file name: a clear error from the post
// point's commands, the hub's open PostgreSQL; no folders named
// "postgres:" made on the way.
func TestPostgresURLIsNotAFilePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		{"check", "--db", "postgres://tinh:bi-mat@db.gialai.example/postdesk"},
		{"demo", "seed", "--db", "postgresql://db/postdesk", "--dossiers", "1"},
	} {
		code, _, errs := run(t, args...)
		if code == 0 || !strings.Contains(errs, "PostgreSQL is not supported by this command yet") {
			t.Errorf("%s: %d %q", strings.Join(args, " "), code, errs)
		}
		if strings.Contains(errs, "bi-mat") {
			t.Errorf("%s: the password is in the message: %q", args[0], errs)
		}
	}
	// The hub's commands take PostgreSQL (internal/hub/hubstore), never
	// with a password on the command line; a server that is not there is
	// named as such (nothing listens on 127.0.0.1 port 1).
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"hub", "serve", "--db", "postgres://tinh:bi-mat@db.gialai.example/hub", "--addr", "127.0.0.1:0"}, "carries a password"},
		{[]string{"hub", "token", "--db", "host=127.0.0.1 password=bi-mat dbname=hub", "--post-point", "600900"}, "carries a password"},
		{[]string{"hub", "status", "--db", "postgres://hub@127.0.0.1:1/hub"}, "cannot connect"},
	} {
		code, _, errs := run(t, c.args...)
		if code == 0 || !strings.Contains(errs, c.want) || strings.Contains(errs, "bi-mat") {
			t.Errorf("%s: %d %q, want %q without the password", strings.Join(c.args, " "), code, errs, c.want)
		}
	}
	if code, _, errs := run(t, "check", "--db", "sqlite://x.db"); code == 0 || !strings.Contains(errs, "not a file path") {
		t.Errorf("sqlite:// URL: %d %q", code, errs)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("created: %s", e.Name())
	}
}

// demo seed commits its dossiers, then tidies up (a WAL checkpoint). A
// failure of the tidying (a full disk) used to make the whole seed exit 1
// although its data was saved.
func TestDemoSeedSucceedsOnceCommitted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	old := checkpoint
	checkpoint = func(ctx context.Context, s *store.Store) error { return errors.New("database or disk is full") }
	t.Cleanup(func() { checkpoint = old })
	code, stdout, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "5")
	if code != 0 || !strings.Contains(stdout, "seeded 5 dossiers") || !strings.Contains(errs, "dossiers are saved") {
		t.Fatalf("demo seed with a failing checkpoint: %d %q %q", code, stdout, errs)
	}
	checkpoint = old
	if code, stdout, errs := run(t, "check", "--db", db); code != 0 || !strings.HasPrefix(stdout, "ok:") {
		t.Fatalf("check: %d %q %q", code, stdout, errs)
	}
}

// Package testtool finds the outside programs tests call (pdftotext,
// pdftoppm, zbarimg, sqlite3, chromium). When one is missing, a test on a
// developer's machine is skipped (or its extra check left out), but under CI
// — the CI environment variable set to anything but "", "0" or "false", as
// .ci/run does — it fails: CI never passes by skipping. scripts/deps.sh test
// installs them.
package testtool

import (
	"database/sql"
	"os"
	"os/exec"
	"testing"

	"postdesk/internal/sqlitedb"
)

// CI reports whether the tests run under CI.
func CI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false":
		return false
	}
	return true
}

// Need returns the path of the program name; when it is not installed the
// test is skipped, or fails under CI.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if CI() {
		t.Fatalf("%s is not installed but CI is set: scripts/deps.sh test installs it", name)
	}
	t.Skipf("%s not installed (scripts/deps.sh test installs it)", name)
	return ""
}

// Have reports whether the program name is installed, for a check a test
// adds when it can; a missing program is logged, or fails the test under CI.
func Have(t testing.TB, name string) bool {
	t.Helper()
	if _, err := exec.LookPath(name); err == nil {
		return true
	}
	if CI() {
		t.Fatalf("%s is not installed but CI is set: scripts/deps.sh test installs it", name)
	}
	t.Logf("%s not installed: the check that needs it is left out", name)
	return false
}

// First returns the path of the first of names that is installed; when none
// is, the test is skipped, or fails under CI.
func First(t testing.TB, names ...string) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if CI() {
		t.Fatalf("none of %v is installed but CI is set: scripts/deps.sh test installs it", names)
	}
	t.Skipf("none of %v installed (scripts/deps.sh test installs it)", names)
	return ""
}

// DB opens a connection of the test's own to a PostDesk SQLite file (a
// store's Path()), for tests that check or tamper with rows directly; the
// store itself does not hand out its connection. It is closed when the
// test ends.
func DB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", sqlitedb.DSN(path, 5000))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

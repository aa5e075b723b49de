package pgdb

import (
	"errors"
	"testing"
)

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                              "SELECT 1",
		"a = ? AND b = ?":                       "a = $1 AND b = $2",
		"m >= ?1 AND m <= ?2 OR x = ?1":         "m >= $1 AND m <= $2 OR x = $1",
		"x = '?' AND y = ? -- what?\nAND z = ?": "x = '?' AND y = $1 -- what?\nAND z = $2",
		`"we?ird" = ? AND $$ ? $$ = ?`:          `"we?ird" = $1 AND $$ ? $$ = $2`,
		"v = 'it''s ?' AND w = ?":               "v = 'it''s ?' AND w = $1",
	} {
		if got := Rebind(in); got != want {
			t.Errorf("Rebind(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDSN(t *testing.T) {
	for _, d := range []string{"postgres://hub@db.tinh.vn/hub", "postgresql://h/x?sslmode=require", "host=db dbname=hub user=hub", "dbname=hub"} {
		if !Is(d) {
			t.Errorf("Is(%q) = false", d)
		}
		if err := CheckDSN(d); err != nil {
			t.Errorf("CheckDSN(%q): %v", d, err)
		}
	}
	for _, d := range []string{"HUB.db", "/var/lib/postdesk/HUB.db", "C:\\hub\\HUB.db"} {
		if Is(d) {
			t.Errorf("Is(%q) = true", d)
		}
	}
	for _, d := range []string{"postgres://hub:secret@db/hub", "postgres://db/hub?password=secret", "host=db password=secret dbname=hub"} {
		if err := CheckDSN(d); !errors.Is(err, ErrPasswordInDSN) {
			t.Errorf("CheckDSN(%q) = %v, want ErrPasswordInDSN", d, err)
		}
		if _, err := Open(d); !errors.Is(err, ErrPasswordInDSN) {
			t.Errorf("Open(%q) = %v, want ErrPasswordInDSN", d, err)
		}
	}
}

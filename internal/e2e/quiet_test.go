package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// localeEnv is the test's environment without any locale variable, plus
// extra (e.g. "LANG=C.UTF-8").
func localeEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "LANG" || name == "LANGUAGE" || strings.HasPrefix(name, "LC_") || name == "DISPLAY" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// TestCLIQuietWhateverTheLocale: a successful command prints nothing on
// standard error with the locales of Debian servers and containers
// (LANG=C.UTF-8, LANG=C, no LANG at all), and `version` prints one line.
// Before the fix Fyne's lang package printed three "Fyne error … parsing
// user locale C" lines at start for C.UTF-8 and an unset LANG.
func TestCLIQuietWhateverTheLocale(t *testing.T) {
	db := filepath.Join(t.TempDir(), "quiet.db")
	locales := map[string][]string{
		"LANG=C.UTF-8":   {"LANG=C.UTF-8"},
		"LANG=C":         {"LANG=C"},
		"LANG unset":     nil,
		"LC_ALL=C.UTF-8": {"LC_ALL=C.UTF-8"},
		"LANG=POSIX":     {"LANG=POSIX"},
	}
	commands := [][]string{
		{"version"},
		{"catalog", "sample", "--db", db},
		{"check", "--db", db},
	}
	for name, extra := range locales {
		for _, args := range commands {
			cmd := exec.Command(bin, args...)
			cmd.Env = localeEnv(extra...)
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s: postdesk %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
			}
			if errb.Len() != 0 {
				t.Errorf("%s: postdesk %s wrote on stderr:\n%s", name, strings.Join(args, " "), errb.String())
			}
			if args[0] == "version" {
				if lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "postdesk ") {
					t.Errorf("%s: version printed %q, want one line", name, out.String())
				}
			}
		}
	}
}

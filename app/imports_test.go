package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestAppCallsNoCommandLine: the desktop app calls the desk (internal/desk),
// the store and the rules, never a command line: `go list -deps` of app/
// must not show internal/cli, internal/hubcli or internal/cmdline.
func TestAppCallsNoCommandLine(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "ci", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		switch pkg {
		case "postdesk/internal/cli", "postdesk/internal/hubcli", "postdesk/internal/cmdline":
			t.Errorf("app depends on %s", pkg)
		}
	}
}

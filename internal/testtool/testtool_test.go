package testtool

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

const missing = "postdesk-no-such-tool"

// TestMissingToolUnderCI runs TestNeedMissing in a child process with and
// without CI set: without it the child skips, with it the child fails.
func TestMissingToolUnderCI(t *testing.T) {
	if os.Getenv("TESTTOOL_CHILD") != "" {
		t.Skip("child")
	}
	for _, c := range []struct {
		ci       string
		wantFail bool
	}{{"", false}, {"false", false}, {"true", true}, {"1", true}} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNeedMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTTOOL_CHILD=1", "CI="+c.ci)
		out, err := cmd.CombinedOutput()
		failed := err != nil
		if failed != c.wantFail {
			t.Errorf("CI=%q: failed=%v, want %v\n%s", c.ci, failed, c.wantFail, out)
		}
		if !c.wantFail && !strings.Contains(string(out), "SKIP") {
			t.Errorf("CI=%q: the child did not skip:\n%s", c.ci, out)
		}
	}
}

func TestNeedMissing(t *testing.T) {
	if os.Getenv("TESTTOOL_CHILD") == "" {
		t.Skip("run by TestMissingToolUnderCI")
	}
	Need(t, missing)
	t.Error("Need returned for a missing tool")
}

func TestNeedFindsSh(t *testing.T) {
	if p := Need(t, "sh"); p == "" {
		t.Fatal("no path for sh")
	}
	if !Have(t, "sh") {
		t.Fatal("Have(sh) = false")
	}
}

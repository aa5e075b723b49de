package wintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNoDisplayLinux starts the real Linux app (cgo, Fyne's OpenGL driver)
// with no display: it must say so plainly on stderr and in the log, and
// exit 1 — no Go stack trace, no silent death.
func TestNoDisplayLinux(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc is not installed (scripts/deps.sh run)")
		}
		t.Skip("gcc is not installed")
	}
	bin := filepath.Join(t.TempDir(), "postdesk")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the Linux app: %v\n%s", err, out)
	}
	data := filepath.Join(t.TempDir(), "dữ liệu")
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	env = append(env, "POSTDESK_DATA="+data)
	r := run(t, time.Minute, env, bin)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic") {
		t.Fatalf("a stack trace instead of a message:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "Không có màn hình") || !strings.Contains(r.stderr, "DISPLAY") {
		t.Fatalf("the message does not say there is no display:\n%s", r.stderr)
	}
	log, err := os.ReadFile(filepath.Join(data, "logs", "postdesk.log"))
	if err != nil || !strings.Contains(string(log), "DISPLAY") {
		t.Fatalf("not in the log: %v %q", err, log)
	}
	if fileExists(filepath.Join(data, "postdesk.db")) {
		t.Fatal("a database was created although the app could not start")
	}
}

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"postdesk/internal/syncproto"
	"postdesk/internal/testtool"
)

// desktopOnly are what the hub must not link: the Fyne toolkit and the
// OpenGL/GLFW bindings under it, and the desktop app and its command line.
var desktopOnly = []string{"fyne.io/", "github.com/go-gl/", "postdesk/app", "postdesk/internal/cli"}

// TestHubLinksNoDesktop fails if postdesk-hub depends on Fyne, OpenGL or
// the desktop app, as `go list -deps` sees the package graph.
func TestHubLinksNoDesktop(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, bad := range desktopOnly {
			if strings.HasPrefix(pkg, bad) {
				t.Errorf("postdesk-hub depends on %s", pkg)
			}
		}
	}
}

// buildHub builds the hub binary: with cgo when a C compiler is there (the
// strictest case: a cgo build would pull in libGL and libX11 if Fyne came
// along), otherwise pure Go as `make hub` builds it.
func buildHub(t *testing.T) (bin string, cgo bool) {
	t.Helper()
	bin = filepath.Join(t.TempDir(), "postdesk-hub")
	_, err := exec.LookPath("gcc")
	cgo = err == nil
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if cgo {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build (cgo %v): %v\n%s", cgo, err, out)
	}
	return bin, cgo
}

// TestHubBinary builds postdesk-hub, checks that the binary carries no Fyne
// module and that ldd finds no OpenGL or X11 library, then serves on a free
// 127.0.0.1 port, answers the health check and stops on SIGTERM.
func TestHubBinary(t *testing.T) {
	bin, cgo := buildHub(t)

	mods, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	if strings.Contains(string(mods), "fyne.io/") || strings.Contains(string(mods), "github.com/go-gl/") {
		t.Errorf("the hub binary links Fyne or go-gl:\n%s", mods)
	}
	lddOut, _ := exec.Command(testtool.Need(t, "ldd"), bin).CombinedOutput()
	ldd := string(lddOut)
	for _, lib := range []string{"libGL", "libX11", "libXcursor", "libXrandr", "libXi", "libEGL"} {
		if strings.Contains(ldd, lib) {
			t.Errorf("ldd shows %s:\n%s", lib, ldd)
		}
	}
	if !cgo && !strings.Contains(ldd, "not a dynamic executable") && !strings.Contains(ldd, "statically linked") {
		t.Errorf("a CGO_ENABLED=0 build should be static; ldd says:\n%s", ldd)
	}

	// usage: no command prints the commands without the "hub" word
	out, _ := exec.Command(bin).Output()
	if !strings.Contains(string(out), "postdesk-hub serve ") || strings.Contains(string(out), "postdesk-hub hub ") {
		t.Errorf("usage:\n%s", out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", filepath.Join(t.TempDir(), "HUB.db"), "--addr", "127.0.0.1:0", "--quiet")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("no line from serve: %v", cmd.Wait())
	}
	url, ok := strings.CutPrefix(lines.Text(), "hub listening on ")
	if !ok {
		t.Fatalf("first line %q", lines.Text())
	}
	resp, err := http.Get(url + syncproto.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	rest, _ := io.ReadAll(stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	if !strings.Contains(string(rest), "hub stopped") {
		t.Errorf("after SIGTERM: %q", rest)
	}
}

// Package screentest runs the real PostDesk desktop binary (built with its
// OpenGL driver, as shipped) on a virtual X display at 1024×768 on a demo
// database, walks every screen of a clerk and of a supervisor by keyboard,
// keeps a screenshot of each, and fails when the window is larger than
// the screen or the app's layout dump (POSTDESK_LAYOUT_DUMP, app/
// layoutdump.go) says that something does not fit. It holds tests only.
//
// Screenshots go to bin/test-artifacts/screens (POSTDESK_ARTIFACTS
// overrides it), kept after the run.
package screentest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"postdesk/app"
	"postdesk/internal/desk"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// The screen post points have.
const screenW, screenH = 1024, 768

// root is the module's root, from this package's folder.
var root = filepath.Join("..", "..")

// display is one Xvfb and the app running on it.
type display struct {
	t      *testing.T
	name   string // ":N"
	dump   string
	shots  string
	win    string
	seen   int // the dump's records already checked
	step   int
	prefix string
	stopFn func()
}

// TestRealBinaryScreensFitUnderXvfb: every screen of every role, the
// sign-in screen and the message log, in the real binary at 1024×768.
func TestRealBinaryScreensFitUnderXvfb(t *testing.T) {
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		testtool.Need(t, tool)
	}
	testtool.Need(t, "gcc") // the desktop app links OpenGL through cgo
	dir := t.TempDir()
	bin := filepath.Join(dir, "postdesk")
	// A cold cgo build of Fyne's OpenGL driver beside the other packages'
	// tests on two cores can pass five minutes (it did in a CI run): the
	// build has its own limit, the screens theirs.
	bctx, bcancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer bcancel()
	build := exec.CommandContext(bctx, "go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the desktop app: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := filepath.Join(dir, "desk.db")
	seed := exec.CommandContext(ctx, bin, "demo", "seed", "--db", db, "--dossiers", "300", "--showcase")
	seed.Env = append(os.Environ(), "LANG=vi_VN.UTF-8")
	if out, err := seed.CombinedOutput(); err != nil {
		t.Fatalf("demo seed: %v\n%s", err, out)
	}
	shots := os.Getenv("POSTDESK_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(root, "bin", "test-artifacts", "screens")
	}
	os.RemoveAll(shots)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	name := startXvfb(t)

	// A clerk: sign in, then every screen by its key, the message log.
	d := startApp(t, bin, db, name, filepath.Join(dir, "clerk.jsonl"), shots, "clerk")
	d.check("signin")
	d.typ("gdv1")
	d.key("Return")
	d.typ("1234")
	d.key("Return")
	d.check("home")
	for _, s := range []struct{ key, id string }{{"F3", "intake"}, {"F4", "delivery"}, {"F11", "handover"},
		{"F5", "dossiers"}, {"F12", "feedback"}, {"F6", "sync"}, {"F7", "reports"}, {"F10", "catalog"}, {"F1", "home"}} {
		d.key(s.key)
		d.check(s.id)
	}
	d.key("ctrl+m")
	d.check("dialog")
	d.key("Escape")
	d.stop()
	// The demo post point has a recovery key (its sheet beside the
	// database), so the app's automatic backup was written at the start.
	if _, err := os.Stat(filepath.Join(dir, desk.DemoSheetName)); err != nil {
		t.Errorf("the demo's recovery sheet: %v", err)
	}
	if backups, _ := filepath.Glob(filepath.Join(dir, "backups", "postdesk-*"+store.BackupExt)); len(backups) == 0 {
		t.Errorf("the app wrote no automatic backup of the demo post point in %s", filepath.Join(dir, "backups"))
	}

	// A supervisor: the screens only a supervisor has, and the catalog's import.
	d = startApp(t, bin, db, name, filepath.Join(dir, "supervisor.jsonl"), shots, "supervisor")
	d.check("signin")
	d.typ("truong")
	d.key("Return")
	d.typ("1234")
	d.key("Return")
	d.check("home")
	for _, s := range []struct{ key, id string }{{"F8", "settings"}, {"F9", "staff"}, {"F10", "catalog"},
		{"F6", "sync"}, {"F11", "handover"}, {"F7", "reports"}} {
		d.key(s.key)
		d.check(s.id)
	}
	d.stop()

	// A lost device: the province's order locks it; the lock screen fits.
	ls, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = ls.SetLockOrder(ctx, time.Now(), "test")
	ls.Close()
	if err != nil {
		t.Fatal(err)
	}
	d = startApp(t, bin, db, name, filepath.Join(dir, "locked.jsonl"), shots, "locked")
	d.check("lostdevice")
	d.stop()
}

// startXvfb starts a virtual display of the post points' size on a free
// display number (or on POSTDESK_XVFB_DISPLAY, e.g. :93) and returns its name.
func startXvfb(t *testing.T) string {
	if n := os.Getenv("POSTDESK_XVFB_DISPLAY"); n != "" {
		x := exec.Command("Xvfb", n, "-screen", "0", fmt.Sprintf("%dx%dx24", screenW, screenH), "-nolisten", "tcp")
		if err := x.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { x.Process.Kill(); x.Wait() })
		for i := 0; i < 100; i++ {
			probe := exec.Command("xdotool", "getmouselocation")
			probe.Env = append(os.Environ(), "DISPLAY="+n)
			if probe.Run() == nil {
				return n
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("Xvfb on %s did not start", n)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", fmt.Sprintf("%dx%dx24", screenW, screenH), "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { x.Process.Kill(); x.Wait() })
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case n := <-got:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb gave display %q", n)
		}
		return ":" + n
	case <-time.After(20 * time.Second):
		t.Fatal("Xvfb did not start within 20 s")
	}
	return ""
}

// startApp starts the desktop app on the display with the layout dump on,
// and gives its window the keyboard (there is no window manager).
func startApp(t *testing.T, bin, db, name, dump, shots, prefix string) *display {
	d := &display{t: t, name: name, dump: dump, shots: shots, prefix: prefix}
	stub := filepath.Join(filepath.Dir(dump), "stub")
	os.MkdirAll(stub, 0o755)
	os.WriteFile(filepath.Join(stub, "xdg-open"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	cmd := exec.Command(bin, "--db", db)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(os.Environ(), "DISPLAY="+name, "LANG=vi_VN.UTF-8", "LC_ALL=vi_VN.UTF-8",
		app.LayoutDumpEnv+"="+dump, "PATH="+stub+string(os.PathListSeparator)+os.Getenv("PATH"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("%s app log:\n%s", prefix, logs.String())
		}
	})
	out, err := d.xdo(30*time.Second, "search", "--sync", "--onlyvisible", "--name", "PostDesk")
	if err != nil || strings.TrimSpace(out) == "" {
		t.Fatalf("no PostDesk window within 30 s: %v %s\n%s", err, out, logs.String())
	}
	d.win = strings.Fields(out)[0]
	for i := 0; ; i++ {
		if _, err := d.xdo(5*time.Second, "windowmove", d.win, "0", "0", "windowfocus", "--sync", d.win); err == nil {
			break
		} else if i == 30 {
			t.Fatalf("could not give the PostDesk window the keyboard: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d.stopFn = func() { cmd.Process.Kill(); <-done }
	return d
}

func (d *display) stop() { d.stopFn() }

// xdo runs xdotool on the display.
func (d *display) xdo(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+d.name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (d *display) key(k string) {
	d.t.Helper()
	if out, err := d.xdo(10*time.Second, "key", "--clearmodifiers", "--delay", "60", k); err != nil {
		d.t.Fatalf("xdotool key %s: %v %s", k, err, out)
	}
}

func (d *display) typ(s string) {
	d.t.Helper()
	if out, err := d.xdo(10*time.Second, "type", "--clearmodifiers", "--delay", "40", s); err != nil {
		d.t.Fatalf("xdotool type %q: %v %s", s, err, out)
	}
}

// check waits for the app's layout record of what (a screen's ID,
// "signin" or "dialog"), keeps a screenshot, and fails when the window is
// larger than the screen, its content needs more room than the window,
// or anything does not fit.
func (d *display) check(what string) {
	d.t.Helper()
	rec, ok := d.waitRecord(what, 20*time.Second)
	d.step++
	shot := filepath.Join(d.shots, fmt.Sprintf("%s-%02d-%s.png", d.prefix, d.step, what))
	imp := exec.Command("import", "-display", d.name, "-window", "root", shot)
	if out, err := imp.CombinedOutput(); err != nil {
		d.t.Errorf("screenshot %s: %v %s", shot, err, out)
	}
	if !ok {
		d.t.Fatalf("%s: the app did not show %q within 20 s (screenshot %s)", d.prefix, what, shot)
	}
	geom, err := d.xdo(10*time.Second, "getwindowgeometry", "--shell", d.win)
	if err != nil {
		d.t.Fatalf("window geometry: %v %s", err, geom)
	}
	w, h := shellInt(geom, "WIDTH"), shellInt(geom, "HEIGHT")
	if w <= 0 || h <= 0 || w > screenW || h > screenH {
		d.t.Errorf("%s %s: the window is %d×%d on a %d×%d screen (%s)", d.prefix, what, w, h, screenW, screenH, shot)
	}
	if rec.Needs[0] > rec.Canvas[0] || rec.Needs[1] > rec.Canvas[1] {
		d.t.Errorf("%s %s: the content needs %d×%d, the window shows %d×%d (%s)", d.prefix, what,
			rec.Needs[0], rec.Needs[1], rec.Canvas[0], rec.Canvas[1], shot)
	}
	if rec.BackupError != "" {
		d.t.Errorf("%s %s: the status bar shows a backup failure: %s (%s)", d.prefix, what, rec.BackupError, shot)
	}
	for i, m := range rec.Misfits {
		if i == 10 {
			d.t.Errorf("… and %d more", len(rec.Misfits)-10)
			break
		}
		d.t.Errorf("%s %s: %s: %s (%s)", d.prefix, what, m.Path, m.What, shot)
	}
}

// waitRecord polls the dump for the next record of what.
func (d *display) waitRecord(what string, timeout time.Duration) (app.LayoutRecord, bool) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(d.dump)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for i := d.seen; i < len(lines); i++ {
			var rec app.LayoutRecord
			if lines[i] == "" || json.Unmarshal([]byte(lines[i]), &rec) != nil {
				continue
			}
			if rec.What == what || strings.HasPrefix(rec.What, what+":") {
				d.seen = i + 1
				return rec, true
			}
		}
		time.Sleep(150 * time.Millisecond)
	}
	return app.LayoutRecord{}, false
}

// shellInt reads NAME=value from xdotool's --shell output.
func shellInt(out, name string) int {
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), name+"="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

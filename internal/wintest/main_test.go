// Package wintest runs the Windows build under Wine on this Linux machine:
// the command line against the Linux build's outputs, a sync round each
// way between a Windows and a Linux program, the installer (silent install,
// files, shortcuts, registry, the installed app under Xvfb signed in with
// xdotool, upgrade, uninstall) — see README "Windows".
//
// It needs bin/postdesk.exe and the two installers that `make windows
// installer` (and the Makefile's test target) build; wine64, mingw-w64,
// Xvfb, xdotool, ImageMagick and sqlite3 (scripts/deps.sh windows). When
// they are missing the tests skip on a developer's machine and fail under
// CI (CI=true).
package wintest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	root      = filepath.Join("..", "..")
	exe       string // bin/postdesk.exe
	hubExe    string // bin/postdesk-hub.exe, when cmd/postdesk-hub exists
	linuxBin  string // the Linux build of the same source
	prefix    string // the private WINEPREFIX
	cDrive    string // prefix/drive_c
	userDir   string // C:\users\Nguyễn Văn A\Tài liệu PostDesk, as a Linux path
	setupErr  error
	tmpRoot   string
	wineStart time.Time
)

// tools every test here needs.
var tools = []string{"x86_64-w64-mingw32-gcc", "Xvfb", "xdotool", "import", "identify", "sqlite3", "pdftotext"}

// Debian's wine64 package keeps wine64 and wineserver out of PATH.
var wine64, wineserver string

func findWine(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if p := "/usr/lib/wine/" + name; fileExists(p) {
		return p
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestMain(m *testing.M) {
	code := func() int {
		var err error
		tmpRoot, err = os.MkdirTemp("", "postdesk-wine-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer func() {
			if prefix != "" {
				stop := exec.Command(wineserver, "-k")
				stop.Env = wineEnv()
				stop.Run()
			}
			os.RemoveAll(tmpRoot)
		}()
		setupErr = setup()
		return m.Run()
	}()
	os.Exit(code)
}

// need skips (or under CI fails) a test when the setup could not be done.
func need(t *testing.T) {
	t.Helper()
	if setupErr == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("Windows suite cannot run under CI: %v", setupErr)
	}
	t.Skipf("Windows suite skipped: %v (run `make windows installer` and scripts/deps.sh windows)", setupErr)
}

func setup() error {
	if wine64, wineserver = findWine("wine64"), findWine("wineserver"); wine64 == "" || wineserver == "" {
		return fmt.Errorf("wine64 is not installed")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed", tool)
		}
	}
	exe = filepath.Join(root, "bin", "postdesk.exe")
	if _, err := os.Stat(exe); err != nil {
		return fmt.Errorf("no %s", exe)
	}
	exe, _ = filepath.Abs(exe)
	if h, err := filepath.Abs(filepath.Join(root, "bin", "postdesk-hub.exe")); err == nil {
		if _, err := os.Stat(h); err == nil {
			hubExe = h
		}
	}
	linuxBin = filepath.Join(tmpRoot, "postdesk")
	build := exec.Command("go", "build", "-tags", "ci", "-o", linuxBin, ".")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the Linux postdesk: %v\n%s", err, out)
	}
	prefix = filepath.Join(tmpRoot, "wine prefix")
	os.MkdirAll(filepath.Join(tmpRoot, "home"), 0o755)
	cDrive = filepath.Join(prefix, "drive_c")
	wineStart = time.Now()
	boot := exec.Command(wine64, "wineboot", "-i")
	boot.Env = wineEnv()
	if out, err := boot.CombinedOutput(); err != nil {
		return fmt.Errorf("wineboot -i: %v\n%s", err, out)
	}
	// Go >= 1.24 needs ProcessPrng, which Wine 8.0 lacks: a shim DLL, built
	// here, for this prefix only.
	shim := filepath.Join(cDrive, "windows", "system32", "bcryptprimitives.dll")
	cc := exec.Command("x86_64-w64-mingw32-gcc", "-O2", "-shared", "-o", shim,
		filepath.Join("testdata", "processprng.c"), "-lbcrypt")
	if out, err := cc.CombinedOutput(); err != nil {
		return fmt.Errorf("building the ProcessPrng shim: %v\n%s", err, out)
	}
	userDir = filepath.Join(cDrive, "users", "Nguyễn Văn A", "Tài liệu PostDesk")
	return os.MkdirAll(userDir, 0o755)
}

func wineEnv() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DISPLAY=") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "LC_ALL=") ||
			strings.HasPrefix(kv, "WINE") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	// HOME of its own, and no winemenubuilder: Wine must not link the
	// prefix's Desktop or menus into the real user's.
	return append(env, "WINEPREFIX="+prefix, "WINEDEBUG=-all", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
		"HOME="+filepath.Join(tmpRoot, "home"),
		"WINEDLLOVERRIDES=bcryptprimitives=n,b;mscoree,mshtml=;winemenubuilder.exe=d")
}

// win is the Windows name (C:\…) of a path inside the prefix's C: drive.
func win(path string) string {
	rel, err := filepath.Rel(cDrive, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		panic("not on the C: drive: " + path)
	}
	return `C:\` + strings.ReplaceAll(rel, "/", `\`)
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, timeout time.Duration, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%s %s: no answer in %v\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), timeout, o.String(), e.String())
	}
	return result{o.String(), quiet(e.String()), cmd.ProcessState.ExitCode()}
}

// quiet drops Wine's own chatter from stderr.
func quiet(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "fixme:") || strings.Contains(l, "err:") && strings.Contains(l, "wine") || strings.HasPrefix(l, "wine:") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// wine runs the Windows postdesk.exe (or another exe) with args.
func wine(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, 3*time.Minute, wineEnv(), wine64, append([]string{exe}, args...)...)
}

func linux(t *testing.T, args ...string) result {
	t.Helper()
	env := append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	return run(t, 3*time.Minute, env, linuxBin, args...)
}

var (
	durations = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`)
	goVersion = regexp.MustCompile(`go1\.\d+(\.\d+)? (linux|windows)/amd64`)
	ourVer    = regexp.MustCompile(`postdesk \S+ \(schema`)
	fileSize  = regexp.MustCompile(`\d+ bytes`) // SQLite's file size differs with the OS's page cache and WAL timing
)

// same normalises what legitimately differs between the two runs: the
// paths given, the durations, the OS in `version`, line ends.
func same(s string, paths ...string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for i := 0; i+1 < len(paths); i += 2 {
		s = strings.ReplaceAll(s, paths[i], paths[i+1])
	}
	s = goVersion.ReplaceAllString(s, "GO")
	s = ourVer.ReplaceAllString(s, "postdesk V (schema") // the test's Linux build is x.y.z-dev
	s = fileSize.ReplaceAllString(s, "N bytes")
	return durations.ReplaceAllString(s, "T")
}

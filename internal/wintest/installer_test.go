package wintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const display = ":91" // this suite's own Xvfb display

func installers(t *testing.T) (old, cur string) {
	t.Helper()
	old = filepath.Join(root, "bin", "wintest", "old-setup.exe")
	matches, _ := filepath.Glob(filepath.Join(root, "dist", "PostDesk-*-windows-amd64-setup.exe"))
	for _, m := range matches {
		if !strings.Contains(m, "-0.0.9-") {
			cur = m
		}
	}
	if !fileExists(old) || cur == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("no installers (%s, dist/PostDesk-*-setup.exe): the Makefile's test target builds them", old)
		}
		t.Skip("no installers: run make test-windows-build")
	}
	return old, cur
}

func reg(t *testing.T, key, value string) string {
	t.Helper()
	args := []string{"reg", "query", key}
	if value == "" {
		args = append(args, "/ve")
	} else {
		args = append(args, "/v", value)
	}
	r := run(t, time.Minute, wineEnv(), wine64, args...)
	if r.code != 0 {
		return ""
	}
	for _, l := range strings.Split(strings.ReplaceAll(r.stdout, "\r", ""), "\n") {
		if f := strings.SplitN(strings.TrimSpace(l), "    ", 3); len(f) == 3 && strings.HasPrefix(f[1], "REG_") {
			return f[2]
		}
	}
	return ""
}

func count(t *testing.T, db, query string) int {
	t.Helper()
	out, err := exec.Command("sqlite3", "-readonly", db, query).Output()
	if err != nil {
		t.Fatalf("sqlite3 %s: %v", query, err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

// TestInstallUpgradeUninstall: silent install of an older build, its data,
// silent upgrade to this build (data kept, files, shortcuts, registry,
// signatures), the installed app under Xvfb signed in with xdotool, then a
// silent uninstall that keeps the data.
func TestInstallUpgradeUninstall(t *testing.T) {
	need(t)
	oldSetup, setup := installers(t)
	pf := filepath.Join(cDrive, "Program Files", "PostDesk")
	data := filepath.Join(cDrive, "ProgramData", "PostDesk")
	db := filepath.Join(data, "postdesk.db")
	installed := `C:\Program Files\PostDesk\postdesk.exe`
	start := func(args ...string) result {
		return run(t, 3*time.Minute, wineEnv(), wine64, append([]string{installed}, args...)...)
	}

	if r := run(t, 3*time.Minute, wineEnv(), wine64, oldSetup, "/S"); r.code != 0 {
		t.Fatalf("old installer /S: exit %d %s", r.code, r.stderr)
	}
	if v := reg(t, `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PostDesk`, "DisplayVersion"); v != "0.0.9" {
		t.Fatalf("after the old install DisplayVersion = %q", v)
	}
	// Data of the old version, in the default data folder (%PROGRAMDATA%\PostDesk).
	if r := start("demo", "seed", "--db", `C:\ProgramData\PostDesk\postdesk.db`, "--dossiers", "120", "--seed", "5"); r.code != 0 {
		t.Fatalf("demo seed with the installed old build: %s", r.stderr)
	}
	dossiers := count(t, db, "SELECT count(*) FROM dossiers")
	events := count(t, db, "SELECT count(*) FROM events")
	if dossiers != 120 {
		t.Fatalf("%d dossiers in %s", dossiers, db)
	}

	// Upgrade, silently, over the old version.
	if r := run(t, 3*time.Minute, wineEnv(), wine64, setup, "/S"); r.code != 0 {
		t.Fatalf("installer /S: exit %d %s", r.code, r.stderr)
	}
	ver := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(setup), "PostDesk-"), "-windows-amd64-setup.exe")
	checks := map[string][2]string{
		`HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PostDesk|DisplayVersion`:  {ver, ""},
		`HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PostDesk|UninstallString`: {`"C:\Program Files\PostDesk\uninstall.exe"`, ""},
		`HKLM\Software\Classes\.pdsync|`:                               {"PostDesk.SyncFile", ""},
		`HKLM\Software\Classes\.pdreply|`:                              {"PostDesk.ReplyFile", ""},
		`HKLM\Software\Classes\PostDesk.ReplyFile\shell\open\command|`: {`"C:\Program Files\PostDesk\postdesk.exe" "%1"`, ""},
		`HKLM\Software\Classes\PostDesk.SyncFile\shell\open\command|`:  {`"C:\Program Files\PostDesk\postdesk.exe" "%1"`, ""},
		`HKLM\Software\PostDesk|DataDir`:                               {`C:\ProgramData\PostDesk`, ""},
	}
	for kv, want := range checks {
		k, v, _ := strings.Cut(kv, "|")
		if got := reg(t, k, v); got != want[0] {
			t.Errorf("registry %s %s = %q, want %q", k, v, got, want[0])
		}
	}
	shortcuts := []string{
		filepath.Join(cDrive, "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "PostDesk", "PostDesk - Tiếp nhận hồ sơ.lnk"),
		filepath.Join(cDrive, "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "PostDesk", "Gỡ cài đặt PostDesk.lnk"),
		filepath.Join(cDrive, "users", "Public", "Desktop", "PostDesk - Tiếp nhận hồ sơ.lnk"),
	}
	for _, f := range append(shortcuts, filepath.Join(pf, "postdesk.exe"), filepath.Join(pf, "uninstall.exe"), filepath.Join(pf, "README.txt")) {
		if !fileExists(f) {
			t.Errorf("not installed: %s", f)
		}
	}
	if r := start("version"); !strings.Contains(r.stdout, "postdesk "+ver+" ") {
		t.Fatalf("installed version: %q", r.stdout)
	}
	// Signed with the CI's throwaway certificate: the exe, the uninstaller, the installer.
	cert := filepath.Join(root, "bin", "wintest", "sign.crt")
	for _, f := range []string{filepath.Join(pf, "postdesk.exe"), filepath.Join(pf, "uninstall.exe"), setup} {
		out, err := exec.Command("osslsigncode", "verify", "-CAfile", cert, "-in", f).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
			t.Errorf("%s is not signed by the test certificate: %v\n%s", f, err, out)
		}
	}
	// The data survived the upgrade and is sound.
	if n := count(t, db, "SELECT count(*) FROM dossiers"); n != dossiers {
		t.Fatalf("%d dossiers after the upgrade, had %d", n, dossiers)
	}
	if n := count(t, db, "SELECT count(*) FROM events"); n != events {
		t.Fatalf("%d events after the upgrade, had %d", n, events)
	}
	if r := start("check", "--db", `C:\ProgramData\PostDesk\postdesk.db`); r.code != 0 {
		t.Fatalf("check after the upgrade: %s", r.stderr)
	}

	t.Run("app under Xvfb", func(t *testing.T) { signIn(t, db, installed) })

	// Uninstall silently: the program goes, the data stays.
	if r := run(t, 2*time.Minute, wineEnv(), wine64, filepath.Join(pf, "uninstall.exe"), "/S"); r.code != 0 {
		t.Fatalf("uninstall /S: exit %d %s", r.code, r.stderr)
	}
	deadline := time.Now().Add(90 * time.Second) // the uninstaller reruns itself from %TEMP% and returns at once
	for fileExists(filepath.Join(pf, "postdesk.exe")) && time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
	}
	wait := exec.Command(wineserver, "-w")
	wait.Env = wineEnv()
	wait.Run()
	if fileExists(filepath.Join(pf, "postdesk.exe")) || fileExists(shortcuts[0]) || fileExists(shortcuts[2]) {
		t.Fatal("the uninstaller left the program or its shortcuts")
	}
	if reg(t, `HKLM\Software\Classes\.pdreply`, "") != "" || reg(t, `HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\PostDesk`, "DisplayName") != "" {
		t.Fatal("the uninstaller left registry entries")
	}
	if n := count(t, db, "SELECT count(*) FROM dossiers"); n != dossiers {
		t.Fatalf("after uninstall %d dossiers, had %d: the data must be kept", n, dossiers)
	}
}

// signIn starts the installed app on its own Xvfb display, waits for the
// sign-in frame, screenshots it, signs in as gdv1 with the keyboard and
// waits for the sign-in event in the database.
func signIn(t *testing.T, db string, cmdline ...string) time.Duration {
	xvfb := exec.Command("Xvfb", display, "-screen", "0", "1366x768x24", "-nolisten", "tcp")
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { xvfb.Process.Kill(); xvfb.Wait() }()
	x := func(args ...string) (string, error) {
		cmd := exec.Command("xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	for i := 0; i < 50; i++ {
		if _, err := x("getmouselocation"); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	env := append(wineEnv(), "DISPLAY="+display)
	began := time.Now()
	app := exec.Command(wine64, cmdline...)
	app.Env = env
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { app.Process.Kill(); app.Wait() }()
	var win string
	for time.Since(began) < 90*time.Second {
		if w, err := x("search", "--onlyvisible", "--name", "(^|— )PostDesk$"); err == nil && w != "" {
			win = strings.Fields(w)[0]
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if win == "" {
		t.Fatal("no PostDesk window within 90 s")
	}
	t.Logf("window after %v", time.Since(began).Round(10*time.Millisecond))
	x("windowmove", win, "0", "0")
	x("windowfocus", "--sync", win)
	shots := filepath.Join(tmpRoot, "shots")
	os.MkdirAll(shots, 0o755)
	shot := func(name string) (string, int) {
		f := filepath.Join(shots, name+".png")
		cmd := exec.Command("import", "-window", "root", f)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("import: %v %s", err, out)
		}
		out, _ := exec.Command("identify", "-format", "%k", f).Output()
		n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
		return f, n
	}
	// The sign-in frame: drawn (many colours: text, fields, the icon).
	var colours int
	var signinShot string
	for time.Since(began) < 90*time.Second {
		if signinShot, colours = shot("signin"); colours >= 50 {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if colours < 50 {
		t.Fatalf("the sign-in frame was not drawn (%d colours in %s)", colours, signinShot)
	}
	frame := time.Since(began)
	t.Logf("sign-in frame drawn after %v (%d colours)", frame.Round(10*time.Millisecond), colours)
	if out := os.Getenv("POSTDESK_WIN_SHOT"); out != "" { // make the README's screenshot
		exec.Command("cp", signinShot, out).Run()
	}
	before := count(t, db, "SELECT count(*) FROM events WHERE kind = 'staff.signed_in' AND staff = 'gdv1'")
	typ := func(s string) {
		x("type", "--clearmodifiers", "--delay", "80", s)
		time.Sleep(300 * time.Millisecond)
	}
	typ("gdv1")
	x("key", "--clearmodifiers", "Return")
	time.Sleep(500 * time.Millisecond)
	typ("1234")
	x("key", "--clearmodifiers", "Return")
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if count(t, db, "SELECT count(*) FROM events WHERE kind = 'staff.signed_in' AND staff = 'gdv1'") > before {
			after, _ := shot("desk")
			same, _ := exec.Command("compare", "-metric", "AE", signinShot, after, "null:").CombinedOutput()
			if n, _ := strconv.ParseFloat(strings.Fields(string(same) + " 0")[0], 64); n < 1000 {
				t.Fatalf("signed in, but the screen did not change (%s pixels differ)", same)
			}
			return frame
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("no sign-in recorded in %s within 60 s (screenshots in %s)", db, shots)
	return 0
}

// TestColdStart200k measures, when POSTDESK_WIN_BENCH names a database
// (200,000 demo dossiers for the README), the time from starting
// postdesk.exe under Wine to its drawn sign-in frame. The figure includes
// Wine's own start; the frame is detected by polling screenshots.
func TestColdStart200k(t *testing.T) {
	db := os.Getenv("POSTDESK_WIN_BENCH")
	if db == "" {
		t.Skip("POSTDESK_WIN_BENCH is not set")
	}
	need(t)
	local := filepath.Join(cDrive, "bench.db")
	if out, err := exec.Command("cp", db, local).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	for i := 0; i < 3; i++ {
		t.Logf("run %d: sign-in frame after %v", i+1, signIn(t, local, exe, "--db", win(local)).Round(10*time.Millisecond))
	}
}

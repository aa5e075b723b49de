package wintest

import (
	"bufio"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveHub starts `hub serve` on 127.0.0.1 with a free port (under Wine
// when cmd is wine64) and returns its URL; the hub is killed at the end.
func serveHub(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "hub listening on "); ok {
				found <- u
			}
		}
	}()
	select {
	case u := <-found:
		if pu, err := url.Parse(u); err != nil || !strings.HasPrefix(pu.Host, "127.0.0.1:") {
			t.Fatalf("hub listens on %q", u)
		}
		return u
	case <-time.After(90 * time.Second):
		t.Fatal("the hub did not start listening in 90 s")
	}
	return ""
}

type status struct {
	EventsWaiting int64 `json:"events_waiting"`
}

func waiting(t *testing.T, r result) int64 {
	t.Helper()
	var st status
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		t.Fatalf("status --json: %d %q %q", r.code, r.stdout, r.stderr)
	}
	return st.EventsWaiting
}

// TestSyncWindowsDeviceLinuxHub: the Windows app's device syncs with a
// Linux hub on 127.0.0.1; then the Windows hub (postdesk.exe hub serve, and
// postdesk-hub.exe when it exists) takes a Linux device's round.
func TestSyncWindowsDeviceLinuxHub(t *testing.T) {
	need(t)
	dir := t.TempDir()
	lhub := filepath.Join(dir, "hub tỉnh.db")
	lenv := append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	hubURL := serveHub(t, lenv, linuxBin, "hub", "serve", "--db", lhub, "--addr", "127.0.0.1:0", "--name", "Gia Lai")

	wdir := filepath.Join(userDir, "sync")
	os.MkdirAll(wdir, 0o755)
	wdb := win(filepath.Join(wdir, "máy A.db"))
	if r := wine(t, "demo", "seed", "--db", wdb, "--dossiers", "80", "--seed", "3", "--post-point", "600930", "--letter", "A"); r.code != 0 {
		t.Fatalf("demo seed: %s", r.stderr)
	}
	tok := linux(t, "hub", "token", "--db", lhub, "--post-point", "600930")
	if r := wine(t, "enroll", "--db", wdb, "--hub", hubURL, "--token", strings.TrimSpace(tok.stdout)); r.code != 0 {
		t.Fatalf("enroll under Wine: %q %q", r.stdout, r.stderr)
	}
	if n := waiting(t, wine(t, "status", "--db", wdb, "--json")); n == 0 {
		t.Fatal("nothing waiting before the sync")
	}
	if r := wine(t, "sync", "--db", wdb); r.code != 0 {
		t.Fatalf("sync under Wine: %q %q", r.stdout, r.stderr)
	}
	if n := waiting(t, wine(t, "status", "--db", wdb, "--json")); n != 0 {
		t.Fatalf("%d events still waiting after the round", n)
	}
	if r := linux(t, "hub", "check", "--db", lhub); r.code != 0 || !strings.HasPrefix(r.stdout, "ok") {
		t.Fatalf("hub check: %q %q", r.stdout, r.stderr)
	}
	if r := wine(t, "check", "--db", wdb); r.code != 0 {
		t.Fatalf("device check: %q", r.stderr)
	}

	// A USB round: the Windows device writes a batch file, the Linux hub
	// imports it and writes the reply, the Windows device imports that.
	// (Nothing is waiting after the network round: the file asks for updates.)
	batch := filepath.Join(wdir, "gửi tỉnh.pdsync")
	if r := wine(t, "batch", "export", "--db", wdb, "--out", win(batch)); r.code != 0 {
		t.Fatalf("batch export under Wine: %q %q", r.stdout, r.stderr)
	}
	reply := filepath.Join(wdir, "tỉnh trả lời.pdreply")
	if r := linux(t, "hub", "import", "--db", lhub, batch, "--reply", reply); r.code != 0 {
		t.Fatalf("hub import of the Windows batch: %q %q", r.stdout, r.stderr)
	}
	if r := wine(t, "batch", "import", "--db", wdb, win(reply)); r.code != 0 {
		t.Fatalf("batch import under Wine: %q %q", r.stdout, r.stderr)
	}
	if r := wine(t, "check", "--db", wdb); r.code != 0 {
		t.Fatalf("device check after the USB round: %q", r.stderr)
	}

	// The hub on Windows.
	hubs := [][]string{{exe, "hub"}} // postdesk.exe hub serve …
	if hubExe != "" {
		hubs = append(hubs, []string{hubExe}) // postdesk-hub.exe serve …
	}
	for i, h := range hubs {
		whub := win(filepath.Join(wdir, "hub "+string(rune('a'+i))+".db"))
		ldb := filepath.Join(dir, "device "+string(rune('a'+i))+".db")
		pp := "60094" + string(rune('0'+i))
		if r := linux(t, "demo", "seed", "--db", ldb, "--dossiers", "40", "--seed", "4", "--post-point", pp, "--letter", "B"); r.code != 0 {
			t.Fatal(r.stderr)
		}
		tok := run(t, 2*time.Minute, wineEnv(), wine64, append(h, "token", "--db", whub, "--post-point", pp)...)
		if tok.code != 0 {
			t.Fatalf("hub token under Wine: %q", tok.stderr)
		}
		u := serveHub(t, wineEnv(), wine64, append(h, "serve", "--db", whub, "--addr", "127.0.0.1:0", "--name", "Gia Lai")...)
		if r := linux(t, "enroll", "--db", ldb, "--hub", u, "--token", strings.TrimSpace(tok.stdout)); r.code != 0 {
			t.Fatalf("enroll with the Windows hub: %q", r.stderr)
		}
		if r := linux(t, "sync", "--db", ldb); r.code != 0 {
			t.Fatalf("sync with the Windows hub %s: %q %q", h[0], r.stdout, r.stderr)
		}
		if n := waiting(t, linux(t, "status", "--db", ldb, "--json")); n != 0 {
			t.Fatalf("%d events still waiting after a round with the Windows hub", n)
		}
	}
}

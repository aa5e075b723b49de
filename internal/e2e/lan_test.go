package e2e

import (
	"bufio"
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"path/filepath"
)

// listener is a running `postdesk peer listen`.
type listener struct {
	addr, code string
	lines      chan string
	cmd        *exec.Cmd
}

func startListener(t *testing.T, db string, extra ...string) *listener {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	args := append([]string{"peer", "listen", "--db", db, "--addr", "127.0.0.1:0", "--for", "90s"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = childEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	l := &listener{lines: make(chan string, 100), cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		cancel()
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			l.lines <- sc.Text()
		}
		close(l.lines)
	}()
	codeRE := regexp.MustCompile(`pairing code: ([A-Z0-9]{4}-[A-Z0-9]{4})`)
	want := 2
	if strings.Contains(strings.Join(extra, " "), "--code=false") {
		want = 1
	}
	for got := 0; got < want; {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatal("the listener stopped before it was ready")
			}
			if a, ok := strings.CutPrefix(line, "listening on "); ok {
				l.addr = a
				got++
			} else if m := codeRE.FindStringSubmatch(line); m != nil {
				l.code = m[1]
				got++
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the listener said nothing for 30 s")
		}
	}
	return l
}

// wait returns the listener's next line containing s.
func (l *listener) wait(t *testing.T, s string) string {
	t.Helper()
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatalf("the listener stopped before saying %q", s)
			}
			if strings.Contains(line, s) {
				return line
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the listener did not say %q in 30 s", s)
		}
	}
}

// TestLANPairAndSyncWithoutHub: two devices enrolled at the hub but that
// never learnt each other's keys from it; the hub is stopped. A listens and
// shows a code; B's wrong code is refused and counted; the right one pairs
// them; then they sync directly both ways and find each other's dossiers,
// and report alike. A listener whose code took three wrong tries pairs no
// one. When the hub is back, it holds every event once, whoever brought it.
func TestLANPairAndSyncWithoutHub(t *testing.T) {
	dir := t.TempDir()
	hubPath := filepath.Join(dir, "HUB.db")
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600950", "A", 5, 51)
	b := newDevice(t, dir, "600950", "B", 5, 52)
	for _, d := range []*device{a, b} {
		d.enroll(h, h.URL)
	}
	h.stop()
	idsA := a.intakes(2, "Ksor H'Bia", "0640950011")
	idsB := b.intakes(2, "Rơ Châm Thuỷ", "0640950022")

	l := startListener(t, a.db)
	if out, err := pd(t, "peer", "sync", "--db", b.db, l.addr); err == nil || !strings.Contains(err.Error(), "not paired") {
		t.Fatalf("sync before pairing: %s %v", out, err)
	}
	wrong := "ABCD-EFGH"
	if wrong == l.code {
		wrong = "HGFE-DCBA"
	}
	if out, err := pd(t, "peer", "pair", "--db", b.db, l.addr, wrong); err == nil || !strings.Contains(err.Error(), "2 tries left") {
		t.Fatalf("a wrong code: %s %v", out, err)
	}
	l.wait(t, "wrong pairing code from 600950-B")
	if n := queryInt(t, hubDB(t, a.db), "SELECT count(*) FROM peer_refusals WHERE via = 'lan' AND code = 'bad_code' AND device = ?", b.id); n != 1 {
		t.Fatalf("A noted %d wrong codes, want 1", n)
	}
	if out := mustPD(t, "peer", "pair", "--db", b.db, l.addr, strings.ToLower(l.code)); !strings.Contains(out, "paired with 600950-A") {
		t.Fatalf("pair: %s", out)
	}
	l.wait(t, "paired with 600950-B")
	if _, err := pd(t, "peer", "pair", "--db", b.db, l.addr, l.code); err == nil {
		t.Fatal("a spent code pairs again")
	}

	out := mustPD(t, "peer", "sync", "--db", b.db, l.addr)
	if !strings.Contains(out, "synced with 600950-A") {
		t.Fatalf("peer sync: %s", out)
	}
	l.wait(t, "synced with 600950-B")
	// Again: nothing new either way (the finds below log views, so before them).
	if out := mustPD(t, "peer", "sync", "--db", b.db, l.addr); !strings.Contains(out, "0 events sent, 0 new events stored") {
		t.Fatalf("second peer sync: %s", out)
	}
	l.wait(t, "synced with 600950-B")
	for _, q := range []string{idsA[0], "064095001101", "ksor h'bia"} {
		if out := mustPD(t, "find", "--db", b.db, q); !strings.Contains(out, idsA[0]) {
			t.Fatalf("B finds %q: %s", q, out)
		}
	}
	for _, q := range []string{idsB[1], "ro cham thuy"} {
		if out := mustPD(t, "find", "--db", a.db, q); !strings.Contains(out, idsB[1]) {
			t.Fatalf("A finds %q: %s", q, out)
		}
	}
	a.check()
	b.check()
	if ra, rb := deviceKPI(t, a), deviceKPI(t, b); ra != rb {
		t.Fatalf("reports differ after the LAN sync:\nA %s\nB %s", ra, rb)
	}
	l.cmd.Process.Kill()
	l.cmd.Wait()

	// Three wrong codes burn the code: the right one then pairs no one.
	c := newDevice(t, dir, "600950", "C", 1, 53)
	l2 := startListener(t, a.db)
	for i := 0; i < 3; i++ {
		if _, err := pd(t, "peer", "pair", "--db", c.db, l2.addr, "ZZZZ-ZZZZ"); err == nil {
			t.Fatal("a wrong code pairs")
		}
	}
	if out, err := pd(t, "peer", "pair", "--db", c.db, l2.addr, l2.code); err == nil || !strings.Contains(err.Error(), "no pairing code is open") {
		t.Fatalf("the right code after three wrong ones: %s %v", out, err)
	}

	// The hub is back: each event reaches it once, whoever brings it.
	h.restart()
	b.syncUntilQuiet()
	a.syncUntilQuiet()
	b.syncUntilQuiet()
	assertExactlyOnce(t, hubPath, a, b)
	ra, rb := deviceKPI(t, a), deviceKPI(t, b)
	if rh := hubKPI(t, hubPath, "600950"); ra != rb || ra != rh {
		t.Fatalf("reports differ:\nA   %s\nB   %s\nhub %s", ra, rb, rh)
	}
}

// TestLANRelaysThroughAMiddleDevice: A, B and C of one post point know each
// other's keys from the hub, which then stops. A syncs with B on the LAN,
// then C with B: C gets A's events through B (each in A's own signed
// envelope, verified with A's key), and A gets C's on its next sync with B.
// All three then hold the same dossiers and reports; syncing again brings
// nothing. When the hub is back, C hands on first what it got, yet the hub
// holds each event once.
func TestLANRelaysThroughAMiddleDevice(t *testing.T) {
	dir := t.TempDir()
	hubPath := filepath.Join(dir, "HUB.db")
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600960", "A", 5, 61)
	b := newDevice(t, dir, "600960", "B", 5, 62)
	c := newDevice(t, dir, "600960", "C", 5, 63)
	all := []*device{a, b, c}
	for _, d := range all {
		d.enroll(h, h.URL)
	}
	for i := 0; i < 2; i++ { // the second round brings the keys of the devices enrolled after
		for _, d := range all {
			d.syncUntilQuiet()
		}
	}
	h.stop()
	idsA := a.intakes(2, "Y Điêng Niê", "0640960011")
	idsC := c.intakes(1, "H'Hen Mlô", "0640960033")
	b.intakes(1, "Đinh Văn Rôh", "0640960022")

	pairSync := func(d *device) string {
		t.Helper()
		l := startListener(t, b.db)
		if out := mustPD(t, "peer", "pair", "--db", d.db, l.addr, l.code); !strings.Contains(out, "paired with 600960-B") {
			t.Fatalf("pair %s: %s", d.id, out)
		}
		l.wait(t, "paired with "+d.id)
		out := mustPD(t, "peer", "sync", "--db", d.db, l.addr)
		line := l.wait(t, "synced with "+d.id)
		l.cmd.Process.Kill()
		l.cmd.Wait()
		return out + "\n" + line
	}
	pairSync(a) // A ↔ B
	if n := queryInt(t, hubDB(t, c.db), "SELECT count(*) FROM events WHERE device_id = ?", a.id); n >= a.lastSeq() {
		t.Fatalf("C holds %d of A's %d events before its LAN sync", n, a.lastSeq())
	}
	out := pairSync(c) // B ↔ C: A's events reach C through B
	if !regexp.MustCompile(`[1-9][0-9]* relayed`).MatchString(out) {
		t.Fatalf("B relayed nothing to C: %s", out)
	}
	for _, q := range []string{idsA[1], "y dieng nie"} {
		if out := mustPD(t, "find", "--db", c.db, q); !strings.Contains(out, idsA[1]) {
			t.Fatalf("C finds A's %q: %s", q, out)
		}
	}
	if got, want := queryInt(t, hubDB(t, c.db), "SELECT count(*) FROM events WHERE device_id = ?", a.id), a.lastSeq(); got != want {
		t.Fatalf("C holds %d of A's events, A has %d", got, want)
	}
	// A syncs with B again: C's events reach A through B.
	l := startListener(t, b.db, "--code=false")
	out = mustPD(t, "peer", "sync", "--db", a.db, l.addr)
	if !strings.Contains(out, "handed on") {
		t.Fatalf("peer sync: %s", out)
	}
	l.wait(t, "synced with "+a.id)
	if out := mustPD(t, "find", "--db", a.db, idsC[0]); !strings.Contains(out, idsC[0]) {
		t.Fatalf("A finds C's dossier: %s", out)
	}
	// Again: nothing new either way, nothing handed on.
	if out := mustPD(t, "peer", "sync", "--db", a.db, l.addr); !strings.Contains(out, "0 events sent, 0 new events stored; 0 events of other devices handed on") {
		t.Fatalf("second peer sync: %s", out)
	}
	if line := l.wait(t, "synced with "+a.id); !strings.Contains(line, "0 events taken") || !strings.Contains(line, "0 events sent, 0 relayed") {
		t.Fatalf("second peer sync at B: %s", line)
	}
	l.cmd.Process.Kill()
	l.cmd.Wait()
	for _, d := range all {
		d.check()
		for _, o := range all {
			if got, want := queryInt(t, hubDB(t, d.db), "SELECT count(*) FROM events WHERE device_id = ?", o.id), o.lastSeq(); got != want {
				t.Fatalf("%s holds %d of %s's events, want %d", d.id, got, o.id, want)
			}
		}
	}
	ra, rb, rc := deviceKPI(t, a), deviceKPI(t, b), deviceKPI(t, c)
	if ra != rb || ra != rc {
		t.Fatalf("reports differ after the LAN syncs:\nA %s\nB %s\nC %s", ra, rb, rc)
	}

	// The hub is back: C hands on A's and B's events first, then each
	// device brings its own; the hub holds each event once.
	h.restart()
	for _, d := range []*device{c, b, a, c, b, a} {
		d.syncUntilQuiet()
	}
	assertExactlyOnce(t, hubPath, a, b, c)
	if rh := hubKPI(t, hubPath, "600960"); ra != rh || deviceKPI(t, c) != rh {
		t.Fatalf("reports differ:\nA   %s\nhub %s", ra, rh)
	}
}

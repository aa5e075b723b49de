package app

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/devicesync"
	"postdesk/internal/store"
)

// TestSyncScreenLAN: the supervisor shows a pairing code on this device
// (A) and a laptop (B) pairs with it; typed on A, a wrong code for B's
// listener is refused with the reason on screen, the right one pairs
// (Enter in the code); then "sync directly" exchanges the events both ways.
func TestSyncScreenLAN(t *testing.T) {
	ctx := context.Background()
	saved := lanAddr
	lanAddr = "127.0.0.1:0"
	t.Cleanup(func() { lanAddr = saved })
	u, _ := newTestUI(t, "truong")
	b, err := store.Open(filepath.Join(t.TempDir(), "B.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if err := b.Setup(ctx, desk.DemoPostPoint, "B"); err != nil {
		t.Fatal(err)
	}
	u.Show("sync")
	c := u.session.sync.lan
	if c == nil {
		t.Fatal("no local network card for a supervisor")
	}
	c.showCode()
	m := regexp.MustCompile(`(127\.0\.0\.1:\d+|\d+\.\d+\.\d+\.\d+:\d+)\D.*([A-Z0-9]{4}-[A-Z0-9]{4})`).FindStringSubmatch(c.shown.Text)
	if m == nil {
		t.Fatalf("the shown code: %q", c.shown.Text)
	}
	_, port, _ := strings.Cut(m[1], ":")
	res, err := (&devicesync.LANClient{Store: b}).Pair(ctx, "127.0.0.1:"+port, m[2])
	if err != nil || res.Peer != u.Device.ID() {
		t.Fatalf("B pairs with the code A shows: %+v %v", res, err)
	}

	// A types B's address and a code: wrong, then right.
	lb := &devicesync.LANServer{Store: b}
	code, _, err := lb.OpenPairing()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(lb)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")
	c.addr.SetText(addr)
	c.code.SetText("ZZZZ-ZZZZ")
	c.code.OnSubmitted(c.code.Text)
	waitFor(t, "the wrong code's refusal", func() bool { return !u.session.sync.busy && c.result.Text != "" })
	if !strings.Contains(c.result.Text, i18n.T("sync.code.bad_code")) {
		t.Fatalf("a wrong code: %q", c.result.Text)
	}
	c.result.SetText("")
	c.code.SetText(strings.ToLower(code))
	c.code.OnSubmitted(c.code.Text)
	waitFor(t, "the pairing", func() bool { return !u.session.sync.busy && c.result.Text != "" })
	if !strings.Contains(c.result.Text, "600900-B") || c.code.Text != "" {
		t.Fatalf("pairing: %q", c.result.Text)
	}
	c.result.SetText("")
	c.syncLAN()
	waitFor(t, "the LAN sync", func() bool { return !u.session.sync.busy && c.result.Text != "" })
	heads, _ := b.PeerHeads(ctx)
	last, _ := u.Store.LastSeq(ctx, u.Device.ID())
	if heads[u.Device.ID()] != last || last == 0 {
		t.Fatalf("after the LAN sync B holds A's events through %d, A has %d (%q)", heads[u.Device.ID()], last, c.result.Text)
	}
}

package app

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
	"postdesk/internal/testtool"
)

func init() { autoSync = false } // tests drive the loop themselves

// waitFor runs the queued UI work and polls cond, both on the test's
// goroutine, until cond holds or 30 s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for drainDesk(); !cond(); drainDesk() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSyncScreenEnrollSyncAndUSB(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	ctx := context.Background()
	hs, err := hubstore.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hs.Close() })
	srv := httptest.NewServer(hubweb.NewServer(hs, hubweb.Options{}))
	t.Cleanup(srv.Close)

	u.Show("sync")
	s := u.session.sync
	if s == nil {
		t.Fatal("the sync screen did not build")
	}
	if s.state.Text != i18n.T("sync.state.not_enrolled") || !s.nowBtn.Disabled() || !s.exportBtn.Disabled() {
		t.Fatalf("before enrollment: %q now-disabled=%v", s.state.Text, s.nowBtn.Disabled())
	}

	// A wrong token is refused with the reason on screen.
	s.enroll(srv.URL, "NOT-A-TOKEN")
	waitFor(t, "the refusal", func() bool { return !s.busy })
	if st, _ := u.Store.SyncState(ctx); st.Enrolled() {
		t.Fatal("enrolled with a wrong token")
	}

	tok, err := hs.IssueToken(ctx, desk.DemoPostPoint.Code, desk.DemoPostPoint.Name, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.hubURL.SetText(srv.URL)
	s.token.SetText(tok.Token)
	s.enrollBtn.OnTapped()
	// The screen refreshes after the store changes: wait for both.
	waitFor(t, "enrollment", func() bool {
		st, _ := u.Store.SyncState(ctx)
		return st.Enrolled() && !s.busy && !s.nowBtn.Disabled()
	})
	if !strings.HasPrefix(s.hub.Text, strings.Split(i18n.T("sync.hub"), "{{")[0]) || s.nowBtn.Disabled() {
		t.Fatalf("after enrollment: %q", s.hub.Text)
	}

	// The loop: runs a round at once, then reports synced; the status bar follows.
	r := runnerOf(u)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.loop.Run(lctx); close(done) }()
	defer func() { cancel(); <-done }()
	// Two rounds: the loop's first, and the one enrollment asked for ("sync now").
	waitFor(t, "two rounds", func() bool {
		st, ok := r.status()
		rounds, _ := u.Store.SyncRounds(ctx, 10)
		return ok && st.State == devicesync.StateSynced && len(rounds) == 2 && !rounds[0].FinishedAt.IsZero()
	})
	r.feed(u)
	if s.state.Text != i18n.T("sync.state.synced") || len(s.rounds) != 2 || s.rounds[0].Error != "" || s.rounds[1].Pushed == 0 {
		t.Fatalf("after the round: %q %+v", s.state.Text, s.rounds)
	}
	if u.status.link.Text != i18n.T("app.status.online") ||
		u.status.waiting.Text != i18n.Tf("app.status.waiting", map[string]string{"N": "0"}) {
		t.Fatalf("status bar: %q %q", u.status.link.Text, u.status.waiting.Text)
	}
	if s.cell(widget.TableCellID{Row: 1, Col: 6}) != i18n.T("sync.result.ok") || s.cell(widget.TableCellID{Row: 1, Col: 1}) != i18n.T("sync.via.network") {
		t.Fatalf("history row: %q %q", s.cell(widget.TableCellID{Row: 1, Col: 1}), s.cell(widget.TableCellID{Row: 1, Col: 6}))
	}

	// USB: new work, export, the province imports, the reply comes back twice.
	cancel()
	<-done
	var id string
	if err := testtool.DB(t, u.Store.Path()).QueryRow("SELECT id FROM dossiers LIMIT 1").Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Store.Record(ctx, "truong", domain.KindNote, id, domain.NotePayload{Text: "Đã gọi điện cho Ksor Y Bhin"}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "x"+syncproto.ExtBatchFile)
	var exported devicesync.ExportResult
	s.exportTo(out, func(res devicesync.ExportResult, err error) {
		if err != nil {
			t.Error(err)
		}
		exported = res
	})
	waitFor(t, "the export", func() bool { return !s.busy })
	if exported.Events != 1 {
		t.Fatalf("exported %+v", exported)
	}
	data, _ := os.ReadFile(out)
	res, err := hs.ReceiveFile(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var reply bytes.Buffer
	if err := syncproto.WriteReplyFile(&reply, res.AgeRecipient, res.Reply); err != nil {
		t.Fatal(err)
	}
	rp := filepath.Join(dir, "x"+syncproto.ExtReplyFile)
	os.WriteFile(rp, reply.Bytes(), 0o600)
	for i := 0; i < 2; i++ {
		s.importFrom(rp, func(_ store.SyncRound, err error) {
			if err != nil {
				t.Error(err)
			}
		})
		waitFor(t, "the import", func() bool { return !s.busy })
		if n, _ := u.Store.EventsWaiting(ctx); n != 0 {
			t.Fatalf("import %d: %d events still waiting", i, n)
		}
	}
	if !strings.Contains(s.lastUSBResult.Text, "0") || len(s.rounds) != 5 {
		t.Fatalf("after the USB round trip: %q, %d rounds", s.lastUSBResult.Text, len(s.rounds))
	}
	// A damaged reply is refused with a message and changes nothing.
	os.WriteFile(rp, reply.Bytes()[:reply.Len()-10], 0o600)
	s.importFrom(rp, nil)
	waitFor(t, "the refused import", func() bool { return !s.busy })
	if !strings.Contains(s.lastUSBResult.Text, i18n.T("sync.code.corrupt_body")) {
		t.Fatalf("refusal shown as %q", s.lastUSBResult.Text)
	}
}

// A clerk sees the state and "Sync now" but not the supervisor's tools.
func TestSyncScreenClerk(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.Show("sync")
	s := u.session.sync
	if s == nil || s.enrollBox != nil || s.exportBtn != nil {
		t.Fatal("a clerk sees the supervisor's sync tools")
	}
}

// TestSyncScreenShowsPeerRefusal: a batch of another device refused whole
// is named on the Sync screen with its device, seq and reason.
func TestSyncScreenShowsPeerRefusal(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	if err := u.Store.NotePeerRefusal(u.Ctx, "hub", &store.PeerError{Device: "600900-B", Seq: 41, Code: "bad_signature", Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	u.Show("sync")
	s := u.session.sync
	got := s.peers.Text
	for _, want := range []string{i18n.T("sync.peer.refused"), "600900-B #41", i18n.T("sync.peer.code.bad_signature")} {
		if !strings.Contains(got, want) {
			t.Fatalf("sync screen says %q, want %q in it", got, want)
		}
	}
}

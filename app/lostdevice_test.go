package app

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/devicesync"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/store"
)

// shownText is every label's text in the window and its overlays.
func shownText(u *UI) string {
	var out []string
	objs := test.LaidOutObjects(u.Win.Canvas().Content())
	for _, ov := range u.Win.Canvas().Overlays().List() {
		objs = append(objs, test.LaidOutObjects(ov)...)
	}
	for _, o := range objs {
		if l, ok := o.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	}
	return strings.Join(out, "\n")
}

// TestLostDeviceLocksAndErases: the province's order locks the running
// desk at once (session, screens and dialogs gone, no citizen shown, no
// sign-in); a clerk's PIN cannot erase; the supervisor's PIN and the
// confirmation erase, and the screen says so. A restart shows the lock
// screen, not the sign-in.
func TestLostDeviceLocksAndErases(t *testing.T) {
	u, clock := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	settle(ds)
	r, ok := ds.row(0)
	if !ok {
		t.Fatal("no dossier")
	}
	d, err := u.Store.Dossier(u.Ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	ds.openDetail(r.ID, "")
	if !strings.Contains(shownText(u), d.Applicant.FullName) {
		t.Fatal("the detail does not show the applicant (the test would prove nothing)")
	}
	if err := u.Store.SetLockOrder(u.Ctx, clock.Now(), "máy bị mất"); err != nil {
		t.Fatal(err)
	}
	if !u.checkDeviceLock() {
		t.Fatal("the lock order did not lock the desk")
	}
	text := shownText(u)
	if strings.Contains(text, d.Applicant.FullName) || strings.Contains(text, d.Applicant.IDNumber) || u.shell != nil || u.lost == nil {
		t.Fatalf("the locked desk still shows data or a session:\n%s", text)
	}
	if err := u.SignInAs("truong", "1234"); err == nil || u.shell != nil {
		t.Fatal("signed in on a locked device")
	}
	f := u.lost
	if u.Win.Canvas().Focused() != f.username {
		t.Fatal("the lock screen's username field does not have the keyboard")
	}
	backups := filepath.Join(filepath.Dir(u.Store.Path()), "backups")
	os.MkdirAll(backups, 0o700)
	os.WriteFile(filepath.Join(backups, store.BackupName(clock.Now())), []byte("sealed"), 0o600)

	test.Type(f.username, "gdv1")
	test.Type(f.secret, "1234")
	f.erase()
	if !f.err.Visible() {
		t.Fatal("a clerk's PIN was taken for the erase")
	}
	if _, err := u.Store.Dossier(u.Ctx, r.ID); err != nil {
		t.Fatalf("a refused erase erased: %v", err)
	}
	f.username.SetText("truong")
	test.Type(f.secret, "1234")
	f.secret.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // asks to confirm
	if u.topDialog() == nil {
		t.Fatal("Enter did not ask for the confirmation")
	}
	u.topDialog().yes()
	lock, err := u.Store.Lock(u.Ctx)
	if err != nil || !lock.Erased || lock.ErasedBy != "truong" {
		t.Fatalf("not erased: %+v %v", lock, err)
	}
	if _, err := u.Store.Dossier(u.Ctx, r.ID); err == nil {
		t.Fatal("the dossier is still there after the erase")
	}
	if files, _ := filepath.Glob(filepath.Join(backups, "*")); len(files) != 0 {
		t.Fatalf("backups left: %v", files)
	}
	if !strings.Contains(shownText(u), "truong") || u.lost != nil {
		t.Fatalf("the screen does not say the data was erased:\n%s", shownText(u))
	}

	// A restart: the lock screen again, never the sign-in.
	u2, err := Open(test.NewTempApp(t), u.Store)
	if err != nil {
		t.Fatal(err)
	}
	defer u2.Close()
	if u2.signIn != nil || !strings.Contains(shownText(u2), i18n.T("app.lost.title")) {
		t.Fatalf("after a restart:\n%s", shownText(u2))
	}
}

// TestRevokedAtHubLocksTheRunningDesk: the province revokes the device at a
// real hub (127.0.0.1); the app's sync loop gets the hub's signed order and
// the desk in use locks at once.
func TestRevokedAtHubLocksTheRunningDesk(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	ctx := context.Background()
	hs, err := hubstore.Open(filepath.Join(t.TempDir(), "hub.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hs.Close() })
	srv := httptest.NewServer(hubweb.NewServer(hs, hubweb.Options{}))
	t.Cleanup(srv.Close)
	tok, err := hs.IssueToken(ctx, desk.DemoPostPoint.Code, desk.DemoPostPoint.Name, "test")
	if err != nil {
		t.Fatal(err)
	}
	u.Show("sync")
	s := u.session.sync
	s.hubURL.SetText(srv.URL)
	s.token.SetText(tok.Token)
	s.enrollBtn.OnTapped()
	waitFor(t, "enrollment", func() bool {
		st, _ := u.Store.SyncState(ctx)
		return st.Enrolled() && !s.busy
	})
	if err := hs.Revoke(ctx, u.Device.ID(), "test", "máy bị mất"); err != nil {
		t.Fatal(err)
	}
	r := runnerOf(u)
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.loop.Run(lctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the revocation", func() bool {
		st, ok := r.status()
		return ok && st.State == devicesync.StateRevoked
	})
	r.feed(u)
	if !u.lostShown || u.shell != nil || u.lost == nil {
		t.Fatal("the running desk did not lock on the hub's order")
	}
}

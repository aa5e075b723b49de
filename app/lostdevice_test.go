package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
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

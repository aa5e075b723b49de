package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/i18n"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

func newSetupUI(t *testing.T) *UI {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	u, err := Open(test.NewTempApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	if u.setup == nil {
		t.Fatal("a new database does not open the first-start form")
	}
	return u
}

func TestFirstStartByKeyboard(t *testing.T) {
	var opened string
	saved := openInViewer
	openInViewer = func(p string) error { opened = p; return nil }
	defer func() { openInViewer = saved }()
	u := newSetupUI(t)
	f := u.setup
	if u.Win.Canvas().Focused() != f.code {
		t.Fatal("the cursor is not in the post point code")
	}
	// Wrong input first: every field says why, nothing is set up.
	typeKeys(t, u, "60090")
	u.submitSetup(f)
	for _, field := range []string{"post_point.code", "post_point.name", "post_point.commune", "staff.username", "staff.full_name", "staff.secret"} {
		if !f.errs[field].Visible() {
			t.Errorf("%s: no error shown", field)
		}
	}
	if f.errs["post_point.code"].Text != i18n.T("err.post_point_code.format") {
		t.Errorf("code error %q", f.errs["post_point.code"].Text)
	}
	if _, _, err := u.Store.Device(u.Ctx); err != store.ErrNotSetUp {
		t.Fatal("an invalid form set the database up")
	}

	f.code.SetText("")
	u.Win.Canvas().Focus(f.code)
	for _, step := range []string{"553140", "B", "Bưu điện Văn hóa xã Ia Grai", "Ia Grai", "Gia Lai", "truong", "Trần Văn Hải", "2580", "2580"} {
		if u.Win.Canvas().Focused() == f.province {
			f.province.SetText("")
		}
		if u.Win.Canvas().Focused() == f.letter {
			f.letter.SetText("")
		}
		typeKeys(t, u, step)
		press(t, u, fyne.KeyReturn)
	}
	if u.Locked() || u.Staff.Username != "truong" || u.Device.ID() != "553140-B" {
		t.Fatalf("after setup: locked %v, staff %+v, device %s", u.Locked(), u.Staff, u.Device.ID())
	}
	if u.PostPoint.Name != "Bưu điện Văn hóa xã Ia Grai" || u.PostPoint.Commune != "Ia Grai" {
		t.Errorf("post point %+v", u.PostPoint)
	}
	// The first start made the recovery key: its recipient is kept, its
	// sheet was opened for printing and goes when the dialog is closed.
	if rec, _ := u.Store.RecoveryRecipient(u.Ctx); !strings.HasPrefix(rec, "age1") {
		t.Fatalf("no recovery key after the first start: %q", rec)
	}
	if opened == "" || !strings.Contains(opened, "postdesk-recovery-") {
		t.Fatalf("the recovery sheet was not opened (%q)", opened)
	}
	if _, err := os.Stat(opened); err != nil {
		t.Fatalf("the sheet is not there while the dialog is open: %v", err)
	}
	if !u.closeTopDialog() {
		t.Fatal("no recovery key dialog")
	}
	if _, err := os.Stat(opened); !os.IsNotExist(err) {
		t.Fatalf("the recovery sheet (holding the secret) was left at %s", opened)
	}
	if err := u.Store.Backup(u.Ctx, filepath.Join(t.TempDir(), "b.db.age")); err != nil {
		t.Fatalf("backup after the first start: %v", err)
	}
}

func TestSetupValidation(t *testing.T) {
	errs := validateSetup(postPoint("553140", "X", "Y", "Z"), "a", staff("u", "U"), "1234", "1234")
	if len(errs) != 1 || errs[0].Field != "device.letter" {
		t.Errorf("lower-case letter: %v", errs)
	}
	errs = validateSetup(postPoint("553140", "X", "Y", "Z"), "A", staff("u", "U"), "1234", "1235")
	if len(errs) != 1 || errs[0].Field != "staff.secret2" {
		t.Errorf("PIN mismatch: %v", errs)
	}
	if errs := validateSetup(postPoint("553140", "X", "Y", "Z"), "A", staff("u", "U"), "1234", "1234"); len(errs) != 0 {
		t.Errorf("valid form refused: %v", errs)
	}
}

func TestDemoButtonSeedsADesk(t *testing.T) {
	old := DemoDossiers
	DemoDossiers = 30
	defer func() { DemoDossiers = old }()
	u := newSetupUI(t)
	test.Tap(u.setup.demo)
	if !u.setup.progress.Visible() || u.setup.save.Disabled() == false {
		t.Fatal("no progress shown while seeding")
	}
	deadline := time.Now().Add(60 * time.Second)
	for u.signIn == nil && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if u.signIn == nil {
		t.Fatal("the demo post point did not open")
	}
	var n int
	testtool.DB(t, u.Store.Path()).QueryRowContext(context.Background(), "SELECT count(*) FROM dossiers").Scan(&n)
	if n != 30+demo.ShowcaseSize() {
		t.Errorf("%d dossiers seeded, want 30 and the %d of the showcase", n, demo.ShowcaseSize())
	}
	var states int
	testtool.DB(t, u.Store.Path()).QueryRowContext(context.Background(), "SELECT count(DISTINCT state) FROM dossiers").Scan(&states)
	if states != len(domain.States) {
		t.Errorf("the demo post point has dossiers in %d states, want all %d", states, len(domain.States))
	}
	if err := u.SignInAs("gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
}

func postPoint(code, name, commune, province string) domain.PostPoint {
	return domain.PostPoint{Code: code, Name: name, Commune: commune, Province: province}
}

func staff(username, name string) domain.Staff {
	return domain.Staff{Username: username, FullName: name, Role: domain.RoleSupervisor}
}

package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
)

// press sends a key to whatever has the focus, as the keyboard would.
func press(t *testing.T, u *UI, key fyne.KeyName) {
	t.Helper()
	f := u.Win.Canvas().Focused()
	if f == nil {
		t.Fatalf("pressing %s: nothing has the focus", key)
	}
	f.TypedKey(&fyne.KeyEvent{Name: key})
}

// typeKeys types text into whatever has the focus.
func typeKeys(t *testing.T, u *UI, text string) {
	t.Helper()
	f := u.Win.Canvas().Focused()
	if f == nil {
		t.Fatalf("typing %q: nothing has the focus", text)
	}
	test.Type(f, text)
}

func TestSignInByKeyboard(t *testing.T) {
	u, _ := newTestUI(t, "")
	if !u.Locked() || u.signIn == nil {
		t.Fatal("the app does not start at the sign-in screen")
	}
	if u.Win.Canvas().Focused() != u.signIn.username {
		t.Fatal("the cursor is not in the username field")
	}
	before := eventKinds(t, u.Store)[string(domain.KindStaffSignedIn)]
	typeKeys(t, u, "gdv1")
	press(t, u, fyne.KeyReturn) // to the PIN field
	typeKeys(t, u, "1234")
	press(t, u, fyne.KeyReturn) // sign in
	if u.Locked() {
		t.Fatalf("not signed in; errors: %q %q", u.signIn.errUser.Text, u.signIn.errPIN.Text)
	}
	if u.Staff.Username != "gdv1" || u.Staff.Role != domain.RoleClerk {
		t.Fatalf("signed in as %+v", u.Staff)
	}
	if u.Current() == "" {
		t.Error("no screen shown after sign-in")
	}
	if got := eventKinds(t, u.Store)[string(domain.KindStaffSignedIn)]; got != before+1 {
		t.Errorf("staff.signed_in events %d → %d", before, got)
	}
	var staff string
	if err := testtool.DB(t, u.Store.Path()).QueryRow("SELECT staff FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1",
		string(domain.KindStaffSignedIn)).Scan(&staff); err != nil || staff != "gdv1" {
		t.Errorf("sign-in event staff %q, %v", staff, err)
	}
}

func TestWrongPINFiveTimesLocks(t *testing.T) {
	u, clock := newTestUI(t, "")
	f := u.signIn
	try := func(pin string) {
		f.username.SetText("gdv2")
		u.Win.Canvas().Focus(f.secret)
		typeKeys(t, u, pin)
		press(t, u, fyne.KeyReturn)
	}
	for i := 1; i < domain.MaxSignInTries; i++ {
		try("9999")
		if !u.Locked() {
			t.Fatal("signed in with a wrong PIN")
		}
		want := i18n.Tf("err.signin.wrong_left", map[string]string{"Left": itoa(domain.MaxSignInTries - i), "Minutes": "5"})
		if f.errPIN.Text != want || !f.errPIN.Visible() {
			t.Fatalf("try %d: PIN error %q, want %q", i, f.errPIN.Text, want)
		}
		if f.secret.Text != "" {
			t.Error("the wrong PIN stays in the field")
		}
	}
	try("9999")
	if !strings.Contains(f.errUser.Text, "gdv2") || !f.errUser.Visible() {
		t.Fatalf("fifth wrong PIN: username error %q", f.errUser.Text)
	}
	if eventKinds(t, u.Store)[string(domain.KindStaffLocked)] != 1 {
		t.Error("no staff.locked event")
	}
	// Locked: even the right PIN is refused…
	try("1234")
	if !u.Locked() {
		t.Fatal("signed in while locked")
	}
	// …another account is not affected…
	if _, err := u.Store.SignIn(u.Ctx, "gdv1", "1234"); err != nil {
		t.Errorf("gdv1 refused while gdv2 is locked: %v", err)
	}
	// …and after five minutes the right PIN works again.
	clock.Add(domain.SignInLockout + time.Second)
	try("1234")
	if u.Locked() || u.Staff.Username != "gdv2" {
		t.Fatalf("not signed in after the lockout; %q %q", f.errUser.Text, f.errPIN.Text)
	}
	rec, err := u.Store.StaffMember(u.Ctx, "gdv2")
	if err != nil || rec.FailedTries != 0 {
		t.Errorf("failed tries not reset: %d, %v", rec.FailedTries, err)
	}
}

func TestInactiveAndUnknownRefused(t *testing.T) {
	u, _ := newTestUI(t, "")
	if err := u.Store.SetStaffActive(u.Ctx, "truong", "gdv2", false); err != nil {
		t.Fatal(err)
	}
	f := u.signIn
	f.username.SetText("gdv2")
	f.secret.SetText("1234")
	u.submitSignIn(f)
	if !u.Locked() || !strings.Contains(f.errUser.Text, "gdv2") {
		t.Fatalf("inactive account: locked %v, error %q", u.Locked(), f.errUser.Text)
	}
	f.username.SetText("nobody")
	f.secret.SetText("1234")
	u.submitSignIn(f)
	if !u.Locked() || f.errPIN.Text != i18n.T("err.signin.wrong") {
		t.Fatalf("unknown account: error %q", f.errPIN.Text)
	}
	f.username.SetText("")
	f.secret.SetText("")
	u.submitSignIn(f)
	if f.errUser.Text != i18n.T("err.required") || f.errPIN.Text != i18n.T("err.required") {
		t.Fatalf("empty fields: %q %q", f.errUser.Text, f.errPIN.Text)
	}
}

func TestIdleLockKeepsTheScreen(t *testing.T) {
	u, clock := newTestUI(t, "gdv1")
	u.Settings.IdleLockMinutes = 10
	u.Show("dossiers")
	u.FocusScan()
	test.Type(u.ScanBox(), "RR473124829VN")
	u.CheckIdle() // takes the fingerprint

	clock.Add(9 * time.Minute)
	if u.CheckIdle() || u.Locked() {
		t.Fatal("locked before the idle time")
	}
	// Typing is activity: the idle time starts again.
	test.Type(u.ScanBox(), "x")
	clock.Add(9 * time.Minute)
	if u.CheckIdle() {
		t.Fatal("locked although the clerk typed 9 minutes ago")
	}
	// A change on screen the shell did not see (a plain widget) is activity too.
	clock.Add(9 * time.Minute)
	u.ScanBox().Entry.SetText("RR473124829VN")
	if u.CheckIdle() {
		t.Fatal("locked although the screen changed")
	}
	clock.Add(10 * time.Minute)
	if !u.CheckIdle() || !u.Locked() {
		t.Fatal("not locked after 10 idle minutes")
	}
	if u.signIn == nil || u.signIn.username.Text != "gdv1" || u.Win.Canvas().Focused() != u.signIn.secret {
		t.Fatal("the lock screen does not ask for gdv1's PIN")
	}
	// Keys do nothing behind the lock.
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyF3})
	typeKeys(t, u, "1234")
	press(t, u, fyne.KeyReturn)
	if u.Locked() || u.Current() != "dossiers" || u.ScanBox().Text != "RR473124829VN" {
		t.Fatalf("after unlock: locked %v, screen %q, scan box %q", u.Locked(), u.Current(), u.ScanBox().Text)
	}
}

func TestLockThenOtherStaffGetsFreshDesk(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.session.scanMessage = "x"
	u.Lock()
	u.signIn.username.SetText("truong")
	u.signIn.secret.SetText("1234")
	u.submitSignIn(u.signIn)
	if u.Staff.Username != "truong" || u.session.scanMessage != "" {
		t.Fatalf("the supervisor got the clerk's session: %+v", u.Staff)
	}
	if len(u.ScreenIDs()) <= 5 {
		t.Errorf("supervisor's navigation %v", u.ScreenIDs())
	}
}

func TestIdleWatch(t *testing.T) {
	now := testNow
	w := newIdleWatch(func() time.Time { return now })
	if w.idle(time.Minute, 1) {
		t.Fatal("a new fingerprint is activity")
	}
	now = now.Add(59 * time.Second)
	if w.idle(time.Minute, 1) {
		t.Fatal("idle too early")
	}
	now = now.Add(time.Second)
	if !w.idle(time.Minute, 1) {
		t.Fatal("not idle after a minute")
	}
	w.touch()
	if w.idle(time.Minute, 1) {
		t.Fatal("idle right after a touch")
	}
	if w.idle(0, 1) {
		t.Fatal("a zero limit never locks")
	}
}

func TestSignInGolden(t *testing.T) {
	withScreens(t)
	u, _ := newTestUI(t, "")
	test.AssertRendersToMarkup(t, "signin.xml", u.Win.Canvas())
	u.signIn.username.SetText("gdv1")
	u.signIn.secret.SetText("0000")
	u.submitSignIn(u.signIn)
	test.AssertRendersToMarkup(t, "signin_wrong.xml", u.Win.Canvas())
}

func TestShellGolden(t *testing.T) {
	withScreens(t)
	u, _ := newTestUI(t, "gdv1")
	test.AssertRendersToMarkup(t, "shell_clerk.xml", u.Win.Canvas())
	sup, _ := newTestUI(t, "truong")
	sup.Show("reports")
	test.AssertRendersToMarkup(t, "shell_supervisor.xml", sup.Win.Canvas())
}

func itoa(n int) string { return formatCount(n) }

package app

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// TestScreensInNavigationOrder: Screens() is the whole navigation in order,
// each screen with its F-key and, for the supervisor's two, the role.
func TestScreensInNavigationOrder(t *testing.T) {
	want := []struct {
		id  string
		key fyne.KeyName
		sup bool
	}{{"home", fyne.KeyF1, false}, {"intake", fyne.KeyF3, false}, {"delivery", fyne.KeyF4, false},
		{"handover", fyne.KeyF11, false}, {"dossiers", fyne.KeyF5, false}, {"feedback", fyne.KeyF12, false},
		{"sync", fyne.KeyF6, false}, {"reports", fyne.KeyF7, false}, {"settings", fyne.KeyF8, true},
		{"staff", fyne.KeyF9, true}, {"catalog", fyne.KeyF10, false}}
	got := Screens()
	if len(got) != len(want) {
		t.Fatalf("%d screens, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		sup := len(s.Roles) == 1 && s.Roles[0] == domain.RoleSupervisor
		if s.ID != w.id || s.Shortcut != w.key || sup != w.sup || s.Build == nil || s.TitleKey == "" {
			t.Errorf("screen %d = %s %s roles %v, want %s %s supervisor-only %v", i, s.ID, s.Shortcut, s.Roles, w.id, w.key, w.sup)
		}
	}
}

// TestShellShowsItsScreens: the shell shows the screens it is given, in
// their order, and placeholder pages say so.
func TestShellShowsItsScreens(t *testing.T) {
	withScreens(t, append(placeholderScreens(),
		Screen{ID: "zeta", Build: func(*UI) fyne.CanvasObject { return widget.NewLabel("") }})...)
	u, _ := newTestUI(t, "truong")
	if ids := u.ScreenIDs(); len(ids) != 7 || ids[0] != "intake" || ids[6] != "zeta" {
		t.Fatalf("screens %v", ids)
	}
	u.Show("delivery")
	if u.Current() != "delivery" {
		t.Fatalf("current %q", u.Current())
	}
	texts := visibleTexts(u.Win.Canvas().Content())
	if !texts[i18n.T("app.placeholder")] {
		t.Errorf("placeholder screen does not say %q; texts: %v", i18n.T("app.placeholder"), texts)
	}
}

func TestClerkDoesNotSeeSupervisorScreens(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	for _, id := range u.ScreenIDs() {
		if id == "settings" || id == "staff" {
			t.Errorf("clerk sees %s", id)
		}
	}
	before := u.Current()
	u.Show("settings")
	if u.Current() != before {
		t.Errorf("clerk opened settings")
	}
	if u.StatusMessage() != i18n.T("app.not_allowed") {
		t.Errorf("status %q", u.StatusMessage())
	}
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyF8})
	if u.Current() == "settings" {
		t.Error("F8 opened settings for a clerk")
	}
	for _, o := range u.nav {
		if o.text == i18n.T("app.nav.settings") || o.text == i18n.T("app.nav.staff") {
			t.Errorf("clerk's navigation lists %q", o.text)
		}
	}

	sup, _ := newTestUI(t, "truong")
	got := map[string]bool{}
	for _, id := range sup.ScreenIDs() {
		got[id] = true
	}
	for _, id := range []string{"settings", "staff", "catalog"} {
		if !got[id] {
			t.Errorf("supervisor does not see %s", id)
		}
	}
	sup.HandleKey(&fyne.KeyEvent{Name: fyne.KeyF9})
	if sup.Current() != "staff" {
		t.Errorf("F9: current %q", sup.Current())
	}
}

func TestKeysScanBoxAndShortcuts(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	c := u.Win.Canvas()
	// F-keys with nothing focused (canvas handler) and from inside an entry.
	c.Unfocus()
	c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyF5})
	if u.Current() != "dossiers" {
		t.Fatalf("F5 with no focus: current %q", u.Current())
	}
	u.HandleKey(&fyne.KeyEvent{Name: ScanKey})
	if c.Focused() != u.ScanBox() {
		t.Fatalf("F2 did not focus the scan box (focused %T)", c.Focused())
	}
	u.ScanBox().TypedKey(&fyne.KeyEvent{Name: fyne.KeyF3})
	if u.Current() != "intake" {
		t.Fatalf("F3 typed in the scan box: current %q", u.Current())
	}

	// Enter in the scan box: a message until the lookup is plugged in, then the lookup.
	u.OnScan = nil // as before the scan lookup plugs in
	u.FocusScan()
	test.Type(u.ScanBox(), "600900A-260310-0001")
	u.ScanBox().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if u.StatusMessage() != i18n.T("app.scan.unavailable") {
		t.Errorf("status %q", u.StatusMessage())
	}
	var scanned string
	u.OnScan = func(s string) { scanned = s }
	u.ScanBox().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if scanned != "600900A-260310-0001" {
		t.Errorf("OnScan got %q", scanned)
	}

	// Alt+digit follows the navigation; Ctrl+L locks.
	sc := c.(fyne.Shortcutable)
	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.Key2, Modifier: fyne.KeyModifierAlt})
	if u.Current() != u.ScreenIDs()[1] {
		t.Errorf("Alt+2: current %q, want %q", u.Current(), u.ScreenIDs()[1])
	}

	// A screen's own shortcut runs only while that screen is shown, also
	// when typed inside a PostDesk entry.
	ran := 0
	ctrlK := &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierControl}
	u.Shortcut("dossiers", "app.menu.scan", ctrlK, func() { ran++ })
	u.Show("intake")
	sc.TypedShortcut(ctrlK)
	if ran != 0 {
		t.Error("dossiers' shortcut ran on intake")
	}
	u.Show("dossiers")
	u.ScanBox().TypedShortcut(ctrlK)
	if ran != 1 {
		t.Errorf("dossiers' shortcut ran %d times", ran)
	}
	menu := u.Win.MainMenu()
	if menu == nil || len(menu.Items) != 2 {
		t.Fatalf("main menu %v, want the desk menu and the dossiers actions", menu)
	}

	sc.TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl})
	if !u.Locked() {
		t.Error("Ctrl+L did not lock")
	}
}

func TestDialogsEscAndEnter(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	yes := 0
	u.Confirm("?", "?", func() { yes++ })
	if len(u.Win.Canvas().Overlays().List()) != 1 {
		t.Fatal("confirm dialog not shown")
	}
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(u.Win.Canvas().Overlays().List()) != 0 || yes != 0 {
		t.Fatalf("Esc: overlays %d, yes %d", len(u.Win.Canvas().Overlays().List()), yes)
	}
	u.Confirm("?", "?", func() { yes++ })
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if yes != 1 || len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Fatalf("Enter: yes %d, overlays %d", yes, len(u.Win.Canvas().Overlays().List()))
	}
	u.ShowError(domain.Errf("staff.username", "err.required", "required"))
	texts := visibleTexts(u.Win.Canvas().Overlays().Top())
	want := i18n.T("field.staff.username") + ": " + i18n.T("err.required")
	if !texts[want] {
		t.Errorf("error dialog texts %v, want %q", texts, want)
	}
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Error("Esc did not close the error dialog")
	}
	u.ShowError(errors.New("disk full"))
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
}

func TestBrokenScreenDoesNotTakeTheDeskDown(t *testing.T) {
	withScreens(t, Screen{ID: "reports", Build: func(*UI) fyne.CanvasObject { panic("boom") }})
	u, _ := newTestUI(t, "gdv1")
	u.Show("reports")
	if u.Current() != "reports" || !visibleTexts(u.Win.Canvas().Content())[i18n.T("app.screen_failed")] {
		t.Error("a panicking screen did not show the error page")
	}
}

func TestStatusBar(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	texts := visibleTexts(u.Win.Canvas().Content())
	for _, want := range []string{
		"Nguyễn Thị Lan (" + i18n.T("app.role.clerk") + ")",
		i18n.T("app.status.never_connected"),
		i18n.T("app.status.last_sync_never"),
	} {
		if !texts[want] {
			t.Errorf("status bar lacks %q", want)
		}
	}
	n, err := u.Store.LastSeq(u.Ctx, u.Device.ID())
	if err != nil || n == 0 {
		t.Fatalf("LastSeq %d, %v", n, err)
	}
	if want := i18n.Tf("app.status.waiting", map[string]string{"N": formatCount(int(n))}); !texts[want] {
		t.Errorf("status bar lacks %q", want)
	}
	u.SetSyncStatus("online", 3, testNow)
	texts = visibleTexts(u.Win.Canvas().Content())
	for _, want := range []string{i18n.T("app.status.online"), i18n.Tf("app.status.waiting", map[string]string{"N": "3"}),
		i18n.Tf("app.status.last_sync", map[string]string{"Time": "09:00", "Date": "10/03/2026"})} {
		if !texts[want] {
			t.Errorf("after SetSyncStatus the status bar lacks %q", want)
		}
	}
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1.000", 200000: "200.000", -1234567: "-1.234.567"} {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q, want %q", n, got, want)
		}
	}
}

// visibleTexts collects the texts of the visible labels, buttons and rich
// texts under o (through widget renderers, as laid out).
func visibleTexts(o fyne.CanvasObject) map[string]bool {
	out := map[string]bool{}
	for _, obj := range test.LaidOutObjects(o) {
		switch w := obj.(type) {
		case *widget.Label:
			out[w.Text] = true
		case *widget.Button:
			out[w.Text] = true
		case *deskButton:
			out[w.Text] = true
		case *widget.RichText:
			out[w.String()] = true
		}
	}
	return out
}

func TestDialogSurvivesIdleLock(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	closed := 0
	d := dialog.NewInformation("?", "?", u.Win)
	d.SetOnClosed(func() { closed++ })
	u.ShowDialog(d)
	u.Lock()
	if len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Fatal("a dialog shows over the lock screen")
	}
	if err := u.SignInAs("gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
	if len(u.Win.Canvas().Overlays().List()) != 1 {
		t.Fatal("the dialog did not come back after unlock")
	}
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if len(u.Win.Canvas().Overlays().List()) != 0 || closed != 1 {
		t.Fatalf("after Esc: overlays %d, OnClosed ran %d times", len(u.Win.Canvas().Overlays().List()), closed)
	}
	u.ShowError(errors.New("x"))
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter dismisses an error
	if len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Enter did not dismiss the error dialog")
	}
}

package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/internal/demo"
)

// The fit checks: every screen laid out in the test driver at the small
// screens post points have, in both languages, for every role, on demo
// data that has dossiers in every state.

// fitSizes are the screens post points have (the window's content area).
var fitSizes = []fyne.Size{{Width: 1024, Height: 768}, {Width: 1366, Height: 768}}

// checkFit is layoutMisfits walking into every widget's renderer (the
// test driver's cache), deeper than the app's own dump can.
func checkFit(root fyne.CanvasObject, origin fyne.Position, win fyne.Size) []misfit {
	return layoutMisfits(root, origin, win, func(o fyne.CanvasObject) []fyne.CanvasObject {
		if wid, ok := o.(fyne.Widget); ok {
			return test.WidgetRenderer(wid).Objects()
		}
		return nil
	})
}

// fitWindow lays the window out at size and checks its content and every
// overlay (dialogs, pop-ups).
func fitWindow(t *testing.T, u *UI, size fyne.Size, what string) []misfit {
	t.Helper()
	c := u.Win.Canvas()
	// Twice, as the window does over its first frames: a wrapping label
	// knows how many lines it needs only once it has a width.
	u.Win.Resize(fyne.NewSize(size.Width-1, size.Height))
	u.Win.Resize(size)
	var out []misfit
	if m := u.Win.Content().MinSize(); m.Width > size.Width+0.5 || m.Height > size.Height+0.5 {
		out = append(out, misfit{what, fmt.Sprintf("needs %.0f×%.0f, the window is %.0f×%.0f (the window would grow past the screen)", m.Width, m.Height, size.Width, size.Height)})
	}
	out = append(out, checkFit(u.Win.Content(), fyne.NewPos(0, 0), c.Size())...)
	for _, ov := range c.Overlays().List() {
		out = append(out, checkFit(ov, ov.Position(), c.Size())...)
	}
	for i := range out {
		out[i].path = what + ": " + out[i].path
	}
	return out
}

// fitUI opens the desk in lang with the showcase dossiers added to the
// shared demo data.
func fitUI(t *testing.T, lang string) *UI {
	t.Helper()
	u, _ := newTestUI(t, "")
	if _, err := demo.Seed(context.Background(), u.Store, demo.Options{Seed: 1, Now: testNow, Showcase: true}); err != nil {
		t.Fatal(err)
	}
	useLocale(lang)
	t.Cleanup(func() { useLocale("vi") })
	return u
}

func reportMisfits(t *testing.T, all []misfit) {
	t.Helper()
	seen := map[string]bool{}
	n := 0
	for _, m := range all {
		k := m.path + m.what
		if seen[k] {
			continue
		}
		seen[k] = true
		if n++; n <= 40 {
			t.Errorf("%s: %s", m.path, m.what)
		}
	}
	if n > 40 {
		t.Errorf("… and %d more", n-40)
	}
}

// TestEveryScreenFits: at 1024×768 and 1366×768, in Vietnamese and
// English, the first-start screen, the sign-in screen and every screen of
// every role fit: nothing outside the window, nothing overlapping a
// sibling, nothing squeezed below its minimum width, no sideways scrolling,
// no cut text.
func TestEveryScreenFits(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			var all []misfit
			u := fitUI(t, lang)
			u.showSignIn("")
			for _, sz := range fitSizes {
				all = append(all, fitWindow(t, u, sz, fmt.Sprintf("%s %.0fx%.0f sign-in", lang, sz.Width, sz.Height))...)
			}
			for _, who := range []string{"gdv1", "buuta1", "truong"} {
				if err := u.SignInAs(who, "1234"); err != nil {
					t.Fatal(err)
				}
				for _, id := range u.ScreenIDs() {
					u.Show(id)
					for _, sz := range fitSizes {
						all = append(all, fitWindow(t, u, sz, fmt.Sprintf("%s %.0fx%.0f %s %s", lang, sz.Width, sz.Height, who, id))...)
					}
				}
			}
			reportMisfits(t, all)
		})
	}
}

// TestFirstStartFits: the first-start screen fits too.
func TestFirstStartFits(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		u := newSetupUI(t)
		useLocale(lang)
		u.showSetup()
		var all []misfit
		for _, sz := range fitSizes {
			all = append(all, fitWindow(t, u, sz, fmt.Sprintf("%s %.0fx%.0f setup", lang, sz.Width, sz.Height))...)
		}
		useLocale("vi")
		reportMisfits(t, all)
	}
}

// TestDialogsFit: the dialogs a clerk meets most fit at 1024×768 in both
// languages: a receipt that did not reach paper (a long path), a question,
// an error.
func TestDialogsFit(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		u := fitUI(t, lang)
		if err := u.SignInAs("gdv1", "1234"); err != nil {
			t.Fatal(err)
		}
		u.Show("intake")
		var all []misfit
		open := map[string]func(){
			"receipt": func() {
				u.showReceiptTrouble("/home/giao-dich-vien/.config/postdesk/receipts/600900A-261203-0001.pdf",
					"Không mở được biên nhận để in: máy này không có chương trình xem tệp PDF.")
			},
			"confirm": func() {
				u.Confirm("Xác nhận", "Ký biên bản giao 12 hồ sơ cho Ủy ban nhân dân xã Ia O?", func() {})
			},
			"error": func() { u.ShowError(fmt.Errorf("%s", strings.Repeat("Số CCCD phải có 12 chữ số. ", 6))) },
		}
		for name, show := range open {
			show()
			for _, sz := range fitSizes {
				all = append(all, fitWindow(t, u, sz, fmt.Sprintf("%s %.0fx%.0f dialog %s", lang, sz.Width, sz.Height, name))...)
			}
			for _, ov := range u.Win.Canvas().Overlays().List() {
				u.Win.Canvas().Overlays().Remove(ov)
			}
		}
		reportMisfits(t, all)
	}
}

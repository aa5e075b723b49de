package app

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/internal/demo"
)

// The fit checks: every screen laid out in the test driver at the small
// screens post points have, in both languages, for every role, on demo
// data that has dossiers in every state.

// fitSizes are the screens post points have (the window's content area).
var fitSizes = []fyne.Size{{Width: 1024, Height: 768}, {Width: 1366, Height: 768}}

// misfit is one thing that does not fit.
type misfit struct {
	path string
	what string
}

// rect is an object's place on the canvas.
type rect struct{ x, y, w, h float32 }

func (r rect) String() string { return fmt.Sprintf("(%.0f,%.0f %.0f×%.0f)", r.x, r.y, r.w, r.h) }

func (r rect) overlaps(o rect) bool {
	const tol = 1
	return r.x+tol < o.x+o.w && o.x+tol < r.x+r.w && r.y+tol < o.y+o.h && o.y+tol < r.y+r.h
}

// objName names an object for a failure message: its type and any text.
func objName(o fyne.CanvasObject) string {
	name := fmt.Sprintf("%T", o)
	switch w := o.(type) {
	case *widget.Label:
		name += fmt.Sprintf("%q", short(w.Text))
	case *widget.Button:
		name += fmt.Sprintf("%q", short(w.Text))
	case *deskButton:
		name += fmt.Sprintf("%q", short(w.Text))
	case *widget.Check:
		name += fmt.Sprintf("%q", short(w.Text))
	case *Entry:
		name += fmt.Sprintf("[%q]", short(w.PlaceHolder))
	}
	return name
}

func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// stacking layouts put their objects on top of each other on purpose.
func stacking(c *fyne.Container) bool {
	if c.Layout == nil {
		return true
	}
	t := fmt.Sprintf("%T", c.Layout)
	// A dialog's own layout puts its content over its background.
	return strings.HasSuffix(t, "stackLayout") || strings.HasSuffix(t, "centerLayout") || strings.HasSuffix(t, "paddedLayout") ||
		strings.HasPrefix(t, "*dialog.")
}

// checkFit walks the visible objects under root (placed at origin) and lists
// what lies outside the window, overlaps a sibling in a layout, is squeezed
// below its minimum width, or is wider than its scroll's viewport.
func checkFit(root fyne.CanvasObject, origin fyne.Position, win fyne.Size) []misfit {
	var out []misfit
	var walk func(o fyne.CanvasObject, pos fyne.Position, path string, clip *rect)
	walk = func(o fyne.CanvasObject, pos fyne.Position, path string, clip *rect) {
		if o == nil || !o.Visible() {
			return
		}
		sz := o.Size()
		r := rect{pos.X, pos.Y, sz.Width, sz.Height}
		path = path + "/" + objName(o)
		if sz.Width <= 0 || sz.Height <= 0 {
			return
		}
		visible := clip == nil || r.overlaps(*clip)
		if !visible {
			return
		}
		if clip == nil {
			if r.x < -0.5 || r.y < -0.5 || r.x+r.w > win.Width+0.5 || r.y+r.h > win.Height+0.5 {
				out = append(out, misfit{path, "outside the window " + r.String()})
				return
			}
		} else if r.x < clip.x-0.5 || r.x+r.w > clip.x+clip.w+0.5 {
			out = append(out, misfit{path, "cut at the side of its scroll " + r.String() + " in " + clip.String()})
			return
		}
		if m := o.MinSize(); m.Width > sz.Width+1 {
			out = append(out, misfit{path, fmt.Sprintf("squeezed to %.0f px wide, needs %.0f", sz.Width, m.Width)})
		}
		var entry *widget.Entry
		switch w := o.(type) {
		case *Entry:
			entry = &w.Entry
		case *widget.Entry:
			entry = w
		case *widget.SelectEntry:
			entry = &w.Entry
		case *formEntry:
			entry = &w.Entry.Entry
		}
		if entry != nil {
			// What is typed scrolls inside the field; the hint must show whole.
			if entry.PlaceHolder != "" && entry.Text == "" && !entry.MultiLine {
				full := fyne.MeasureText(entry.PlaceHolder, fyne.CurrentApp().Settings().Theme().Size("text"), fyne.TextStyle{})
				if full.Width+2*innerPad() > sz.Width+1 {
					out = append(out, misfit{path, fmt.Sprintf("hint cut: needs %.0f px, has %.0f", full.Width+2*innerPad(), sz.Width)})
				}
			}
			return
		}
		switch w := o.(type) {
		case *container.Scroll:
			if w.Content != nil && w.Content.Visible() && w.Content.Size().Width > sz.Width+0.5 &&
				w.Direction != container.ScrollVerticalOnly && w.Direction != container.ScrollNone {
				out = append(out, misfit{path, fmt.Sprintf("scrolls sideways: content %.0f px in %.0f", w.Content.Size().Width, sz.Width)})
			}
			if w.Content != nil {
				cr := r
				if clip != nil {
					cr = intersect(r, *clip)
				}
				walk(w.Content, pos.Add(w.Content.Position()), path, &cr)
			}
			return
		case *widget.Label:
			if !strings.Contains(path, "tableCells") && w.Truncation != fyne.TextTruncateOff && w.Wrapping == fyne.TextWrapOff && w.Text != "" {
				full := fyne.MeasureText(w.Text, fyne.CurrentApp().Settings().Theme().Size("text"), w.TextStyle)
				if full.Width+2*innerPad() > sz.Width+1 {
					out = append(out, misfit{path, fmt.Sprintf("text cut: needs %.0f px, has %.0f", full.Width+2*innerPad(), sz.Width)})
				}
			}
		case *fyne.Container:
			kids := visibleKids(w.Objects)
			if !stacking(w) {
				for i := range kids {
					for j := i + 1; j < len(kids); j++ {
						a, b := placedRect(kids[i], pos), placedRect(kids[j], pos)
						if a.w > 1 && a.h > 1 && b.w > 1 && b.h > 1 && a.overlaps(b) {
							out = append(out, misfit{path, fmt.Sprintf("%s %s overlaps %s %s", objName(kids[i]), a, objName(kids[j]), b)})
						}
					}
				}
			}
			for _, k := range kids {
				walk(k, pos.Add(k.Position()), path, clip)
			}
			return
		}
		if wid, ok := o.(fyne.Widget); ok {
			for _, k := range test.WidgetRenderer(wid).Objects() {
				walk(k, pos.Add(k.Position()), path, clip)
			}
		}
	}
	walk(root, origin, "", nil)
	// A squeezed object squeezes its parents too: name only the deepest.
	var keep []misfit
	for i, m := range out {
		if strings.HasPrefix(m.what, "squeezed") {
			deeper := false
			for j, n := range out {
				if j != i && strings.HasPrefix(n.what, "squeezed") && strings.HasPrefix(n.path, m.path+"/") {
					deeper = true
					break
				}
			}
			if deeper {
				continue
			}
		}
		keep = append(keep, m)
	}
	return keep
}

func innerPad() float32 {
	return fyne.CurrentApp().Settings().Theme().Size("innerPadding")
}

func intersect(a, b rect) rect {
	x0, y0 := max(a.x, b.x), max(a.y, b.y)
	x1, y1 := min(a.x+a.w, b.x+b.w), min(a.y+a.h, b.y+b.h)
	return rect{x0, y0, max(0, x1-x0), max(0, y1-y0)}
}

func visibleKids(list []fyne.CanvasObject) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	for _, o := range list {
		if o != nil && o.Visible() && o.Size().Width > 0 && o.Size().Height > 0 {
			out = append(out, o)
		}
	}
	return out
}

func placedRect(o fyne.CanvasObject, parent fyne.Position) rect {
	p := parent.Add(o.Position())
	return rect{p.X, p.Y, o.Size().Width, o.Size().Height}
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

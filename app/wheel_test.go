package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestWheelScrollsTheFormOverAField: at 1024×768 the slip is taller than
// the window; the wheel with the pointer over a field (whose own text
// scroller took the wheel and kept it) scrolls the slip, and back up.
func TestWheelScrollsTheFormOverAField(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	u.Win.Resize(fyne.NewSize(1024, 768))
	scroll := f.reveal.scroll
	if scroll.Content.MinSize().Height <= scroll.Size().Height {
		t.Fatalf("the slip (%.0f px) fits its scroll (%.0f px): nothing to test", scroll.Content.MinSize().Height, scroll.Size().Height)
	}
	d := fyne.CurrentApp().Driver()
	for _, field := range []fyne.CanvasObject{f.name, f.phone, f.picker.entry} {
		scroll.ScrollToTop()
		at := d.AbsolutePositionForObject(field).Add(fyne.NewPos(field.Size().Width/2, field.Size().Height/2))
		test.Scroll(u.Win.Canvas(), at, 0, -120)
		if scroll.Offset.Y <= 0 {
			t.Errorf("the wheel over %s did not scroll the slip (offset %.0f)", objName(field), scroll.Offset.Y)
			continue
		}
		down := scroll.Offset.Y
		test.Scroll(u.Win.Canvas(), at, 0, 60)
		if scroll.Offset.Y >= down {
			t.Errorf("the wheel up over %s did not scroll the slip back (offset %.0f, was %.0f)", objName(field), scroll.Offset.Y, down)
		}
	}
}

// TestWheelInnermostFirst: a list inside a scrolling form takes the wheel
// while it can move; at its end the wheel scrolls the form around it.
func TestWheelInnermostFirst(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	list := widget.NewList(func() int { return 40 }, func() fyne.CanvasObject { return widget.NewLabel("row") },
		func(widget.ListItemID, fyne.CanvasObject) {})
	tall := container.NewVBox(container.NewGridWrap(fyne.NewSize(300, 200), list), widget.NewLabel("below"))
	for range 30 {
		tall.Add(widget.NewLabel("line"))
	}
	form := container.NewVScroll(tall)
	u.Win.SetContent(u.withWheel(form))
	u.Win.Resize(fyne.NewSize(400, 400))
	at := fyne.NewPos(50, 50) // over the list
	test.Scroll(u.Win.Canvas(), at, 0, -100)
	if list.GetScrollOffset() <= 0 || form.Offset.Y != 0 {
		t.Fatalf("wheel over the list: list offset %.0f, form offset %.0f; want the list moved, the form not",
			list.GetScrollOffset(), form.Offset.Y)
	}
	for range 40 { // to the list's end, and on
		test.Scroll(u.Win.Canvas(), at, 0, -100)
	}
	if form.Offset.Y <= 0 {
		t.Errorf("the list at its end kept the wheel: form offset %.0f", form.Offset.Y)
	}
}

package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// TestCutNameShowsWholeOnHover: at 1024×768 a long procedure name is cut
// in the catalog list; with the pointer on it the whole name shows in a
// tip inside the window, and goes when the pointer leaves.
func TestCutNameShowsWholeOnHover(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.Win.Resize(fyne.NewSize(1024, 768))
	u.Show("catalog")
	c := u.session.catalog
	long := -1
	for k, i := range c.matches {
		if len([]rune(c.index.procs[i].Name)) > 90 {
			long = k
			break
		}
	}
	if long < 0 {
		t.Fatal("the sample catalog has no long procedure name")
	}
	c.move(long)
	c.list.ScrollTo(long)
	var cell *cutLabel
	var at fyne.Position
	walkPlaced(u.Win.Canvas().Content(), fyne.Position{}, func(o fyne.CanvasObject, pos fyne.Position) {
		if l, ok := o.(*cutLabel); ok && strings.HasSuffix(l.Text, c.index.procs[c.matches[long]].Name) {
			cell, at = l, pos
		}
	})
	if cell == nil {
		t.Fatal("the long name's row is not shown")
	}
	if !cell.isCut() {
		t.Fatalf("the long name %q is not cut at 1024 px (%.0f px wide): nothing to test", cell.Text, cell.Size().Width)
	}
	at = at.Add(fyne.NewPos(10, 5))
	test.MoveMouse(u.Win.Canvas(), at)
	if got := u.TipText(); got != cell.Text {
		t.Fatalf("hover on a cut name shows the tip %q, want %q", got, cell.Text)
	}
	tip := u.tips.tip
	p, s, win := tip.Position(), tip.Size(), u.Win.Canvas().Size()
	if p.X < 0 || p.Y < 0 || p.X+s.Width > win.Width || p.Y+s.Height > win.Height || tip.MinSize().Height > s.Height+1 {
		t.Errorf("the tip at %v size %v (needs %v) is not whole inside the %v window", p, s, tip.MinSize(), win)
	}
	test.MoveMouse(u.Win.Canvas(), fyne.NewPos(2, win.Height-2))
	if got := u.TipText(); got != "" {
		t.Errorf("the tip stays after the pointer left: %q", got)
	}
}

// walkPlaced calls fn with every visible object under root and its place
// on the canvas, through containers and widget renderers (the driver's
// AbsolutePositionForObject does not reach a list's rows in the test driver).
func walkPlaced(root fyne.CanvasObject, origin fyne.Position, fn func(o fyne.CanvasObject, pos fyne.Position)) {
	if root == nil || !root.Visible() {
		return
	}
	fn(root, origin)
	var kids []fyne.CanvasObject
	switch w := root.(type) {
	case *fyne.Container:
		kids = w.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(w).Objects()
	}
	for _, k := range kids {
		walkPlaced(k, origin.Add(k.Position()), fn)
	}
}

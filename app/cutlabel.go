package app

// Long texts in narrow columns: a cell shows what fits and ends in "…";
// with the pointer on it the whole text shows in a tip just below, drawn
// in the window's own tip layer (a Fyne overlay would take every click
// while it is up). The row's detail (Enter) shows the whole text too.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// cutLabel is a one-line label cut with "…" that shows its whole text on hover.
type cutLabel struct {
	widget.Label
	u *UI
}

func newCutLabel(u *UI, text string) *cutLabel {
	l := &cutLabel{u: u}
	l.Text = text
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// isCut reports whether the text is wider than the label shows.
func (l *cutLabel) isCut() bool {
	full := fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle)
	return full.Width+2*theme.InnerPadding() > l.Size().Width+1
}

func (l *cutLabel) MouseIn(ev *desktop.MouseEvent) {
	if l.u != nil && l.Text != "" && l.isCut() {
		l.u.showTip(l, ev.AbsolutePosition.Subtract(ev.Position), l.Text)
	}
}

func (l *cutLabel) MouseMoved(*desktop.MouseEvent) {}

func (l *cutLabel) MouseOut() {
	if l.u != nil {
		l.u.hideTip(l)
	}
}

// tipLayer is the window's layer for tips: on top of the frame, not
// tappable nor hoverable, so the pointer goes on to what lies below.
type tipLayer struct {
	box   *fyne.Container // the layer (no layout: the tip is placed by hand)
	tip   *fyne.Container
	text  *widget.Label
	owner fyne.CanvasObject
}

const tipWidth = 460

func newTipLayer() *tipLayer {
	t := &tipLayer{text: widget.NewLabel("")}
	t.text.Wrapping = fyne.TextWrapWord
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	t.tip = container.NewStack(bg, t.text)
	t.tip.Hide()
	t.box = container.NewWithoutLayout(t.tip)
	return t
}

// showTip shows text under owner (whose top left corner is at at on the
// canvas), kept inside the window.
func (u *UI) showTip(owner fyne.CanvasObject, at fyne.Position, text string) {
	t := u.tips
	if t == nil {
		return
	}
	t.owner = owner
	t.text.SetText(text)
	win := u.Win.Canvas().Size()
	w := min(float32(tipWidth), win.Width-2*theme.Padding())
	h := t.text.MinSize().Height
	t.text.Resize(fyne.NewSize(w, h))
	h = t.text.MinSize().Height
	x := min(at.X, win.Width-w-theme.Padding())
	y := at.Y + owner.Size().Height
	if y+h > win.Height {
		y = max(0, at.Y-h)
	}
	t.tip.Move(fyne.NewPos(max(0, x), y))
	t.tip.Resize(fyne.NewSize(w, h))
	t.tip.Show()
	t.box.Refresh()
}

// hideTip hides owner's tip (a tip shown for another object stays).
func (u *UI) hideTip(owner fyne.CanvasObject) {
	if t := u.tips; t != nil && t.owner == owner {
		t.owner = nil
		t.tip.Hide()
		t.box.Refresh()
	}
}

// TipText is the tip shown, "" when none (for tests).
func (u *UI) TipText() string {
	if u.tips == nil || !u.tips.tip.Visible() {
		return ""
	}
	return u.tips.text.Text
}

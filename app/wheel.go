package app

// The mouse wheel scrolls what can scroll under the pointer. Fyne hands a
// wheel event to the innermost scrollable object under the pointer and no
// further: over a one-line entry that is the entry's own text scroller,
// which cannot move up or down, so the wheel over a field did nothing and
// a form scrolled only where the pointer was between its fields. A
// wheelRouter lies over a screen, takes the wheel and gives it to the
// innermost scroll under the pointer that can move that way (a list at its
// end passes it on to the form, the form at its end to the shell).

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// withWheel returns content with a wheel router over it; a wheel nothing
// in content takes goes on to the shell's screen area.
func (u *UI) withWheel(content fyne.CanvasObject) *fyne.Container {
	r := newWheelRouter(content)
	r.outer = func() *container.Scroll { return u.areaScroll }
	return container.NewStack(content, r)
}

// wheelRouter is an invisible widget over content that takes only wheel
// events (it is not tappable, hoverable nor focusable, so clicks, hover
// and the keyboard reach the widgets below as before).
type wheelRouter struct {
	widget.BaseWidget
	content fyne.CanvasObject
	outer   func() *container.Scroll // where the wheel goes when nothing in content moves
}

func newWheelRouter(content fyne.CanvasObject) *wheelRouter {
	r := &wheelRouter{content: content}
	r.ExtendBaseWidget(r)
	return r
}

func (r *wheelRouter) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewWithoutLayout())
}

// MinSize is nothing: the router never widens what it lies over.
func (r *wheelRouter) MinSize() fyne.Size { return fyne.Size{} }

// Scrolled gives the wheel to the innermost scroll under the pointer that
// moves with it.
func (r *wheelRouter) Scrolled(ev *fyne.ScrollEvent) {
	chain := scrollablesAt(r.content, fyne.Position{}, ev.Position)
	for i := len(chain) - 1; i >= 0; i-- {
		if scrollMoves(chain[i], ev) {
			return
		}
	}
	if r.outer != nil {
		if s := r.outer(); s != nil {
			scrollMoves(s, ev)
		}
	}
}

// scrollablesAt lists the scrolls that lie under pos (relative to o, which
// is at origin), outermost first. It walks containers, scrolls, tabs,
// splits and cards; a list is a scroll of its own. A table does not say
// where it is scrolled to, so routers lie over forms, never over a table.
func scrollablesAt(o fyne.CanvasObject, origin, pos fyne.Position) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if o == nil || !o.Visible() {
			return
		}
		sz := o.Size()
		if pos.X < at.X || pos.Y < at.Y || pos.X >= at.X+sz.Width || pos.Y >= at.Y+sz.Height {
			return
		}
		switch w := o.(type) {
		case *wheelRouter:
		case *container.Scroll:
			out = append(out, w)
			if w.Content != nil {
				walk(w.Content, at.Add(w.Content.Position()))
			}
		case *widget.List, *widget.GridWrap:
			out = append(out, w)
		case *fyne.Container:
			for _, k := range w.Objects {
				walk(k, at.Add(k.Position()))
			}
		case *container.AppTabs:
			// the tab bar is above the content: only the selected item shows
			if it := w.Selected(); it != nil && it.Content != nil {
				walk(it.Content, absoluteIn(it.Content, w, at))
			}
		case *container.Split:
			walk(w.Leading, absoluteIn(w.Leading, w, at))
			walk(w.Trailing, absoluteIn(w.Trailing, w, at))
		case *widget.Card:
			if w.Content != nil {
				walk(w.Content, absoluteIn(w.Content, w, at))
			}
		}
	}
	walk(o, origin)
	return out
}

// absoluteIn is where child lies, given that its parent widget lies at at:
// a widget's children are placed inside its renderer, so their offset from
// the widget comes from the driver's absolute positions.
func absoluteIn(child, parent fyne.CanvasObject, at fyne.Position) fyne.Position {
	if a := fyne.CurrentApp(); a != nil {
		d := a.Driver()
		return at.Add(d.AbsolutePositionForObject(child).Subtract(d.AbsolutePositionForObject(parent)))
	}
	return at.Add(child.Position())
}

// scrollMoves scrolls o by the wheel's step and reports whether it moved.
func scrollMoves(o fyne.CanvasObject, ev *fyne.ScrollEvent) bool {
	switch w := o.(type) {
	case *container.Scroll:
		before := w.Offset
		w.Scrolled(ev)
		return w.Offset != before
	case *widget.List:
		before := w.GetScrollOffset()
		w.ScrollToOffset(before - ev.Scrolled.DY)
		return w.GetScrollOffset() != before
	case *widget.GridWrap:
		before := w.GetScrollOffset()
		w.ScrollToOffset(before - ev.Scrolled.DY)
		return w.GetScrollOffset() != before
	}
	return false
}

package app

// The fit check: what does not fit a window — laid out by the tests in
// Fyne's test driver at 1024×768 and 1366×768 (fit_test.go), and by the
// real binary for its layout dump (layoutdump.go).

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

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

// layoutMisfits walks the visible objects under root (placed at origin)
// and lists what lies outside the window, overlaps a sibling in a layout,
// is squeezed below its minimum width, is wider than its scroll's
// viewport, or has its text or hint cut. kids gives a widget's objects:
// the tests reach into every renderer (Fyne's test driver), the app's own
// layout dump only into the widgets that hold objects in exported fields.
// A cutLabel is not a misfit: its whole text shows on hover.
func layoutMisfits(root fyne.CanvasObject, origin fyne.Position, win fyne.Size, kids func(fyne.CanvasObject) []fyne.CanvasObject) []misfit {
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
		for _, k := range kids(o) {
			walk(k, pos.Add(k.Position()), path, clip)
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

package app

// Fitting small screens (1024×768): long texts wrap, side panels go below
// the main column when the window is narrow. fit_test.go lays out every
// screen at 1024×768 and 1366×768 and fails on anything that sticks out.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// longText is the length from which a label in a column wraps rather than
// widening the window: a help line, an instruction, a message.
const longText = 48

// wrapLongTexts makes every long one-line label that stands in a column
// (a VBox, a card, a tab, the middle of a border) wrap at the column's
// width, so a screen never grows wider than a 1024 px display for a
// sentence. Labels in a row (HBox) are left alone: there a wrapping label
// would shrink to a word a line. Called on each screen when it is shown.
func wrapLongTexts(o fyne.CanvasObject) {
	var walk func(o fyne.CanvasObject, column bool)
	walk = func(o fyne.CanvasObject, column bool) {
		switch w := o.(type) {
		case *widget.Label:
			if column && w.Wrapping == fyne.TextWrapOff && w.Truncation == fyne.TextTruncateOff &&
				utf8.RuneCountInString(w.Text) >= longText {
				w.Wrapping = fyne.TextWrapWord
				w.Refresh()
			}
		case *fyne.Container:
			col := isColumn(w)
			for _, k := range w.Objects {
				walk(k, col)
			}
		case *widget.Card:
			if w.Content != nil {
				walk(w.Content, true)
			}
		case *container.Scroll:
			if w.Content != nil {
				walk(w.Content, w.Direction == container.ScrollVerticalOnly)
			}
		case *container.AppTabs:
			for _, it := range w.Items {
				walk(it.Content, true)
			}
		case *container.Split:
			walk(w.Leading, true)
			walk(w.Trailing, true)
		}
	}
	walk(o, true)
}

// isColumn reports whether c gives its objects its whole width.
func isColumn(c *fyne.Container) bool {
	t := fmt.Sprintf("%T", c.Layout)
	for _, col := range []string{"vBoxLayout", "borderLayout", "stackLayout", "paddedLayout", "*app.besideOrBelow"} {
		if strings.HasSuffix(t, col) {
			return true
		}
	}
	return false
}

// besideOrBelow lays out a main column and a side panel: side by side when
// the width holds both at their minimum widths (the main column gets
// Ratio of the width, or more if it needs it), else the panel goes below
// the main column, which keeps the rest of the height.
type besideOrBelow struct {
	Ratio float32
	width float32 // the width of the last layout, to answer MinSize
}

// newBesideOrBelow is main with side beside it or, on a narrow window, below.
func newBesideOrBelow(main, side fyne.CanvasObject, ratio float32) *fyne.Container {
	return container.New(&besideOrBelow{Ratio: ratio}, main, side)
}

func (l *besideOrBelow) beside(width float32, main, side fyne.Size) bool {
	return width == 0 || width >= main.Width+side.Width+theme.Padding()
}

func (l *besideOrBelow) MinSize(objects []fyne.CanvasObject) fyne.Size {
	main, side := objects[0].MinSize(), objects[1].MinSize()
	if l.width > 0 && !l.beside(l.width, main, side) {
		return fyne.NewSize(max(main.Width, side.Width), main.Height+side.Height+theme.Padding())
	}
	return fyne.NewSize(max(main.Width, side.Width), max(main.Height, side.Height))
}

func (l *besideOrBelow) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	mainObj, sideObj := objects[0], objects[1]
	main, side := mainObj.MinSize(), sideObj.MinSize()
	pad := theme.Padding()
	if l.beside(size.Width, main, side) {
		w := max(main.Width, size.Width*l.Ratio)
		if size.Width-w-pad < side.Width {
			w = size.Width - pad - side.Width
		}
		mainObj.Move(fyne.NewPos(0, 0))
		mainObj.Resize(fyne.NewSize(w, size.Height))
		sideObj.Move(fyne.NewPos(w+pad, 0))
		sideObj.Resize(fyne.NewSize(size.Width-w-pad, size.Height))
		return
	}
	mainH := max(main.Height, size.Height-side.Height-pad)
	mainObj.Move(fyne.NewPos(0, 0))
	mainObj.Resize(fyne.NewSize(size.Width, mainH))
	sideObj.Move(fyne.NewPos(0, mainH+pad))
	sideObj.Resize(fyne.NewSize(size.Width, side.Height))
}

// fitColumns shows a table whose columns shrink in proportion, down to
// minColumn each, when their widths add up to more than the table's
// width: the table never needs scrolling sideways on a 1024 px screen
// (cells show "…" and the row's detail shows the whole text).
type fitColumns struct {
	table   *widget.Table
	widths  []float32
	headers []string  // each column's header, which never shrinks below its text
	bold    bool      // the headers are bold
	applied []float32 // the widths set at the last layout
	last    float32
}

const minColumn = 56

// newFitColumns lays table out with these column widths, shrunk to fit;
// a column keeps at least the width of its header (headers, "" for none).
func newFitColumns(table *widget.Table, widths []float32, headers []string, bold bool) *fyne.Container {
	return container.New(&fitColumns{table: table, widths: widths, headers: headers, bold: bold}, table)
}

// floor is the narrowest column i may be: its header whole.
func (l *fitColumns) floor(i int) float32 {
	f := float32(minColumn)
	if i < len(l.headers) && l.headers[i] != "" {
		f = max(f, fyne.MeasureText(l.headers[i], theme.TextSize(), fyne.TextStyle{Bold: l.bold}).Width+2*theme.InnerPadding()+1)
	}
	return f
}

// fitWidths shrinks widths in proportion to fit room, no column below its
// floor: the columns held at their floor leave the rest of the room to the
// others, until no more reach their floor.
func fitWidths(widths, floors []float32, room float32) []float32 {
	out := make([]float32, len(widths))
	fixed := make([]bool, len(widths))
	for {
		flexTotal, fixedTotal := float32(0), float32(0)
		for i, w := range widths {
			if fixed[i] {
				fixedTotal += floors[i]
			} else {
				flexTotal += w
			}
		}
		scale := float32(1)
		if flexTotal > 0 && flexTotal+fixedTotal > room {
			scale = max(0, room-fixedTotal) / flexTotal
		}
		changed := false
		for i, w := range widths {
			if fixed[i] {
				out[i] = floors[i]
				continue
			}
			out[i] = w * scale
			if out[i] < floors[i] {
				fixed[i], changed = true, true
			}
		}
		if !changed {
			return out
		}
	}
}

func (l *fitColumns) MinSize(objects []fyne.CanvasObject) fyne.Size { return objects[0].MinSize() }

func (l *fitColumns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	if size.Width != l.last {
		l.last = size.Width
		// the room for cells: the table's width less a scroll bar's
		room := size.Width - theme.ScrollBarSize() - theme.Padding()*float32(len(l.widths)+1)
		floors := make([]float32, len(l.widths))
		for i := range floors {
			floors[i] = l.floor(i)
		}
		l.applied = fitWidths(l.widths, floors, room)
		for i, w := range l.applied {
			l.table.SetColumnWidth(i, w)
		}
	}
	objects[0].Move(fyne.NewPos(0, 0))
	objects[0].Resize(size)
}

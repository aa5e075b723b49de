// Package receipt makes PostDesk's printed documents — the receipt given to
// the citizen at intake, and the handover records and daily registers built
// on the same helpers — and the signed QR payload that lets any PostDesk
// tell a genuine receipt from a forged one.
//
// pdf.go is the groundwork every document shares: a Doc over fpdf with the
// embedded Noto Sans fonts (so every Vietnamese diacritic prints), page
// sizes A5, A4 and the 80 mm thermal roll, and helpers for headings,
// label/value rows, wrapped tables, signature boxes, page-numbered footers
// and atomic file writes. All text passes through domain.Clean (NFC).
package receipt

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
)

// Size is a page size in millimetres. A roll (H == 0) is one page as long
// as its content, for thermal receipt printers.
type Size struct {
	Name string
	W, H float64
}

// The page sizes PostDesk prints on.
var (
	A5          = Size{Name: "A5", W: 148, H: 210}
	A4          = Size{Name: "A4", W: 210, H: 297}
	A4Landscape = Size{Name: "A4 landscape", W: 297, H: 210}
	Roll80      = Size{Name: "80mm", W: 80}
)

// Roll reports whether the page's length follows its content.
func (s Size) Roll() bool { return s.H == 0 }

const (
	family = "noto" // the embedded Noto Sans, registered in every Doc

	rollProbeHeight = 3000.0 // mm: the first, measuring pass of a roll
	rollMinHeight   = 60.0   // mm: a roll receipt is never shorter
	footerHeight    = 6.0    // mm kept at the foot of a sheet for the footer
	ptToMM          = 25.4 / 72
)

// Options are a document's settings; zero values pick sensible defaults.
type Options struct {
	Title    string    // the PDF's title property
	Subject  string    // the PDF's subject property
	Margin   float64   // mm on every side; 0: 12 on sheets, 4 on a roll
	FontSize float64   // body text in points; 0: 10 on A4, 9.5 on A5, 8.5 on a roll
	Footer   string    // text at the foot of every sheet, left
	Numbers  bool      // page numbers "Trang 1/3" at the foot of every sheet, right
	Created  time.Time // the PDF's creation date; zero: now (fix it for reproducible files)
	Lang     *i18n.Catalog
}

// Style is how a piece of text is set. Size 0 is the document's body size;
// Align is "L" (default), "C" or "R". Italic text is the regular face
// slanted (an oblique), which keeps documents to two embedded faces; bold
// wins over italic.
type Style struct {
	Size   float64
	Bold   bool
	Italic bool
	Align  string
}

// Line is one line of a letterhead.
type Line struct {
	Text string
	Style
}

// Column is one column of a table. Width is in mm; columns of width 0 share
// what the others leave. Align applies to the body cells ("L", "C", "R").
type Column struct {
	Title string
	Width float64
	Align string
}

// Signature is one signature box: a title ("NGƯỜI NỘP HỒ SƠ"), a note
// ("(Ký, ghi rõ họ tên)"), room to sign, and the name printed below.
type Signature struct {
	Title, Note, Name string
}

// Doc is a PDF document being drawn, top to bottom. The cursor (Y) moves
// down as helpers draw; a helper that does not fit on a sheet starts a new
// page. Errors are kept and returned by Build.
type Doc struct {
	f      *fpdf.Fpdf
	size   Size
	pageH  float64
	margin float64
	base   float64
	labelW float64
	left   float64 // offset of the current column from the left margin (Columns)
	right  float64 // room kept free at the right (Columns)
	aside  float64 // room kept free at the right above asideY (ReserveRight)
	asideY float64
	inCols bool // drawing inside Columns: no page breaks
	lang   *i18n.Catalog
	images int
	bold   bool // the bold face is registered
}

// Build makes a document of the given size and lets draw fill it. For a
// roll, draw runs twice — once on a very long page to measure the content,
// then on a page cut to that length — so it must draw the same each time.
func Build(size Size, opt Options, draw func(d *Doc) error) (*Doc, error) {
	if size.W <= 0 || size.H < 0 {
		return nil, fmt.Errorf("receipt: bad page size %v", size)
	}
	if !size.Roll() {
		return buildDoc(size, size.H, opt, draw)
	}
	probe, err := buildDoc(size, rollProbeHeight, opt, draw)
	if err != nil {
		return nil, err
	}
	h := probe.f.GetY() + probe.margin
	if probe.f.PageNo() > 1 {
		h = rollProbeHeight // longer than any printer's roll: keep the pages
	}
	return buildDoc(size, max(h, rollMinHeight), opt, draw)
}

func buildDoc(size Size, pageH float64, opt Options, draw func(d *Doc) error) (*Doc, error) {
	d := &Doc{size: size, pageH: pageH, margin: opt.Margin, base: opt.FontSize, lang: opt.Lang}
	if d.lang == nil {
		d.lang = i18n.Current()
	}
	if d.margin <= 0 {
		d.margin = 12
		if size.Roll() {
			d.margin = 4
		}
	}
	if d.base <= 0 {
		switch {
		case size.Roll():
			d.base = 8.5
		case size.W < 200 && size.H < 250:
			d.base = 9.5
		default:
			d.base = 10
		}
	}
	d.labelW = d.Width() * 0.34
	f := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: size.W, Ht: pageH}})
	d.f = f
	f.SetMargins(d.margin, d.margin, d.margin)
	f.SetAutoPageBreak(false, d.margin) // helpers break pages themselves, whole rows at a time
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(family, "", assets.FontRegular)
	if opt.Title != "" {
		f.SetTitle(clean(opt.Title), true)
	}
	if opt.Subject != "" {
		f.SetSubject(clean(opt.Subject), true)
	}
	f.SetCreator("PostDesk", true)
	created := opt.Created
	if created.IsZero() {
		created = time.Now()
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetDrawColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	f.SetLineWidth(0.2)
	if !size.Roll() && (opt.Footer != "" || opt.Numbers) {
		f.AliasNbPages("{nb}")
		footer := clean(opt.Footer)
		f.SetFooterFunc(func() {
			y := d.pageH - d.margin + 1
			d.font(Style{Size: d.base - 2})
			full := d.size.W - 2*d.margin
			f.SetXY(d.margin, y)
			if footer != "" {
				f.CellFormat(full, 3.5, footer, "", 0, "L", false, 0, "")
			}
			if opt.Numbers {
				f.SetXY(d.margin, y)
				f.CellFormat(full, 3.5, d.lang.Tf("receipt.page",
					map[string]string{"N": strconv.Itoa(f.PageNo()), "Total": "{nb}"}), "", 0, "R", false, 0, "")
			}
		})
	}
	f.AddPage()
	if f.Err() {
		return nil, fmt.Errorf("receipt: setting up the PDF: %w", f.Error())
	}
	d.font(Style{})
	if err := draw(d); err != nil {
		return nil, err
	}
	if f.Err() {
		return nil, fmt.Errorf("receipt: drawing the PDF: %w", f.Error())
	}
	return d, nil
}

// Output writes the finished PDF to w.
func (d *Doc) Output(w io.Writer) error {
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("receipt: writing the PDF: %w", err)
	}
	return nil
}

// WriteFile writes the finished PDF to path atomically (internal/atomicfile),
// so a crash or a full disk never leaves a half-written PDF where the viewer
// or the printer will find it.
func (d *Doc) WriteFile(path string) error {
	return atomicfile.Write(path, 0o644, d.Output)
}

// PDF is the underlying fpdf document, for drawing the helpers do not cover.
// Text given to it directly must be passed through Clean first.
func (d *Doc) PDF() *fpdf.Fpdf { return d.f }

// Size is the document's page size (for a roll, W and H 0).
func (d *Doc) Size() Size { return d.size }

// Lang is the catalog the document's labels come from.
func (d *Doc) Lang() *i18n.Catalog { return d.lang }

// T is the document's text for an i18n key.
func (d *Doc) T(key string) string { return d.lang.T(key) }

// Tf is the document's text for an i18n key, placeholders filled.
func (d *Doc) Tf(key string, args map[string]string) string { return d.lang.Tf(key, args) }

// Width is the width between the margins, less any room kept by
// ReserveRight, in mm.
func (d *Doc) Width() float64 {
	w := d.size.W - 2*d.margin - d.left - d.right
	if d.aside > 0 && d.Y() < d.asideY {
		w -= d.aside
	}
	return w
}

// ReserveRight keeps w mm free at the right of the rows and text that start
// above y on this page — room for something drawn with ImageAt, such as a
// QR code — and lets them use the full width again below it. 0 ends it.
func (d *Doc) ReserveRight(w, y float64) {
	d.aside, d.asideY = min(max(w, 0), d.size.W-2*d.margin-d.left-20), y
}

// Left is the x of the left edge of the text (the margin, or the current
// column's edge inside Columns), in mm.
func (d *Doc) Left() float64 { return d.margin + d.left }

// BaseSize is the body text size in points.
func (d *Doc) BaseSize() float64 { return d.base }

// Y is the cursor's distance from the top of the page, in mm.
func (d *Doc) Y() float64 { return d.f.GetY() }

// SetY moves the cursor to y on the current page, at the left margin.
func (d *Doc) SetY(y float64) { d.f.SetXY(d.Left(), y) }

// Space moves the cursor down by h mm.
func (d *Doc) Space(h float64) { d.SetY(d.Y() + h) }

// SetLabelWidth sets the width of Row's label column, in mm.
func (d *Doc) SetLabelWidth(w float64) { d.labelW = min(max(w, 5), d.Width()-10) }

// bottom is the lowest y content may reach on this page.
func (d *Doc) bottom() float64 {
	if d.size.Roll() {
		return d.pageH - d.margin
	}
	return d.pageH - d.margin - footerHeight
}

// Fits reports whether h mm of content fits below the cursor on this page.
func (d *Doc) Fits(h float64) bool { return d.Y()+h <= d.bottom() }

// Ensure starts a new page unless h mm fit below the cursor. Content taller
// than a whole page is drawn from the top of a fresh page and overflows.
func (d *Doc) Ensure(h float64) {
	if !d.inCols && !d.Fits(h) && d.Y() > d.margin+0.01 {
		d.f.AddPage()
		d.aside = 0
		d.SetY(d.margin)
	}
}

// LineHeight is the height of one line of text of the given size (0: body).
func (d *Doc) LineHeight(size float64) float64 {
	if size <= 0 {
		size = d.base
	}
	return size * ptToMM * 1.25
}

// font selects the face and size of st. Each embedded face costs several
// milliseconds to parse and subset, so the bold face is registered on first
// use, and italic is drawn as the regular face slanted (see put) rather
// than with a third font.
func (d *Doc) font(st Style) {
	style := ""
	if st.Bold {
		style = "B"
		if !d.bold {
			d.f.AddUTF8FontFromBytes(family, "B", assets.FontBold)
			d.bold = true
		}
	}
	size := st.Size
	if size <= 0 {
		size = d.base
	}
	d.f.SetFont(family, style, size)
}

// obliqueAngle is the slant of italic text, in degrees.
const obliqueAngle = 11

// put draws one line of text in a cell of width w and height h at (x, y),
// aligned "L", "C" or "R", in style st (its font already selected).
func (d *Doc) put(x, y, w, h float64, text string, st Style) {
	d.f.SetXY(x, y)
	if st.Italic && !st.Bold {
		d.f.TransformBegin()
		d.f.TransformSkewX(obliqueAngle, x, y+h*0.75) // lean about the baseline
		d.f.CellFormat(w, h, text, "", 0, align(st.Align), false, 0, "")
		d.f.TransformEnd()
		return
	}
	d.f.CellFormat(w, h, text, "", 0, align(st.Align), false, 0, "")
}

// Wrap splits text into the lines it takes in width w (mm) in style st.
// Line breaks in text are kept; each line is cleaned (domain.Clean).
func (d *Doc) Wrap(text string, st Style, w float64) []string {
	d.font(st)
	var out []string
	for _, para := range strings.Split(text, "\n") {
		para = clean(para)
		if para == "" {
			continue
		}
		out = append(out, d.f.SplitText(para, w)...)
	}
	return out
}

// TextAt draws text wrapped in a box of width w at (x, y) without moving
// the cursor, and returns the height it took.
func (d *Doc) TextAt(x, y, w float64, text string, st Style) float64 {
	cy := d.Y()
	lines := d.Wrap(text, st, w)
	lh := d.LineHeight(st.Size)
	for i, l := range lines {
		d.put(x, y+float64(i)*lh, w, lh, l, st)
	}
	d.SetY(cy)
	return float64(len(lines)) * lh
}

// Text draws a paragraph across the page, wrapped, breaking pages between lines.
func (d *Doc) Text(text string, st Style) {
	lh := d.LineHeight(st.Size)
	for _, l := range d.Wrap(text, st, d.Width()) {
		d.Ensure(lh)
		y := d.Y()
		d.put(d.Left(), y, d.Width(), lh, l, st)
		d.SetY(y + lh)
	}
}

// Heading draws a document title: bold, large, centred.
func (d *Doc) Heading(text string) {
	st := Style{Size: d.base + 5, Bold: true, Align: "C"}
	if d.size.Roll() {
		st.Size = d.base + 3
	}
	d.Ensure(2 * d.LineHeight(st.Size))
	d.Text(text, st)
	d.Space(1)
}

// Subheading draws a section title: bold, a little larger, left.
func (d *Doc) Subheading(text string) {
	st := Style{Size: d.base + 1, Bold: true}
	d.Ensure(d.LineHeight(st.Size) + 2*d.LineHeight(0)) // never alone at the foot of a page
	d.Space(1)
	d.Text(text, st)
	d.Space(0.5)
}

// Row draws a label and its value: on a sheet side by side, the label in
// the label column (see SetLabelWidth) and the value in bold, each wrapped;
// on a roll, where columns are too narrow, as one flowing line
// "Label: value".
func (d *Doc) Row(label, value string) {
	d.RowStyled(label, value, Style{Bold: true})
}

// RowStyled is Row with the value's style chosen.
func (d *Doc) RowStyled(label, value string, st Style) {
	if d.size.Roll() {
		d.Rich(Span{Text: label + ":", Style: Style{Size: min(st.Size, d.base)}}, Span{Text: value, Style: st})
		d.Space(0.3)
		return
	}
	lw := d.labelW
	vw := d.Width() - lw - 1.5
	ls := Style{Size: min(st.Size, d.base)} // a large value keeps a body-size label
	if ls.Size <= 0 {
		ls.Size = d.base
	}
	labels := d.Wrap(label, ls, lw)
	values := d.Wrap(value, st, vw)
	lh, llh := d.LineHeight(st.Size), d.LineHeight(ls.Size)
	h := max(float64(len(labels))*llh, float64(max(len(values), 1))*lh)
	d.Ensure(h)
	y := d.Y()
	// A larger value sits on the label's baseline.
	d.TextAt(d.Left(), y+(lh-llh)*0.7, lw, label, ls)
	d.TextAt(d.Left()+lw+1.5, y, vw, value, st)
	d.SetY(y + h + 0.3)
}

// Span is a piece of running text in one style, for Rich.
type Span struct {
	Text string
	Style
}

// Rich draws spans of different styles as one paragraph, wrapped at word
// boundaries across the width (Align is ignored: text runs from the left).
// Words are separated by one space, also between spans.
func (d *Doc) Rich(spans ...Span) {
	type run struct {
		x    float64
		text string
		st   Style
	}
	var lines [][]run
	var cur []run
	x, w := 0.0, d.Width()
	lh := 0.0
	for _, sp := range spans {
		lh = max(lh, d.LineHeight(sp.Size))
		text := clean(sp.Text)
		if text == "" {
			continue
		}
		d.font(sp.Style)
		space := d.f.GetStringWidth(" ")
		for _, word := range strings.Split(text, " ") {
			ww := d.f.GetStringWidth(word)
			gap := 0.0
			if len(cur) > 0 {
				gap = space
			}
			if len(cur) > 0 && x+gap+ww > w {
				lines, cur, x, gap = append(lines, cur), nil, 0, 0
			}
			if ww > w { // a word wider than the page: cut it
				for _, piece := range d.f.SplitText(word, w) {
					if len(cur) > 0 {
						lines, cur, x = append(lines, cur), nil, 0
					}
					cur = append(cur, run{0, piece, sp.Style})
					x = d.f.GetStringWidth(piece)
				}
				continue
			}
			if n := len(cur); n > 0 && cur[n-1].st == sp.Style {
				cur[n-1].text += " " + word
			} else {
				cur = append(cur, run{x + gap, word, sp.Style})
			}
			x += gap + ww
		}
	}
	if len(cur) > 0 {
		lines = append(lines, cur)
	}
	for _, l := range lines {
		d.Ensure(lh)
		y := d.Y()
		for _, r := range l {
			d.font(r.st)
			st := r.st
			st.Align = "L"
			d.put(d.Left()+r.x, y, d.f.GetStringWidth(r.text), lh, r.text, st)
		}
		d.SetY(y + lh)
	}
}

// Columns draws side by side: each function draws in its own column, all
// starting at the cursor's height, and the cursor ends below the tallest.
// widths are in mm (0: share what the others leave); a gap of 4 mm
// separates the columns. A column cannot break across pages, so Columns
// first starts a new page unless need mm fit.
func (d *Doc) Columns(need float64, widths []float64, draw ...func(d *Doc) error) error {
	if len(widths) != len(draw) {
		return fmt.Errorf("receipt: Columns: %d widths for %d columns", len(widths), len(draw))
	}
	const gap = 4.0
	d.Ensure(need)
	cols := make([]Column, len(widths))
	for i, w := range widths {
		cols[i].Width = w
	}
	saveLeft, saveRight, saveCols := d.left, d.right, d.inCols
	total := d.Width()
	ws := d.widths(cols)
	scale := 1.0
	if sum := sumOf(ws) + gap*float64(len(ws)-1); sum > total && sum > 0 {
		scale = (total - gap*float64(len(ws)-1)) / sumOf(ws)
	}
	top, bottom := d.Y(), d.Y()
	off := 0.0
	for i, fn := range draw {
		w := ws[i] * scale
		d.left = saveLeft + off
		d.right = saveRight + (total - off - w)
		d.inCols = true
		d.SetY(top)
		err := fn(d)
		bottom = max(bottom, d.Y())
		off += w + gap
		if err != nil {
			d.left, d.right, d.inCols = saveLeft, saveRight, saveCols
			return err
		}
	}
	d.left, d.right, d.inCols = saveLeft, saveRight, saveCols
	d.SetY(bottom)
	return nil
}

func sumOf(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}

// Rule draws a thin line across the page, with a little room around it.
func (d *Doc) Rule() {
	d.Ensure(2)
	y := d.Y() + 1
	d.f.Line(d.Left(), y, d.Left()+d.Width(), y)
	d.SetY(y + 1)
}

// CutLine draws a dashed line across the page: where to tear or cut.
func (d *Doc) CutLine() {
	d.Ensure(3)
	y := d.Y() + 1.5
	d.f.SetDashPattern([]float64{1.2, 1}, 0)
	d.f.Line(d.Left(), y, d.Left()+d.Width(), y)
	d.f.SetDashPattern(nil, 0)
	d.SetY(y + 1.5)
}

// Letterhead draws two blocks of centred lines side by side, as Vietnamese
// official papers open: the issuing unit on the left, the national motto
// on the right. Each block's last line is underlined with a short rule.
// On a roll the blocks are stacked.
func (d *Doc) Letterhead(left, right []Line) {
	if d.size.Roll() {
		for _, block := range [][]Line{left, right} {
			for _, l := range block {
				st := l.Style
				st.Align = "C"
				d.Text(l.Text, st)
			}
		}
		d.Space(1)
		return
	}
	leftW := d.Width() * 0.44
	rightW := d.Width() - leftW
	y := d.Y()
	h1 := d.block(d.Left(), y, leftW, left)
	h2 := d.block(d.Left()+leftW, y, rightW, right)
	d.SetY(y + max(h1, h2) + 2)
}

// block draws centred lines in a box and a short rule under the last one.
func (d *Doc) block(x, y, w float64, lines []Line) float64 {
	h := 0.0
	lastW := 0.0
	for _, l := range lines {
		st := l.Style
		st.Align = "C"
		h += d.TextAt(x, y+h, w, l.Text, st)
		d.font(st)
		lastW = min(d.f.GetStringWidth(clean(l.Text)), w)
	}
	if len(lines) > 0 && lastW > 0 {
		rw := lastW * 0.6
		d.f.Line(x+(w-rw)/2, y+h+0.6, x+(w+rw)/2, y+h+0.6)
		h += 1
	}
	return h
}

// Table draws a table with a bold header row, wrapping each cell in its
// column. A row never splits across pages; the header is drawn again at
// the top of each new page. rows hold one string per column.
func (d *Doc) Table(cols []Column, rows [][]string) {
	if len(cols) == 0 {
		return
	}
	widths := d.widths(cols)
	const pad, vpad = 1.0, 0.35
	st := Style{Size: d.base - 0.5}
	if d.size.Roll() {
		st.Size = d.base - 0.5
	}
	head := Style{Size: st.Size, Bold: true, Align: "C"}
	lh := d.LineHeight(st.Size)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.Title
	}
	drawRow := func(cells []string, st Style, fill bool) {
		lines := make([][]string, len(cols))
		n := 1
		for i := range cols {
			if i < len(cells) {
				lines[i] = d.Wrap(cells[i], st, widths[i]-2*pad)
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lh + 2*vpad
		y := d.Y()
		x := d.Left()
		for i := range cols {
			if fill && !d.size.Roll() {
				d.f.SetFillColor(232, 232, 232)
				d.f.Rect(x, y, widths[i], h, "FD")
			} else {
				d.f.Rect(x, y, widths[i], h, "D")
			}
			d.font(st)
			a := st.Align
			if a == "" {
				a = cols[i].Align
			}
			cell := st
			cell.Align = a
			for j, l := range lines[i] {
				d.put(x+pad, y+vpad+float64(j)*lh, widths[i]-2*pad, lh, l, cell)
			}
			x += widths[i]
		}
		d.SetY(y + h)
	}
	rowHeight := func(cells []string, st Style) float64 {
		n := 1
		for i := range cols {
			if i < len(cells) {
				n = max(n, len(d.Wrap(cells[i], st, widths[i]-2*pad)))
			}
		}
		return float64(n)*lh + 2*vpad
	}
	hh := rowHeight(header, head)
	first := lh * 2
	if len(rows) > 0 {
		first = rowHeight(rows[0], st)
	}
	d.Ensure(hh + first)
	drawRow(header, head, true)
	for _, r := range rows {
		h := rowHeight(r, st)
		if !d.Fits(h) {
			page := d.f.PageNo()
			d.Ensure(hh + h)
			if d.f.PageNo() != page { // not inside Columns, where pages do not break
				drawRow(header, head, true)
			}
		}
		drawRow(r, st, false)
	}
	d.Space(1)
}

// widths resolves the columns' widths to fill the page width.
func (d *Doc) widths(cols []Column) []float64 {
	out := make([]float64, len(cols))
	fixed, free := 0.0, 0
	for i, c := range cols {
		out[i] = c.Width
		if c.Width > 0 {
			fixed += c.Width
		} else {
			free++
		}
	}
	if free > 0 {
		share := max((d.Width()-fixed)/float64(free), 8)
		for i := range out {
			if out[i] == 0 {
				out[i] = share
			}
		}
	}
	return out
}

// Signatures draws signature boxes side by side across the page: each with
// its title, note, room to sign (height mm; 0: 18) and the printed name.
func (d *Doc) Signatures(height float64, boxes ...Signature) {
	if len(boxes) == 0 {
		return
	}
	if height <= 0 {
		height = 18
	}
	w := d.Width() / float64(len(boxes))
	title := Style{Bold: true, Align: "C"}
	note := Style{Italic: true, Align: "C", Size: d.base - 1}
	name := Style{Bold: true, Align: "C"}
	measure := func(b Signature) (float64, float64) {
		top := float64(len(d.Wrap(b.Title, title, w-2)))*d.LineHeight(0) +
			float64(len(d.Wrap(b.Note, note, w-2)))*d.LineHeight(note.Size)
		return top, float64(len(d.Wrap(b.Name, name, w-2))) * d.LineHeight(0)
	}
	topH, nameH := 0.0, 0.0
	for _, b := range boxes {
		t, n := measure(b)
		topH, nameH = max(topH, t), max(nameH, n)
	}
	d.Ensure(topH + height + nameH + 1)
	y := d.Y()
	for i, b := range boxes {
		x := d.Left() + float64(i)*w + 1
		h := d.TextAt(x, y, w-2, b.Title, title)
		d.TextAt(x, y+h, w-2, b.Note, note)
		d.TextAt(x, y+topH+height, w-2, b.Name, name)
	}
	d.SetY(y + topH + height + nameH + 1)
}

// Image draws a PNG at the cursor, w mm wide (height by its aspect),
// aligned "L", "C" or "R", and moves the cursor below it.
func (d *Doc) Image(png []byte, w float64, alignment string) error {
	info, name, err := d.register(png)
	if err != nil {
		return err
	}
	h := w * info.Height() / info.Width()
	d.Ensure(h)
	x := d.Left()
	switch alignment {
	case "C":
		x += (d.Width() - w) / 2
	case "R":
		x += d.Width() - w
	}
	y := d.Y()
	d.f.ImageOptions(name, x, y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	d.SetY(y + h)
	return nil
}

// ImageAt draws a PNG w mm wide with its top-left corner at (x, y), without
// moving the cursor, and returns its height.
func (d *Doc) ImageAt(png []byte, x, y, w float64) (float64, error) {
	info, name, err := d.register(png)
	if err != nil {
		return 0, err
	}
	h := w * info.Height() / info.Width()
	d.f.ImageOptions(name, x, y, w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	d.SetY(d.Y()) // ImageOptions leaves x where it was; keep the cursor at the margin
	return h, nil
}

func (d *Doc) register(png []byte) (*fpdf.ImageInfoType, string, error) {
	d.images++
	name := "img" + strconv.Itoa(d.images)
	info := d.f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	if d.f.Err() || info == nil {
		err := d.f.Error()
		if err == nil {
			err = errors.New("unreadable image")
		}
		return nil, "", fmt.Errorf("receipt: image: %w", err)
	}
	return info, name, nil
}

// QR draws the QR code of text, w mm wide (quiet zone included), at the
// cursor, aligned "L", "C" or "R", and moves the cursor below it.
func (d *Doc) QR(text string, w float64, alignment string) error {
	png, err := QRPNG(text)
	if err != nil {
		return err
	}
	return d.Image(png, w, alignment)
}

// Clean prepares text for the PDF: domain.Clean (NFC, one space between
// words), and every character beyond the Basic Multilingual Plane (emoji,
// rare CJK) replaced by "?", because fpdf's glyph tables stop there.
func Clean(s string) string { return clean(s) }

func clean(s string) string {
	s = domain.Clean(s)
	astral := false
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xF0 { // lead byte of a 4-byte UTF-8 sequence
			astral = true
			break
		}
	}
	if !astral {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r = '?'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func align(a string) string {
	switch a {
	case "C", "R":
		return a
	}
	return "L"
}

package app

// A signature drawn on screen with the mouse, a touch pad or a finger: the
// strokes are kept as points and drawn as lines; PNG rasterises them on a
// white background for the proofs folder.

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// signaturePad captures strokes.
type signaturePad struct {
	widget.BaseWidget
	strokes  [][]fyne.Position
	cur      []fyne.Position
	OnChange func()
}

func newSignaturePad() *signaturePad {
	p := &signaturePad{}
	p.ExtendBaseWidget(p)
	return p
}

// Dragged adds a point to the stroke being drawn.
func (p *signaturePad) Dragged(e *fyne.DragEvent) {
	if len(p.cur) == 0 {
		// The drag starts where the pointer was before this move.
		p.cur = append(p.cur, e.Position.Subtract(e.Dragged))
	}
	p.cur = append(p.cur, e.Position)
	p.Refresh()
}

// DragEnd finishes the stroke.
func (p *signaturePad) DragEnd() {
	if len(p.cur) > 1 {
		p.strokes = append(p.strokes, p.cur)
	}
	p.cur = nil
	p.Refresh()
	if p.OnChange != nil {
		p.OnChange()
	}
}

// Empty reports whether nothing was drawn.
func (p *signaturePad) Empty() bool { return len(p.strokes) == 0 && len(p.cur) < 2 }

// Clear wipes the pad.
func (p *signaturePad) Clear() {
	p.strokes, p.cur = nil, nil
	p.Refresh()
	if p.OnChange != nil {
		p.OnChange()
	}
}

func (p *signaturePad) all() [][]fyne.Position {
	out := p.strokes
	if len(p.cur) > 1 {
		out = append(out[:len(out):len(out)], p.cur)
	}
	return out
}

// PNG draws the strokes black on white at twice the pad's size.
func (p *signaturePad) PNG() ([]byte, error) {
	size := p.Size()
	if size.Width < 1 || size.Height < 1 {
		size = p.MinSize()
	}
	const scale = 2.0
	w, h := int(size.Width*scale), int(size.Height*scale)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	ink := color.RGBA{A: 0xff}
	const radius = 2.0
	dot := func(cx, cy float64) {
		for y := int(cy - radius); y <= int(cy+radius); y++ {
			for x := int(cx - radius); x <= int(cx+radius); x++ {
				if x >= 0 && y >= 0 && x < w && y < h && math.Hypot(float64(x)-cx, float64(y)-cy) <= radius {
					img.SetRGBA(x, y, ink)
				}
			}
		}
	}
	for _, s := range p.all() {
		for i := 1; i < len(s); i++ {
			x0, y0 := float64(s[i-1].X)*scale, float64(s[i-1].Y)*scale
			x1, y1 := float64(s[i].X)*scale, float64(s[i].Y)*scale
			steps := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0))) + 1
			for k := 0; k <= steps; k++ {
				f := float64(k) / float64(steps)
				dot(x0+(x1-x0)*f, y0+(y1-y0)*f)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (p *signaturePad) MinSize() fyne.Size { return fyne.NewSize(360, 120) }

func (p *signaturePad) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.White)
	bg.StrokeColor = theme.Color(theme.ColorNameInputBorder)
	bg.StrokeWidth = 1
	r := &signatureRenderer{p: p, bg: bg}
	r.Refresh()
	return r
}

type signatureRenderer struct {
	p     *signaturePad
	bg    *canvas.Rectangle
	lines []fyne.CanvasObject
}

func (r *signatureRenderer) Layout(size fyne.Size) { r.bg.Resize(size) }

func (r *signatureRenderer) MinSize() fyne.Size { return r.p.MinSize() }

func (r *signatureRenderer) Refresh() {
	r.lines = r.lines[:0]
	for _, s := range r.p.all() {
		for i := 1; i < len(s); i++ {
			l := canvas.NewLine(color.Black)
			l.StrokeWidth = 2
			l.Position1, l.Position2 = s[i-1], s[i]
			r.lines = append(r.lines, l)
		}
	}
	r.bg.Refresh()
}

func (r *signatureRenderer) Objects() []fyne.CanvasObject {
	return append([]fyne.CanvasObject{r.bg}, r.lines...)
}

func (r *signatureRenderer) Destroy() {}

package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"sync"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/domain"
)

// The month-by-month trend of the three figures, drawn with gonum/plot in
// the embedded Noto Sans (every Vietnamese diacritic) and written as PNG —
// shown on the Reports screen and embedded in the PDF and the XLSX.

var (
	noto     = font.Font{Typeface: "PostDeskNoto"}
	notoOnce sync.Once
	notoErr  error
)

// registerFont adds Noto Sans to gonum/plot's font cache, once.
func registerFont() error {
	notoOnce.Do(func() {
		regular, err := opentype.Parse(assets.FontRegular)
		if err != nil {
			notoErr = err
			return
		}
		bold, err := opentype.Parse(assets.FontBold)
		if err != nil {
			notoErr = err
			return
		}
		b := noto
		b.Weight = 700 // font.WeightBold of x/image
		font.DefaultCache.Add(font.Collection{{Font: noto, Face: regular}, {Font: b, Face: bold}})
	})
	return notoErr
}

// chartColors are the three figures' colours (colour-blind safe).
var chartColors = []color.RGBA{{0x00, 0x72, 0xB2, 0xFF}, {0xD5, 0x5E, 0x00, 0xFF}, {0x00, 0x9E, 0x73, 0xFF}}

// ChartSize is the chart's size; the PNG is drawn at ChartDPI.
const (
	ChartWidthMM  = 180
	ChartHeightMM = 90
	ChartDPI      = 150
)

// FigureLabel is the short label of figure k in lang.
func FigureLabel(lang *i18n.Catalog, k domain.FigureKind) string {
	return lang.T("report.figure." + string(k))
}

// Chart draws the trend of r as a PNG: one line per figure (a month
// without totals leaves a gap in lines 2 and 3), each target dashed in its
// figure's colour, the legend below. Months after the report's month
// are left blank.
func Chart(r *Report, lang *i18n.Catalog) ([]byte, error) {
	if lang == nil {
		lang = i18n.Current()
	}
	if err := registerFont(); err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	p := plot.New()
	style := func(size vg.Length) font.Font { return font.From(noto, size) }
	p.Title.Text = lang.T("report.chart.title")
	p.Title.TextStyle.Font = style(11)
	p.Y.Label.Text = lang.T("report.chart.y")
	p.Y.Label.TextStyle.Font = style(9)
	p.X.Label.TextStyle.Font = style(9)
	p.X.Tick.Label.Font = style(8)
	p.Y.Tick.Label.Font = style(8)
	p.Legend.TextStyle.Font = style(8)

	n := len(r.Trend)
	names := make([]string, n)
	for i, m := range r.Trend {
		names[i] = m.Month.Label()
		if n > 8 && len(names[i]) == 7 { // "03/2026" → "03/26" when months are many
			names[i] = names[i][:3] + names[i][5:]
		}
	}
	if n == 0 {
		names = []string{""}
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())

	ymax := 10.0
	legend := plot.NewLegend()
	legend.TextStyle.Font = style(8)
	legend.Left = true
	legend.Top = true
	var dash *plotter.Line
	for fi, k := range domain.FigureKinds {
		col := chartColors[fi]
		var seg plotter.XYs
		var first plot.Thumbnailer
		flush := func() error {
			if len(seg) == 0 {
				return nil
			}
			l, s, err := plotter.NewLinePoints(seg)
			if err != nil {
				return err
			}
			l.Color, l.Width = col, vg.Points(1.8)
			s.Color, s.Shape, s.Radius = col, draw.CircleGlyph{}, vg.Points(2.2)
			p.Add(l, s)
			if first == nil {
				first = l
			}
			seg = nil
			return nil
		}
		for i, m := range r.Trend {
			f := figureOf(m.Figures, k)
			pct, ok := f.Percent()
			if !ok || m.Future {
				if err := flush(); err != nil {
					return nil, err
				}
				continue
			}
			seg = append(seg, plotter.XY{X: float64(i), Y: pct})
			ymax = math.Max(ymax, pct)
		}
		if err := flush(); err != nil {
			return nil, err
		}
		target := r.Targets.Target(k)
		ymax = math.Max(ymax, target)
		tl, err := plotter.NewLine(plotter.XYs{{X: -0.4, Y: target}, {X: math.Max(float64(n)-0.6, 0.4), Y: target}})
		if err != nil {
			return nil, err
		}
		tl.Color = color.RGBA{col.R, col.G, col.B, 0xA0}
		tl.Width = vg.Points(1)
		tl.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(tl)
		if first == nil {
			first = tl
		}
		legend.Add(lang.Tf("report.chart.legend", map[string]string{"N": fmt.Sprint(fi + 1),
			"Label": FigureLabel(lang, k), "Target": domain.FormatPercent(target)}), first)
		if dash == nil {
			dash = tl
		}
	}
	if dash != nil {
		grey := *dash
		grey.Color = color.Gray{0x80}
		legend.Add(lang.T("report.chart.dashed"), &grey)
	}
	p.Y.Min = 0
	p.Y.Max = math.Ceil(ymax*1.12/10) * 10
	p.X.Min, p.X.Max = -0.5, math.Max(float64(n)-0.5, 0.5)

	w, h := vg.Length(ChartWidthMM)*vg.Millimeter, vg.Length(ChartHeightMM)*vg.Millimeter
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(ChartDPI))
	dc := draw.New(c)
	legendH := 20 * vg.Millimeter
	p.Draw(draw.Crop(dc, 0, 0, legendH, 0))
	legend.Draw(draw.Crop(dc, 14*vg.Millimeter, 0, 0, -(h - legendH)))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func figureOf(fs []domain.Figure, k domain.FigureKind) domain.Figure {
	for _, f := range fs {
		if f.Kind == k {
			return f
		}
	}
	return domain.Figure{Kind: k}
}

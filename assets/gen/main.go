// Command gen draws the PostDesk application icon (assets/icon.png): a
// rounded square in Vietnam Post yellow holding a white envelope outlined in
// green. It uses only the standard library, and its output is deterministic,
// so the committed PNG can be regenerated and compared byte for byte:
//
//	go run ./assets/gen -o assets/icon.png
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 512

var (
	yellow = color.NRGBA{0xF9, 0xB8, 0x00, 0xFF} // Vietnam Post yellow
	green  = color.NRGBA{0x00, 0x6B, 0x3F, 0xFF} // Vietnam Post green
	white  = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
)

// roundedRect reports the signed distance from p to a rounded rectangle
// (negative inside).
func roundedRect(px, py, x0, y0, x1, y1, r float64) float64 {
	cx, cy := (x0+x1)/2, (y0+y1)/2
	hx, hy := (x1-x0)/2-r, (y1-y0)/2-r
	qx, qy := math.Abs(px-cx)-hx, math.Abs(py-cy)-hy
	outside := math.Hypot(math.Max(qx, 0), math.Max(qy, 0))
	inside := math.Min(math.Max(qx, qy), 0)
	return outside + inside - r
}

// segment reports the distance from p to the segment a–b.
func segment(px, py, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := ((px-ax)*dx + (py-ay)*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(px-(ax+t*dx), py-(ay+t*dy))
}

// shade returns the colour of the emblem at a point, or ok=false outside it.
func shade(x, y float64) (c color.NRGBA, ok bool) {
	if roundedRect(x, y, 16, 16, 496, 496, 104) > 0 {
		return c, false
	}
	// Envelope: green body with a white inset, then a green V-shaped flap.
	const ex0, ey0, ex1, ey1 = 88, 140, 424, 372
	const border = 18
	if d := roundedRect(x, y, ex0, ey0, ex1, ey1, 30); d <= 0 {
		if d > -border {
			return green, true
		}
		if segment(x, y, ex0+border, ey0+border, 256, 272) <= 10 ||
			segment(x, y, 256, 272, ex1-border, ey0+border) <= 10 {
			return green, true
		}
		return white, true
	}
	return yellow, true
}

// draw renders the icon with 4×4 supersampling for smooth edges.
func draw() *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for py := 0; py < size; py++ {
		for px := 0; px < size; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := float64(px) + (float64(sx)+0.5)/ss
					y := float64(py) + (float64(sy)+0.5)/ss
					if c, ok := shade(x, y); ok {
						r += float64(c.R)
						g += float64(c.G)
						b += float64(c.B)
						a++
					}
				}
			}
			if a == 0 {
				continue
			}
			// Straight (non-premultiplied) colour: average over covered samples.
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	return img
}

func main() {
	out := flag.String("o", "icon.png", "output PNG file")
	flag.Parse()
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, draw()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

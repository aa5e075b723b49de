package app

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/software"
)

// antialiasLevels is how far (of 255) a colour channel may stray from the
// golden image: the software painter's glyph edges came out a few levels
// apart in one CI run (bold headings, at most 5), a changed text or layout
// moves whole glyphs and differs by far more.
const antialiasLevels = 16

// assertLooksLike renders o as test.AssertObjectRendersToImage does and
// compares it with testdata/golden, pixel by pixel, allowing antialiasing
// noise; on a difference the rendering is written to testdata/failed/golden
// (copy it over the golden after an intended change).
func assertLooksLike(t *testing.T, golden string, o fyne.CanvasObject) {
	t.Helper()
	c := software.NewCanvas()
	c.SetPadded(false)
	size := o.MinSize().Max(o.Size())
	c.SetContent(o)
	c.Resize(size)
	got := c.Capture()
	failed := func(format string, args ...any) {
		t.Helper()
		path := filepath.Join("testdata", "failed", golden)
		os.MkdirAll(filepath.Dir(path), 0o755)
		if f, err := os.Create(path); err == nil {
			png.Encode(f, got)
			f.Close()
		}
		t.Errorf(golden+": "+format+" (the rendering is in "+path+")", args...)
	}
	f, err := os.Open(filepath.Join("testdata", golden))
	if err != nil {
		failed("no golden image: %v", err)
		return
	}
	defer f.Close()
	want, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", golden, err)
	}
	if got.Bounds().Size() != want.Bounds().Size() {
		failed("rendered %v, the golden image is %v", got.Bounds().Size(), want.Bounds().Size())
		return
	}
	differ, first := 0, image.Point{}
	wb, gb := want.Bounds(), got.Bounds()
	for y := 0; y < wb.Dy(); y++ {
		for x := 0; x < wb.Dx(); x++ {
			if !closeColours(want.At(wb.Min.X+x, wb.Min.Y+y), got.At(gb.Min.X+x, gb.Min.Y+y)) {
				if differ == 0 {
					first = image.Pt(x, y)
				}
				differ++
			}
		}
	}
	if differ > 0 {
		failed("%d pixels differ by more than %d levels, the first at %v", differ, antialiasLevels, first)
	}
}

func closeColours(a, b interface{ RGBA() (r, g, b, a uint32) }) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	for _, d := range [][2]uint32{{ar, br}, {ag, bg}, {ab, bb}, {aa, ba}} {
		x, y := d[0]>>8, d[1]>>8
		if x > y+antialiasLevels || y > x+antialiasLevels {
			return false
		}
	}
	return true
}

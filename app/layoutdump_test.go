package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// TestLayoutDumpSaysWhatDoesNotFit: the dump the real-binary test reads
// (internal/screentest) names content wider than the window and siblings
// that overlap, and says nothing of a screen that fits.
func TestLayoutDumpSaysWhatDoesNotFit(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	path := filepath.Join(t.TempDir(), "layout.jsonl")
	u.Win.Resize(fyne.NewSize(1024, 768))
	u.Show("intake")
	u.dumpLayout(path, 1, "intake")

	wide := canvas.NewRectangle(nil)
	wide.SetMinSize(fyne.NewSize(1500, 40))
	broken := container.New(badLayout{}, widget.NewLabel("một"), widget.NewLabel("hai"), widget.NewLabel("ba"))
	u.Win.SetContent(container.NewVBox(wide, broken))
	u.Win.Resize(fyne.NewSize(1024, 768))
	u.dumpLayout(path, 2, "broken")

	b2, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b2)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d records, want 2:\n%s", len(lines), b2)
	}
	var ok, bad LayoutRecord
	if json.Unmarshal([]byte(lines[0]), &ok) != nil || json.Unmarshal([]byte(lines[1]), &bad) != nil {
		t.Fatalf("records do not decode:\n%s", b2)
	}
	if ok.What != "intake" || len(ok.Misfits) != 0 || ok.Needs[0] > ok.Canvas[0] {
		t.Errorf("the intake screen at 1024×768: %+v", ok)
	}
	if bad.Needs[0] < 1500 || bad.Needs[0] <= bad.Canvas[0] {
		t.Errorf("content 1500 px wide: needs %v", bad.Needs)
	}
	var outside, overlap bool
	for _, m := range bad.Misfits {
		outside = outside || strings.Contains(m.What, "outside the window")
		overlap = overlap || strings.Contains(m.What, "overlaps")
	}
	if !outside || !overlap {
		t.Errorf("misfits %+v: want one outside the window and one overlap", bad.Misfits)
	}
}

// badLayout puts its second object over the first and its third past the
// right edge of a 1024 px window.
type badLayout struct{}

func (badLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(10, 40) }

func (badLayout) Layout(objs []fyne.CanvasObject, _ fyne.Size) {
	for i, o := range objs {
		o.Resize(fyne.NewSize(200, 40))
		o.Move(fyne.NewPos([]float32{0, 100, 1100}[i], 0))
	}
}

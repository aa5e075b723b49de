package app

// The layout dump, for tests that drive the real binary (on a virtual X
// display): with POSTDESK_LAYOUT_DUMP=<file> set, each time a screen or a
// dialog is shown the app appends one JSON line to the file, once the
// window has laid it out — what is shown, the window's size, the size its
// content needs, and what does not fit (layoutMisfits over the window's
// containers: an object outside the window, overlapping a sibling,
// squeezed, or scrolling sideways). Without the variable nothing is done.

import (
	"encoding/json"
	"os"
	"time"

	"fyne.io/fyne/v2"

	"postdesk/internal/atomicfile"
)

// LayoutDumpEnv names the file the dump goes to.
const LayoutDumpEnv = "POSTDESK_LAYOUT_DUMP"

// layoutDumpDelay lets the window lay out and draw what was just shown.
const layoutDumpDelay = 700 * time.Millisecond

// LayoutRecord is one line of the dump.
type LayoutRecord struct {
	Seq     int      `json:"seq"`
	What    string   `json:"what"`    // the screen's ID, "signin", "setup", or "dialog:<title>"
	Canvas  [2]int   `json:"canvas"`  // the window's content area, px
	Needs   [2]int   `json:"needs"`   // the content's minimum size, px
	Misfits []Misfit `json:"misfits"` // what does not fit
	// BackupError is the automatic backup's failure the status bar shows
	// in red ("" when none).
	BackupError string    `json:"backup_error,omitempty"`
	At          time.Time `json:"at"`
}

// Misfit is one thing that does not fit, as the dump writes it.
type Misfit struct {
	Path string `json:"path"`
	What string `json:"what"`
}

// dumpLayoutLater appends the layout of what was just shown to the dump
// file, after the window has drawn it.
func (u *UI) dumpLayoutLater(what string) {
	path := os.Getenv(LayoutDumpEnv)
	if path == "" {
		return
	}
	u.dumpSeq++
	seq := u.dumpSeq
	time.AfterFunc(layoutDumpDelay, func() {
		fyne.Do(func() { u.dumpLayout(path, seq, what) })
	})
}

func (u *UI) dumpLayout(path string, seq int, what string) {
	c := u.Win.Canvas()
	size := c.Size()
	rec := LayoutRecord{Seq: seq, What: what, Canvas: [2]int{int(size.Width), int(size.Height)}, At: time.Now(),
		BackupError: u.backupErr}
	if content := c.Content(); content != nil {
		m := content.MinSize()
		rec.Needs = [2]int{int(m.Width + 0.5), int(m.Height + 0.5)}
		for _, f := range layoutMisfits(content, fyne.NewPos(0, 0), size, children) {
			rec.Misfits = append(rec.Misfits, Misfit{Path: f.path, What: f.what})
		}
	}
	for _, ov := range c.Overlays().List() {
		for _, f := range layoutMisfits(ov, ov.Position(), size, children) {
			rec.Misfits = append(rec.Misfits, Misfit{Path: f.path, What: f.what})
		}
	}
	line, err := json.Marshal(rec)
	if err != nil {
		fyne.LogError("layout dump", err)
		return
	}
	// The whole dump is rewritten each time (through atomicfile): a test
	// reading it never sees half a line.
	u.dumpLines = append(u.dumpLines, append(line, '\n')...)
	if err := atomicfile.WriteBytes(path, 0o600, u.dumpLines); err != nil {
		fyne.LogError("layout dump", err)
	}
}

package hubweb

import (
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	t.Setenv("GOGC", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	restore := TuneGC()
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Fatalf("after TuneGC the collector's target is %d, want %d", got, GCPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after restore the target is %d, want 100", got)
	}

	t.Setenv("GOGC", "50") // the operator's choice: left alone
	debug.SetGCPercent(50)
	TuneGC()()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Fatalf("with GOGC set TuneGC changed the target to %d", got)
	}
}

package hubweb

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	restore := TuneGC()
	if got := debug.SetGCPercent(GCPercent); got != GCPercent {
		t.Fatalf("after TuneGC the collector's target is %d, want %d", got, GCPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != MemoryLimit {
		t.Fatalf("after TuneGC the memory limit is %d, want %d", got, MemoryLimit)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("after restore the target is %d, want 100", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("after restore the memory limit is %d", got)
	}

	for _, env := range []string{"GOGC", "GOMEMLIMIT"} { // the operator's choice: left alone
		t.Setenv("GOGC", "")
		t.Setenv("GOMEMLIMIT", "")
		t.Setenv(env, "50")
		debug.SetGCPercent(50)
		TuneGC()()
		if got := debug.SetGCPercent(100); got != 50 {
			t.Fatalf("with %s set TuneGC changed the target to %d", env, got)
		}
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Fatalf("with %s set TuneGC set a memory limit of %d", env, got)
		}
	}
}

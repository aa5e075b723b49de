package e2e

import (
	"testing"
	"time"

	"postdesk/internal/hub/hubtest"
)

// TestDayOver2G: a day's work at one post point (50 dossiers taken and
// handed over: 100 events) syncs over a simulated 2G link — 64 kbit/s each
// way and 300 ms round trip, through a throttling proxy — in at most 10 s,
// with the real binary (health probe, push, ack, pull).
func TestDayOver2G(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	px := newProxy(t, h.addr)
	d := newDevice(t, dir, "600940", "A", 0, 40)
	d.enroll(h, px.URL())
	d.syncUntilQuiet() // the first sync of the empty post point
	d.work(50)
	px.throttle(64000/8, 150*time.Millisecond) // 8,000 bytes/s, 150 ms each way
	up0, down0 := px.up.Load(), px.down.Load()
	start := time.Now()
	if err := d.sync(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	up, down := px.up.Load()-up0, px.down.Load()-down0
	t.Logf("a day (50 dossiers, 100 events) over 64 kbit/s, 300 ms RTT: %.2f s; %d bytes up, %d down (%.0f bytes/event up)",
		took.Seconds(), up, down, float64(up)/100)
	if took > 10*time.Second {
		t.Fatalf("took %v, want ≤ 10 s", took)
	}
	px.throttle(0, 0)
	assertExactlyOnce(t, hubPath, d)
}

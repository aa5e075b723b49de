package hubstore_test

import (
	"testing"
	"time"

	"postdesk/internal/hub/hubtest"
)

// BenchmarkIngest: the hub's side alone (parse, verify, decode, store,
// project, ack) for batches of 5,000 demo-like events; reports events/s.
func BenchmarkIngest(b *testing.B) {
	d := hubtest.NewDevice(b, "600900", "A")
	for len(d.Events) < 50000 {
		id := d.Intake()
		d.Handover(id)
		d.Add("dossier.accept", id, map[string]any{"official_code": "000.00.20.H21-260302-0001", "due_date": time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)})
		d.Add("dossier.result_ready", id, nil)
	}
	var envs [][]byte
	for from := int64(1); from <= int64(len(d.Events)); from += 5000 {
		envs = append(envs, d.Batch(b, from, min(from+4999, int64(len(d.Events)))))
	}
	b.ResetTimer()
	var events int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		h := hubtest.Open(b)
		d.Enroll(b, h)
		b.StartTimer()
		start := time.Now()
		for _, e := range envs {
			if _, err := h.ReceiveBatch(ctx, e, "http"); err != nil {
				b.Fatal(err)
			}
		}
		elapsed += time.Since(start)
		events += len(d.Events)
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
}

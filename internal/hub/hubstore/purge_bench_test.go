package hubstore_test

import (
	"fmt"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
)

// BenchmarkHubPurge: the hub's retention over 2,000 cancelled dossiers
// (intake, a note, cancel: three events, two of them redacted), each purged
// in its own transaction, then the VACUUM (README Performance). One op = one
// purge of them all; ms/dossier and CPU ms/dossier (the process's user and
// system time, 0 where it cannot be read) are reported, the VACUUM shared
// among the dossiers.
func BenchmarkHubPurge(b *testing.B) {
	const n = 2000
	var elapsed, cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s := hubtest.Open(b)
		d := hubtest.NewDevice(b, "600900", "A")
		d.Enroll(b, s)
		d.Clock = time.Date(2024, 3, 2, 1, 0, 0, 0, time.UTC)
		for i := 0; i < n; i++ {
			id := d.IntakeOf(domain.Person{FullName: fmt.Sprintf("Nguyễn Văn Số %d", i), IDNumber: fmt.Sprintf("0643%08d", i),
				IDType: domain.IDCCCD, Phone: "0905123456", Address: "Làng Plei Ơi"})
			d.Add(domain.KindNote, id, domain.NotePayload{Text: "gọi trước"})
			d.Add(domain.KindCancel, id, domain.ReasonPayload{Reason: "rút"})
		}
		for from := int64(1); from <= int64(len(d.Events)); from += 3000 {
			if _, err := s.ReceiveBatch(ctx, d.Batch(b, from, min(from+2999, int64(len(d.Events)))), "http"); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.SetHubRetentionDays(ctx, 365); err != nil {
			b.Fatal(err)
		}
		u0 := cpuTime()
		t0 := time.Now()
		b.StartTimer()
		rep, err := s.Purge(ctx, false)
		b.StopTimer()
		elapsed += time.Since(t0)
		cpu += cpuTime() - u0
		if err != nil || len(rep.Dossiers) != n {
			b.Fatalf("purged %d: %v", len(rep.Dossiers), err)
		}
		s.Close()
		b.StartTimer()
	}
	runs := float64(b.N * n)
	b.ReportMetric(float64(elapsed.Nanoseconds())/runs/1e6, "ms/dossier")
	b.ReportMetric(float64(cpu.Nanoseconds())/runs/1e6, "cpu-ms/dossier")
}

package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/domain"
)

// BenchmarkPurge: the retention's purge of cancelled dossiers, each in its
// own transaction, then the VACUUM (README Performance). One op = one
// dossier purged (the VACUUM of a 2,000-dossier file shared among them).
func BenchmarkPurge(b *testing.B) {
	const n = 2000
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "purge.db"))
		if err != nil {
			b.Fatal(err)
		}
		clock := time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)
		s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
		if err := s.Setup(ctx, domain.PostPoint{Code: "553140", Name: "Bench"}, "A"); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i++ {
			d, err := s.Intake(ctx, "gdv1", sampleDossier(fmt.Sprintf("Nguyễn Văn Số %d", i), fmt.Sprintf("0643%08d", i), "0905123456"))
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút"}); err != nil {
				b.Fatal(err)
			}
		}
		clock = clock.AddDate(2, 0, 0)
		b.StartTimer()
		rep, err := s.Purge(ctx, "truong", false)
		if err != nil || len(rep.Dossiers) != n {
			b.Fatalf("purged %d: %v", len(rep.Dossiers), err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n)/1e6, "ms/dossier")
}

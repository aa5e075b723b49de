package store_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

var bctx = context.Background()

// BenchmarkIntake records one intake: receipt number, event and projection
// in one transaction with synchronous=FULL (an fsync per save).
func BenchmarkIntake(b *testing.B) {
	dir := os.Getenv("POSTDESK_BENCH_DIR") // under Wine, whose unlink of a closed SQLite file fails TempDir's cleanup
	if dir == "" {
		dir = b.TempDir()
	} else {
		dir, _ = os.MkdirTemp(dir, "intake-")
	}
	s, err := store.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Setup(bctx, domain.PostPoint{Code: "600900", Name: "Bench"}, "A"); err != nil {
		b.Fatal(err)
	}
	d := domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: "1.001193", ProcedureName: "Thủ tục đăng ký khai sinh",
		AgencyCode: "000.01.50.H21", Applicant: domain.Person{FullName: "Nguyễn Thị Hằng", IDNumber: "064190000123", Phone: "0905123456"},
		Place: domain.PlaceCounter, Postage: 15000, ReturnMethod: domain.ReturnByPost,
		Documents: []domain.DocumentItem{{Name: "Tờ khai", Required: true, Received: true, Original: true, Count: 1}}}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := s.Intake(bctx, "gdv1", d); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	// The target is a median: one slow fsync should not hide the usual case.
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkSearch looks dossiers up in a seeded database of
// demo.BenchDossiers() dossiers (200,000 unless POSTDESK_BENCH_DOSSIERS says).
func BenchmarkSearch(b *testing.B) {
	path, err := demo.CachedDB(demo.BenchDossiers())
	if err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// Take real values from a dossier in the middle of the data.
	rows, err := s.Search(bctx, "nguyen", 50)
	if err != nil || len(rows) == 0 {
		b.Fatalf("no sample dossier: %v", err)
	}
	d, err := s.Dossier(bctx, rows[len(rows)/2].ID)
	if err != nil {
		b.Fatal(err)
	}
	queries := map[string]string{
		"name_prefix":    strings.Join(strings.Fields(domain.Fold(d.Applicant.FullName))[:2], " "),
		"citizen_id":     d.Applicant.IDNumber,
		"phone":          d.Applicant.Phone,
		"receipt":        d.ID,
		"receipt_prefix": d.ID[:14],
		// the last two words of the name typed without the space ("hbich")
		"name_no_spaces": domain.CompactKey(strings.Join(lastWords(d.Applicant.FullName, 2), " ")),
		// a common surname's start typed as one compact key: many hits, cut at 50
		"name_no_spaces_common": "nguyenv",
	}
	if d.OfficialCode != "" {
		queries["official_code"] = d.OfficialCode
	}
	for name, q := range queries {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				got, err := s.Search(bctx, q, 50)
				if err != nil || len(got) == 0 {
					b.Fatalf("search %q: %d rows, %v", q, len(got), err)
				}
			}
		})
	}
}

func lastWords(s string, n int) []string {
	w := strings.Fields(s)
	return w[max(len(w)-n, 0):]
}

// BenchmarkDemoSeed seeds demo.BenchDossiers() dossiers into a new database
// per iteration (run with -benchtime=1x) and reports the bytes per dossier.
func BenchmarkDemoSeed(b *testing.B) {
	n := demo.BenchDossiers()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(b.TempDir(), "seed.db")
		s, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		prepare(b, s)
		b.StartTimer()
		if _, err := demo.Seed(bctx, s, demo.Options{Dossiers: n, Seed: 1, Now: time.Date(2026, 11, 25, 12, 0, 0, 0, domain.Zone)}); err != nil {
			b.Fatal(err)
		}
		if err := s.Checkpoint(bctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		fi, _ := os.Stat(path)
		b.ReportMetric(float64(fi.Size())/float64(n), "bytes/dossier")
		s.Close()
		b.StartTimer()
	}
}

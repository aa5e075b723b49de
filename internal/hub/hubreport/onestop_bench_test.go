package hubreport

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/testtool"
)

// The one-stop edge over the report benchmarks' hub of 1,000,000 dossiers
// (report_bench_test.go). Those rows are inserted straight into
// hub_dossiers, so the change feed is filled once the way migration 006
// fills it for dossiers already at a hub: one change each.

func oneStopBenchHub(b *testing.B) *hubstore.Store {
	b.Helper()
	path := reportBenchHub(b, reportBenchDossiers())
	raw := testtool.DB(b, path)
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM onestop_changes").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		if _, err := raw.Exec(`INSERT INTO onestop_changes(dossier, version, state, event, at)
			SELECT id, version, state, '', updated_at FROM hub_dossiers ORDER BY updated_at, id`); err != nil {
			b.Fatal(err)
		}
	}
	h, err := hubstore.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	return h
}

// BenchmarkOneStopExport: a province year in the portal's vocabulary, in
// each format (target ≤ 10 s for 1,000,000 dossiers as XLSX). cpu-s is
// the process's CPU time: on a machine shared with other builds it says
// what the export would cost alone.
func BenchmarkOneStopExport(b *testing.B) {
	h := oneStopBenchHub(b)
	for _, format := range []string{ExportXLSX, ExportCSV, ExportJSON} {
		b.Run(format, func(b *testing.B) {
			out := filepath.Join(b.TempDir(), "hoso-2026."+format)
			var n int
			var took, cpu time.Duration
			for b.Loop() {
				start, cpu0 := time.Now(), cpuTime()
				var err error
				n, err = ExportDossiersFile(context.Background(), h, domain.YearPeriod(2026), format, out)
				if err != nil {
					b.Fatal(err)
				}
				took, cpu = time.Since(start), cpuTime()-cpu0
			}
			st, _ := os.Stat(out)
			b.ReportMetric(float64(n), "dossiers")
			b.ReportMetric(took.Seconds(), "wall-s")
			b.ReportMetric(float64(st.Size()), "bytes")
			b.ReportMetric(cpu.Seconds(), "cpu-s")
		})
	}
}

// cpuTime is the process's user and system time so far: on a machine
// shared with other builds it says what the wall time would be alone
// (the export runs on one goroutine; the garbage collector adds a little).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOneStopFeed: a one-stop system pages through 200,000 changes of
// GET /v1/onestop/dossiers over HTTP on 127.0.0.1, 1,000 a page (target ≥
// 5,000 dossiers/s).
func BenchmarkOneStopFeed(b *testing.B) {
	h := oneStopBenchHub(b)
	tok, err := h.IssueAPIToken(context.Background(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(hubweb.NewServer(h, hubweb.Options{}))
	defer srv.Close()
	const want = 200_000
	var rate, cpuRate float64
	for b.Loop() {
		start, cpu0 := time.Now(), cpuTime()
		var cursor int64
		got := 0
		for got < want {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s?after=%d&limit=1000", srv.URL, hubweb.PathOneStopDossiers, cursor), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			var page hubstore.FeedPage
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			if err != nil || len(page.Items) == 0 {
				b.Fatalf("page after %d: %v (%d items)", cursor, err, len(page.Items))
			}
			got += len(page.Items)
			cursor = page.Next
		}
		rate = float64(got) / time.Since(start).Seconds()
		cpuRate = float64(got) / (cpuTime() - cpu0).Seconds()
	}
	b.ReportMetric(rate, "dossiers/s")
	b.ReportMetric(cpuRate, "dossiers/cpu-s")
}

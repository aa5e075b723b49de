package hubreport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/report"
	"postdesk/internal/sqlitedb"
	"postdesk/internal/testtool"
)

// The province report's benchmarks run over a hub of 1,000,000 dossiers
// taken in during 2026 at 200 post points. Pushing 7 million signed events
// through the ingest would take far longer than a benchmark can wait, so
// the cached file is built by inserting hub_dossiers rows directly — rows
// as the projection writes them (the same columns and time format; the
// data column holds a short dossier JSON, not a full one). It is built
// once and kept in the temp folder; POSTDESK_BENCH_HUB_DOSSIERS picks
// another size.

const reportBenchPostPoints = 200

func reportBenchDossiers() int {
	if n, err := strconv.Atoi(os.Getenv("POSTDESK_BENCH_HUB_DOSSIERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchHub returns the path of the cached hub database of n dossiers.
func reportBenchHub(b *testing.B, n int) string {
	b.Helper()
	// keyed by the schema's text, so a changed migration builds a new file
	h := sha256.New()
	for _, m := range hubstore.Migrations() {
		h.Write([]byte(m.SQL))
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("postdesk-bench-hub-%x-%d.db", h.Sum(nil)[:4], n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := path + ".building"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	start := time.Now()
	if err := buildReportBenchHub(tmp, n); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s (%d dossiers) in %s", path, n, time.Since(start).Round(time.Second))
	return path
}

func buildReportBenchHub(path string, n int) error {
	ctx := context.Background()
	h, err := hubstore.Open(path)
	if err != nil {
		return err
	}
	defer h.Close()
	// the dossiers go straight into the projection, on a connection of
	// the benchmark's own
	raw, err := sql.Open("sqlite", sqlitedb.DSN(path, 30000))
	if err != nil {
		return err
	}
	defer raw.Close()
	procs, err := reportBenchSetup(ctx, h)
	if err != nil {
		return err
	}
	// the projection's rows, a few thousand per transaction
	rng := rand.New(rand.NewPCG(2026, 1))
	year := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Zone)
	span := int64(365 * 24 * time.Hour)
	day := 24 * time.Hour
	const chunk = 20000
	for start := 0; start < n; start += chunk {
		err := sqlitedb.Write(ctx, raw, func(tx *sql.Tx) error {
			ins, err := tx.PrepareContext(ctx, `INSERT INTO hub_dossiers(id, post_point_code, device_id, option, state,
				procedure_code, procedure_name, agency_code, official_code, received_at, expected_date, handed_over_at, due_date,
				result_ready_at, result_at_post_at, delivered_at, closed_at, fee, postage, updated_at, version, last_seq, apply_error, data)
				VALUES(?, ?, ?, ?, ?, ?, ?, ?, '', ?, '', ?, '', ?, ?, ?, ?, 0, 15000, ?, ?, ?, '', ?)`)
			if err != nil {
				return err
			}
			defer ins.Close()
			for i := start; i < min(start+chunk, n); i++ {
				pp := fmt.Sprintf("%06d", 600000+rng.IntN(reportBenchPostPoints)*10)
				p := procs[rng.IntN(len(procs))]
				opt := domain.OptionSendAndReturn
				switch x := rng.IntN(100); {
				case x < 25:
					opt = domain.OptionSend
				case x < 40:
					opt = domain.OptionReturnOnly
				}
				at := year.Add(time.Duration(rng.Int64N(span)))
				var hand, ready, atPost, deliv, closed time.Time
				state := domain.StateReceived
				t := at
				if opt != domain.OptionReturnOnly {
					t = t.Add(time.Duration(4+rng.IntN(40)) * time.Hour)
					hand, state = t, domain.StateAtAgency
					t = t.Add(time.Duration(2+rng.IntN(15)) * day)
					ready, state = t, domain.StateResultReady
				} else {
					ready, state = t, domain.StateResultReady
				}
				if opt.Returns() {
					t = t.Add(time.Duration(20+rng.IntN(48)) * time.Hour)
					atPost, state = t, domain.StateResultAtPost
					t = t.Add(time.Duration(2+rng.IntN(60)) * time.Hour)
					if rng.IntN(20) == 0 {
						closed, state = t, domain.StateReturnedToAgency
					} else {
						deliv, closed, state = t, t, domain.StateDelivered
					}
				}
				id := fmt.Sprintf("%sA-%s-%06d", pp, at.In(domain.Zone).Format("060102"), i)
				data := fmt.Sprintf(`{"id":%q,"post_point_code":%q,"option":%q,"procedure_code":%q,"agency_code":%q,"applicant":{"full_name":"Rơ Mah H'Bích","id_number":"064301000123"}}`,
					id, pp, opt, p.Code, p.AgencyCode)
				if _, err := ins.ExecContext(ctx, id, pp, pp+"-A", string(opt), string(state), p.Code, p.Name, p.AgencyCode,
					hubstore.FormatTime(at), hubstore.FormatTime(hand), hubstore.FormatTime(ready), hubstore.FormatTime(atPost), hubstore.FormatTime(deliv), hubstore.FormatTime(closed),
					hubstore.FormatTime(t), 6, int64(i), data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := reportBenchTotals(ctx, h, rng); err != nil {
		return err
	}
	_, err = raw.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE")
	return err
}

// reportBenchSetup gives the bench hub h its report catalog, post points
// and communes, and returns the procedures the dossiers are drawn from.
func reportBenchSetup(ctx context.Context, h *hubstore.Store) ([]domain.Procedure, error) {
	h.Now = func() time.Time { return time.Date(2027, 1, 15, 9, 0, 0, 0, domain.Zone) }
	f, err := catalog.Sample()
	if err != nil {
		return nil, err
	}
	if _, err := h.ImportReportCatalog(ctx, f); err != nil {
		return nil, err
	}
	var procs []domain.Procedure
	for _, p := range f.Procedures {
		if p.AgencyCode != "" {
			procs = append(procs, p)
		}
	}
	var communes strings.Builder
	communes.WriteString("commune,post_point_code,agency_code\n")
	for i := 0; i < reportBenchPostPoints; i++ {
		code := fmt.Sprintf("%06d", 600000+i*10)
		if err := h.EnsurePostPoint(ctx, code, fmt.Sprintf("Bưu điện Văn hóa xã số %d", i+1)); err != nil {
			return nil, err
		}
		fmt.Fprintf(&communes, "Xã số %d,%s,\n", i/2+1, code) // two post points a commune
	}
	communes.WriteString("Xã số 1,,000.01.50.H21\nXã số 1,,000.02.50.H21\n")
	if _, _, err := h.ImportReportCommunes(ctx, []byte(communes.String()), "xa.csv"); err != nil {
		return nil, err
	}
	return procs, nil
}

// reportBenchTotals imports totals for every cell of the year (the BCCI
// counts plus other channels), so the figures' denominators are known.
func reportBenchTotals(ctx context.Context, h *hubstore.Store, rng *rand.Rand) error {
	// totals for every cell of the year (BCCI counts plus other channels)
	counts, err := h.ReportCounts(ctx, domain.YearPeriod(2026), false)
	if err != nil {
		return err
	}
	type cell struct {
		proc, agency string
		month        domain.Month
	}
	sums := map[cell][2]int64{}
	for _, c := range counts {
		k := cell{c.Procedure, c.Agency, c.Month}
		v := sums[k]
		sums[k] = [2]int64{v[0] + c.Received, v[1] + c.Returned}
	}
	var tb strings.Builder
	tb.WriteString("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n")
	for k, v := range sums {
		fmt.Fprintf(&tb, "01/2026,12/2026,%s,%s,%s,%d,%d\n", k.proc, k.agency, k.month.Label(), v[0]*9+rng.Int64N(50), v[1]*6+rng.Int64N(50))
	}
	tf, err := report.ParseTotalsCSV([]byte(tb.String()), "tong-so-2026.csv")
	if err != nil {
		return err
	}
	_, err = h.ImportReportTotals(ctx, "bench", tf)
	return err
}

// reportSQLite3Time runs query straight in the sqlite3 shell on the same file,
// ?1 and ?2 replaced by the months, and returns SQLite's own "Run Time:
// real" averaged over runs after one warm-up run (0 when sqlite3 is not
// installed).
func reportSQLite3Time(b *testing.B, path, query string, from, to domain.Month, runs int) float64 {
	b.Helper()
	if !testtool.Have(b, "sqlite3") {
		return 0
	}
	bin := "sqlite3"
	q := strings.NewReplacer("?1", "'"+string(from)+"'", "?2", "'"+string(to)+"'").Replace(query)
	script := ".output /dev/null\n" + q + ";\n.timer on\n" + strings.Repeat(q+";\n", runs)
	cmd := exec.Command(bin, "-readonly", path)
	cmd.Stdin = strings.NewReader(script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Logf("sqlite3: %v\n%s", err, out.String())
		return 0
	}
	var sum float64
	n := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, "Run Time: real "); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				v, _ := strconv.ParseFloat(f[0], 64)
				sum += v
				n++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n) * 1000
}

// BenchmarkHubFigures: the three figures of the whole province for a year
// over 1,000,000 dossiers (target ≤ 500 ms), with the same query timed in
// the sqlite3 shell beside it (metric sqlite3-ms).
func BenchmarkHubFigures(b *testing.B) {
	path := reportBenchHub(b, reportBenchDossiers())
	h, err := hubstore.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.Now = func() time.Time { return time.Date(2027, 1, 15, 9, 0, 0, 0, domain.Zone) }
	benchFigures(b, h, reportBenchDossiers(), func(b *testing.B) {
		b.ReportMetric(reportSQLite3Time(b, path, hubstore.ReportCountsSQL, "2026-01", "2026-12", 20), "sqlite3-ms")
		b.ReportMetric(reportSQLite3Time(b, path, hubstore.ReportScanSQL, "2026-01", "2026-12", 2), "sqlite3-scan-ms")
	})
}

// benchFigures times the figures of 2026 for the whole province and by
// commune over h, which holds n dossiers; province, when set, adds metrics
// to the province's run.
func benchFigures(b *testing.B, h *hubstore.Store, n int, province func(b *testing.B)) {
	ctx := context.Background()
	p := domain.YearPeriod(2026)
	for _, by := range []string{"", "commune"} {
		name := "province"
		if by != "" {
			name = "by-" + by
		}
		b.Run(name, func(b *testing.B) {
			var r *report.Report
			var err error
			for b.Loop() {
				if r, err = Compute(ctx, h, p, Options{By: by}); err != nil {
					b.Fatal(err)
				}
			}
			f := r.Total.Figure(domain.FigureDossiers)
			if f.Numerator < int64(n)/2 || !f.DenominatorKnown {
				b.Fatalf("figure 2 over the bench hub: %+v", f)
			}
			if by == "" && province != nil {
				province(b)
			}
		})
	}
}

// BenchmarkHubXLSX: the full XLSX export of a province year, by commune
// (figures, every unit, every month, every procedure, the chart); target
// ≤ 2 s.
func BenchmarkHubXLSX(b *testing.B) {
	path := reportBenchHub(b, reportBenchDossiers())
	h, err := hubstore.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.Now = func() time.Time { return time.Date(2027, 1, 15, 9, 0, 0, 0, domain.Zone) }
	ctx := context.Background()
	var size int
	for b.Loop() {
		r, err := Compute(ctx, h, domain.YearPeriod(2026), Options{By: "commune"})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.Write(&buf, "xlsx", r, nil); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkHubQuality: the province's service quality for a year (every
// dossier of the period read once; no target — reported for information).
func BenchmarkHubQuality(b *testing.B) {
	path := reportBenchHub(b, reportBenchDossiers())
	h, err := hubstore.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.Now = func() time.Time { return time.Date(2027, 1, 15, 9, 0, 0, 0, domain.Zone) }
	for b.Loop() {
		q, err := Quality(context.Background(), h, domain.YearPeriod(2026))
		if err != nil {
			b.Fatal(err)
		}
		if q.Total.PostToDelivery.N == 0 {
			b.Fatal("no deliveries measured")
		}
	}
}

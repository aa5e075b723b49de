package hubreport

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
)

// BenchmarkHubFiguresPostgres: the three figures of a province year over
// 10,000,000 dossiers (a national year; POSTDESK_BENCH_HUB_PG_DOSSIERS
// picks another size) on PostgreSQL (POSTDESK_TEST_HUB_DB=postgres; it
// skips on SQLite), target ≤ 500 ms. The rows are what the projector
// writes, in the same columns and time format with the same distribution
// as the SQLite bench hub (reportBenchHub; the data column a short JSON),
// generated inside the database by generate_series, 250,000 rows a
// statement, each statement through the count triggers (migration 010);
// hub_dossiers' indexes other than its primary key are dropped for the
// load and made again after it (the same indexes, built in one sort each
// rather than row by row), then ANALYZE as autovacuum would. The load is
// reported (load-s), untimed.
func BenchmarkHubFiguresPostgres(b *testing.B) {
	if !hubtest.Postgres() {
		b.Skip("PostgreSQL only (" + hubtest.StoreEnv + "=postgres)")
	}
	n := 10_000_000
	if v, err := strconv.Atoi(os.Getenv("POSTDESK_BENCH_HUB_PG_DOSSIERS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	h := hubtest.Open(b)
	start := time.Now()
	procs, err := reportBenchSetup(ctx, h)
	if err != nil {
		b.Fatal(err)
	}
	if err := loadPostgresDossiers(ctx, b, h, procs, n); err != nil {
		b.Fatal(err)
	}
	if err := reportBenchTotals(ctx, h, rand.New(rand.NewPCG(2026, 2))); err != nil {
		b.Fatal(err)
	}
	if _, err := hubtest.DB(b, h).ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	b.Logf("loaded %d dossiers into PostgreSQL in %s", n, load.Round(time.Second))
	b.ResetTimer()
	benchFigures(b, h, n, nil)
	b.ReportMetric(load.Seconds(), "load-s")
}

// loadPostgresDossiers writes n hub_dossiers rows of 2026 at the bench's
// 200 post points, drawn as buildReportBenchHub draws them.
func loadPostgresDossiers(ctx context.Context, b *testing.B, h *hubstore.Store, procs []domain.Procedure, n int) error {
	db := hubtest.DB(b, h)
	var codes, names, agencies []string
	for _, p := range procs {
		codes, names, agencies = append(codes, p.Code), append(names, p.Name), append(agencies, p.AgencyCode)
	}
	// ft is formatTime's text (domain.TimeLayout) of a timestamptz, '' for NULL.
	ft := func(e string) string {
		return fmt.Sprintf(`coalesce(to_char((%s) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"000Z"'), '')`, e)
	}
	q := `WITH o AS (
		SELECT g, (600000 + floor(random() * 200)::bigint * 10)::text AS pp,
			1 + floor(random() * cardinality(?1::text[]))::int AS k,
			CASE WHEN x < 0.25 THEN 'send' WHEN x < 0.40 THEN 'return' ELSE 'send_return' END AS opt,
			timestamptz '2026-01-01 00:00:00+07' + random() * interval '365 days' AS at,
			interval '1 hour' * (4 + floor(random() * 40)) AS d_hand, interval '1 day' * (2 + floor(random() * 15)) AS d_ready,
			interval '1 hour' * (20 + floor(random() * 48)) AS d_post, interval '1 hour' * (2 + floor(random() * 60)) AS d_fin,
			random() < 0.05 AS back
		FROM (SELECT g, random() AS x FROM generate_series(?4::bigint, ?5::bigint) g) r
	), t AS (
		SELECT *, CASE WHEN opt <> 'return' THEN at + d_hand END AS hand,
			CASE WHEN opt <> 'return' THEN at + d_hand + d_ready ELSE at END AS ready FROM o
	), u AS (
		SELECT *, CASE WHEN opt <> 'send' THEN ready + d_post END AS atpost,
			CASE WHEN opt <> 'send' THEN ready + d_post + d_fin END AS fin FROM t
	), v AS (
		SELECT *, pp || 'A-' || to_char((at AT TIME ZONE 'UTC') + interval '7 hours', 'YYMMDD') || '-' || lpad(g::text, 8, '0') AS id FROM u
	)
	INSERT INTO hub_dossiers(id, post_point_code, device_id, option, state, procedure_code, procedure_name, agency_code,
		official_code, received_at, expected_date, handed_over_at, due_date, result_ready_at, result_at_post_at, delivered_at,
		closed_at, fee, postage, updated_at, version, last_seq, apply_error, data)
	SELECT id, pp, pp || '-A', opt,
		CASE WHEN opt = 'send' THEN 'result_ready' WHEN back THEN 'returned_to_agency' ELSE 'delivered' END,
		(?1::text[])[k], (?2::text[])[k], (?3::text[])[k], '', ` + ft("at") + `, '', ` + ft("hand") + `, '', ` + ft("ready") + `,
		` + ft("atpost") + `, CASE WHEN back THEN '' ELSE ` + ft("fin") + ` END, ` + ft("fin") + `, 0, 15000,
		` + ft("coalesce(fin, ready)") + `, 6, g, '',
		'{"id":"' || id || '","post_point_code":"' || pp || '","option":"' || opt || '","procedure_code":"' || (?1::text[])[k] ||
		'","agency_code":"' || (?3::text[])[k] || '","applicant":{"full_name":"Rơ Mah H''Bích","id_number":"064301000123"}}'
	FROM v`
	q = strings.ReplaceAll(q, "\t", " ")
	rows, err := db.QueryContext(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.tablename = 'hub_dossiers' AND i.schemaname = current_schema() AND i.indexname <> 'hub_dossiers_pkey'`)
	if err != nil {
		return err
	}
	var defs []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, "DROP INDEX "+name); err != nil {
			return err
		}
		defs = append(defs, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	const chunk = 250_000
	for from := 1; from <= n; from += chunk {
		to := min(from+chunk-1, n)
		if _, err := db.ExecContext(ctx, q, codes, names, agencies, int64(from), int64(to)); err != nil {
			return fmt.Errorf("dossiers %d–%d: %w", from, to, err)
		}
	}
	for _, def := range defs {
		if _, err := db.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("%s: %w", def, err)
		}
	}
	return nil
}

package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// queryer is a *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// pointCountsSQL counts a post point's BCCI events per cell. The event's
// time is UTC text (domain.TimeLayout), so the month in Vietnam time is
// taken after adding 7 hours; the period bounds are compared as text, which
// is time order. The dossier's procedure and agency come from the
// projection (they never change after intake). An intake of a dossier
// cancelled before any handover counts nowhere (package doc).
const pointCountsSQL = `SELECT d.procedure_code, d.agency_code, strftime('%Y-%m', e.at, '+7 hours') AS month,
	sum(e.kind = 'dossier.intake' AND NOT (d.state = 'cancelled' AND NOT EXISTS (
		SELECT 1 FROM events h WHERE h.dossier = d.id AND h.dossier <> '' AND h.kind = 'dossier.handover'))),
	sum(e.kind = 'dossier.register_result_only'), sum(e.kind = 'dossier.deliver')
	FROM events e JOIN dossiers d ON d.id = e.dossier
	WHERE e.kind IN ('dossier.intake', 'dossier.register_result_only', 'dossier.deliver') AND e.at >= ? AND e.at < ?
	GROUP BY d.procedure_code, d.agency_code, month`

// PointCounts reads the BCCI counts of a post point's database for the
// days from..to (to excluded), per procedure, agency and month.
func PointCounts(ctx context.Context, q queryer, from, to time.Time) ([]Count, error) {
	rows, err := q.QueryContext(ctx, pointCountsSQL, timeText(from), timeText(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		var month string
		if err := rows.Scan(&c.Procedure, &c.Agency, &month, &c.Received, &c.Registered, &c.Returned); err != nil {
			return nil, err
		}
		c.Month = domain.Month(month)
		out = append(out, c)
	}
	return out, rows.Err()
}

func timeText(t time.Time) string { return t.UTC().Format(domain.TimeLayout) }

// LoadPoint gathers everything a post point's report needs for period p.
func LoadPoint(ctx context.Context, s *store.Store, p domain.Period) (Data, error) {
	var d Data
	_, pp, err := s.Device(ctx)
	if err != nil && err != store.ErrNotSetUp {
		return d, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return d, err
	}
	d.Scope, d.ScopeCode, d.Period, d.Targets, d.Now = pp.Name, pp.Code, p, st.Targets, s.Now()
	if d.Procedures, err = s.Procedures(ctx); err != nil {
		return d, err
	}
	if d.Agencies, err = s.Agencies(ctx); err != nil {
		return d, err
	}
	if d.Counts, err = PointCounts(ctx, s.DB(), p.Start(), p.End()); err != nil {
		return d, fmt.Errorf("BCCI counts: %w", err)
	}
	months := p.Months()
	from, to := months[0], months[len(months)-1]
	if d.Totals, err = s.Totals(ctx, from, to); err != nil {
		return d, err
	}
	if d.Coverage, err = s.TotalsCoverage(ctx, from, to); err != nil {
		return d, err
	}
	return d, nil
}

// PointReport computes a post point's report for period p, with its
// service quality.
func PointReport(ctx context.Context, s *store.Store, p domain.Period) (*Report, error) {
	d, err := LoadPoint(ctx, s, p)
	if err != nil {
		return nil, err
	}
	r := Compute(d, Grouping{})
	q, err := PointQuality(ctx, s, p)
	if err != nil {
		return nil, err
	}
	r.Quality = q
	return r, nil
}

// PointNoticeOptions names the post point and its hotline on the notice.
func PointNoticeOptions(ctx context.Context, s *store.Store) (NoticeOptions, error) {
	_, pp, err := s.Device(ctx)
	if err != nil && err != store.ErrNotSetUp {
		return NoticeOptions{}, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return NoticeOptions{}, err
	}
	return NoticeOptions{Unit: pp.Name, Hotline: st.Hotline, Date: s.Now()}, nil
}

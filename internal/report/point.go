package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// PointCounts reads the BCCI counts of a post point's database for the
// days from..to (to excluded), per procedure, agency and month (the SQL is
// the store's: store.BCCICounts).
func PointCounts(ctx context.Context, s *store.Store, from, to time.Time) ([]Count, error) {
	counts, err := s.BCCICounts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return countsOf(counts), nil
}

// countsOf makes a post point's counts into report cells.
func countsOf(counts []store.BCCICount) []Count {
	out := make([]Count, len(counts))
	for i, c := range counts {
		out[i] = Count{Procedure: c.Procedure, Agency: c.Agency, Month: c.Month,
			Received: c.Received, Registered: c.Registered, Returned: c.Returned}
	}
	return out
}

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
	if d.Counts, err = PointCounts(ctx, s, p.Start(), p.End()); err != nil {
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

// pointGrouping is what the post point's report counts: the scope the hub
// sent (its commune's agencies, as hub report kpi --by post-point counts
// them), else everything the device holds. It also drops from d the totals
// of agencies the scope does not count.
func pointGrouping(ctx context.Context, s *store.Store, d *Data) (Grouping, error) {
	sc, err := s.ReportScope(ctx)
	if err != nil || sc == nil {
		return Grouping{}, err
	}
	d.Totals = slices.DeleteFunc(d.Totals, func(t store.TotalsRow) bool { return !sc.CountsAgency(t.Agency) })
	d.Coverage = slices.DeleteFunc(d.Coverage, func(c store.TotalsCover) bool { return !sc.CountsAgency(c.Agency) })
	return Grouping{
		Deployed: func(_ string, p domain.Procedure) bool { return sc.Deployed(p) },
		Agency:   func(_, a string) bool { return sc.CountsAgency(a) }}, nil
}

// PointReport computes a post point's report for period p, with its
// service quality.
func PointReport(ctx context.Context, s *store.Store, p domain.Period) (*Report, error) {
	d, err := LoadPoint(ctx, s, p)
	if err != nil {
		return nil, err
	}
	g, err := pointGrouping(ctx, s, &d)
	if err != nil {
		return nil, err
	}
	r := Compute(d, g)
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

package hubreport

import (
	"context"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/report"
)

// Quality measures the province's service quality over period p (see
// internal/report/quality.go for the measures) from the dossiers' times
// (hubstore's ReportTimelines), on the working-day calendar.
func Quality(ctx context.Context, s *hubstore.Store, p domain.Period) (*report.QualityReport, error) {
	tl, err := s.ReportTimelines(ctx, p)
	if err != nil {
		return nil, err
	}
	// the same working-day calendar as the post points: the shipped year
	// files and those installed beside the hub's database
	cal, err := calendar.Load(s.CalendarDir())
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	pps, err := s.PostPoints(ctx)
	if err != nil {
		return nil, err
	}
	for _, pp := range pps {
		names[pp.Code] = pp.Name
	}
	procs, _, _, err := s.ReportCatalog(ctx)
	if err != nil {
		return nil, err
	}
	for _, pr := range procs {
		names[pr.Code] = pr.Name
	}
	return report.ComputeQuality(tl, p, cal, s.Now(), names), nil
}

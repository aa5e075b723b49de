// Package hubreport is the province report of the hub: the three BCCI
// figures and the service quality over every post point's dossiers, put
// together from what internal/hub/hubstore reads, and the report's staff
// page (page.go) with its downloads and the totals import.
package hubreport

import (
	"context"
	"sort"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/report"
	"postdesk/internal/store"
)

// The province report: the three BCCI figures over every post point's
// dossiers (hub_dossiers), split by commune, agency, field or post point.
// Tables in migrations/002_reports.sql.
//
// Numerators come from the projection: a dossier's intake is its
// received_at (option send or send_return), its result-only registration
// its received_at (option return), its delivery its delivered_at — the
// same events a post point counts from its log (see internal/report).
//
// How a unit is cut:
//
//   - agency: the cells of that agency; its deployed procedures are those
//     the catalog gives to it;
//   - field: the cells of the field's procedures, at any agency;
//   - commune: the dossiers of the post points serving the commune, and
//     the commune's own agencies (its People's Committee, its police…):
//     a commune is graded on its own agencies' procedures, so figure 1
//     counts the deployed procedures of those agencies, and figures 2 and
//     3 divide the dossiers its post points sent to (or returned from)
//     those agencies by those agencies' totals. Dossiers bound for
//     provincial agencies count in the agency, field and province figures.
//     A commune with no agency of its own on record has figure 1 over
//     every deployed procedure and no denominator for figures 2 and 3;
//   - post-point: as its commune, with only that post point's dossiers.
//
// A post point's commune and a commune's agencies come from the communes
// file (ImportReportCommunes); a post point not in it stands for itself,
// named after the post point.

// Dims are the ways the province report can be split.
var Dims = []string{"commune", "agency", "field", "post-point"}

// ValidDim reports whether by is "" or one of Dims.
func ValidDim(by string) bool {
	if by == "" {
		return true
	}
	for _, d := range Dims {
		if d == by {
			return true
		}
	}
	return false
}

// Options choose what Compute computes.
type Options struct {
	By      string // "" (province) or one of Dims
	Quality bool   // also the service quality (reads every dossier of the period)
	Name    string // the province's name for the report's scope ("" : "Toàn tỉnh")
}

// Gather gathers the province report's data for period p and the
// grouping of by.
func Gather(ctx context.Context, s *hubstore.Store, p domain.Period, opt Options) (report.Data, report.Grouping, error) {
	var d report.Data
	if !ValidDim(opt.By) {
		return d, report.Grouping{}, domain.Errf("by", "hub.report.err.by", "--by must be commune, agency, field or post-point").WithArgs("Value", opt.By)
	}
	procs, agencies, _, err := s.ReportCatalog(ctx)
	if err != nil {
		return d, report.Grouping{}, err
	}
	targets, err := s.ReportTargets(ctx)
	if err != nil {
		return d, report.Grouping{}, err
	}
	d = report.Data{Scope: opt.Name, Period: p, Targets: targets, Procedures: procs, Agencies: agencies, Now: s.Now()}
	byPP := opt.By == "commune" || opt.By == "post-point"
	if d.Counts, err = s.ReportCounts(ctx, p, byPP); err != nil {
		return d, report.Grouping{}, err
	}
	ms := p.Months()
	if d.Totals, d.Coverage, err = s.ReportTotals(ctx, ms[0], ms[len(ms)-1]); err != nil {
		return d, report.Grouping{}, err
	}
	g, err := grouping(ctx, s, opt.By, procs, agencies)
	return d, g, err
}

// grouping builds the units of a dimension (see the file comment).
func grouping(ctx context.Context, s *hubstore.Store, by string, procs []domain.Procedure, agencies []domain.Agency) (report.Grouping, error) {
	field := map[string]string{}
	for _, p := range procs {
		field[p.Code] = p.Field
	}
	switch by {
	case "":
		return report.Grouping{}, nil
	case "agency":
		names := map[string]string{}
		for _, a := range agencies {
			names[a.Code] = a.Name
		}
		return report.Grouping{Dim: by,
			OfCount:  func(c report.Count) string { return c.Agency },
			OfTotal:  func(t store.TotalsRow) string { return t.Agency },
			Deployed: func(u string, p domain.Procedure) bool { return p.AgencyCode == u },
			Agency:   func(u, a string) bool { return a == u },
			Name:     func(u string) string { return orText(names[u], u) }}, nil
	case "field":
		return report.Grouping{Dim: by,
			OfCount:  func(c report.Count) string { return field[c.Procedure] },
			OfTotal:  func(t store.TotalsRow) string { return field[t.Procedure] },
			Deployed: func(u string, p domain.Procedure) bool { return p.Field == u }}, nil
	}
	// commune and post-point
	ppCommune, agCommune, err := s.ReportCommunes(ctx)
	if err != nil {
		return report.Grouping{}, err
	}
	pps, err := s.PostPoints(ctx)
	if err != nil {
		return report.Grouping{}, err
	}
	ppName := map[string]string{}
	for _, p := range pps {
		ppName[p.Code] = p.Name
	}
	communeOf := func(pp string) string {
		if c, ok := ppCommune[pp]; ok {
			return c
		}
		return orText(ppName[pp], pp) // not in the communes file: the post point stands for itself
	}
	ownAgencies := map[string]bool{} // communes with agencies on record
	for _, c := range agCommune {
		ownAgencies[c] = true
	}
	if by == "commune" {
		g := report.Grouping{Dim: by,
			OfCount: func(c report.Count) string { return communeOf(c.Unit) },
			OfTotal: func(t store.TotalsRow) string { return agCommune[t.Agency] },
			Deployed: func(u string, p domain.Procedure) bool {
				return !ownAgencies[u] || agCommune[p.AgencyCode] == u
			},
			Agency: func(u, a string) bool { return agCommune[a] == u }}
		seen := map[string]bool{}
		for _, p := range pps {
			seen[communeOf(p.Code)] = true
		}
		for c := range ownAgencies {
			seen[c] = true
		}
		for c := range seen {
			g.Keys = append(g.Keys, c)
		}
		sort.Strings(g.Keys)
		return g, nil
	}
	// what each post point counts, as its devices count it (the scope the
	// hub sends them): an agency's totals count for every post point of
	// its commune
	scopes, err := s.ReportScopes(ctx)
	if err != nil {
		return report.Grouping{}, err
	}
	g := report.Grouping{Dim: by,
		OfCount:  func(c report.Count) string { return c.Unit },
		OfTotal:  nil,
		Deployed: func(u string, p domain.Procedure) bool { return scopes[u].Deployed(p) },
		Agency:   func(u, a string) bool { return scopes[u].CountsAgency(a) },
		Name:     func(u string) string { return orText(ppName[u], u) }}
	for _, p := range pps {
		g.Keys = append(g.Keys, p.Code)
	}
	return g, nil
}

func orText(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Compute computes the province report for period p.
func Compute(ctx context.Context, s *hubstore.Store, p domain.Period, opt Options) (*report.Report, error) {
	d, g, err := Gather(ctx, s, p, opt)
	if err != nil {
		return nil, err
	}
	if d.Scope == "" {
		d.Scope = "Toàn tỉnh"
	}
	var r *report.Report
	if opt.By == "post-point" {
		// a post point's totals are its commune's agencies', shared by the
		// commune's post points: compute each post point on its own
		r = report.Compute(d, report.Grouping{})
		units := postPointUnits(d, g)
		r.By, r.Units = opt.By, units
	} else {
		r = report.Compute(d, g)
	}
	if opt.Quality {
		q, err := Quality(ctx, s, p)
		if err != nil {
			return nil, err
		}
		r.Quality = q
	}
	return r, nil
}

// postPointUnits computes each post point as a one-unit report over its
// own dossiers and its commune's agencies' totals.
func postPointUnits(d report.Data, g report.Grouping) []report.Unit {
	byPP := map[string][]report.Count{}
	for _, c := range d.Counts {
		byPP[c.Unit] = append(byPP[c.Unit], c)
	}
	keys := map[string]bool{}
	for _, k := range g.Keys {
		keys[k] = true
	}
	for k := range byPP {
		keys[k] = true
	}
	var out []report.Unit
	for _, k := range sortedReportKeys(keys) {
		pd := d
		pd.Counts = byPP[k]
		// only the totals of the post point's commune's agencies
		pd.Totals, pd.Coverage = nil, nil
		for _, t := range d.Totals {
			if g.Agency(k, t.Agency) {
				pd.Totals = append(pd.Totals, t)
			}
		}
		for _, c := range d.Coverage {
			if g.Agency(k, c.Agency) {
				pd.Coverage = append(pd.Coverage, c)
			}
		}
		one := report.Grouping{Dim: "post-point",
			OfCount:  func(report.Count) string { return k },
			OfTotal:  func(store.TotalsRow) string { return k },
			Deployed: g.Deployed, Agency: g.Agency, Keys: []string{k}}
		r := report.Compute(pd, one)
		if len(r.Units) == 1 {
			u := r.Units[0]
			u.Name = g.Name(k)
			out = append(out, u)
		}
	}
	return out
}

func sortedReportKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Package report computes the province's three BCCI figures (see
// domain/targets.go and the Gia Lai letter in shared/seeds), the service
// quality figures, and the public notice; it reads the all-channel totals
// files (TOTALS.md) and writes the reports as JSON, CSV, XLSX and PDF with a
// month-by-month chart.
//
// The computation (Compute, ComputeQuality) is pure: it takes plain data —
// the catalog, BCCI counts per cell, the imported totals — so the post
// point (point.go, over its event log) and the province hub (over its
// projection of every post point's dossiers) feed the same code.
//
// # What is counted
//
// Each rule below is the one place it is written; the app's Reports screen,
// the hub's report page and every export show it in one line under its
// figure (i18n keys report.rule.*, from domain.Figure.RuleKey).
//
// A cell is a procedure at an agency in a calendar month (Vietnam time).
// The BCCI counts of a cell, from the dossier events whose time falls in
// that month:
//
//   - Received ("tiếp nhận qua BCCI", figure 2's numerator): intake events
//     (dossier.intake), in the month of the intake. The lifecycle lets only
//     the send options (send, send_return) be taken in, so every intake is
//     a dossier the post carried to the agency.
//   - Cancelled before handover: a dossier cancelled (dossier.cancel)
//     without ever having been handed to the agency (no dossier.handover)
//     was never received by anyone who grades, so its intake counts
//     nowhere — not in figure 2, not in figure 1. This holds whenever the
//     cancellation happens: a dossier taken in on 31/03 and cancelled on
//     02/04 before handover is taken out of March, so a March report made
//     again after 02/04 shows one dossier fewer than one made before. A
//     dossier cancelled after a handover (the agency asked for papers the
//     citizen never brought) was received by the agency and still counts.
//   - Re-submitted supplements: a dossier taken in again after the agency
//     asked for more papers (dossier.supplement_received) is the same
//     dossier, not a new intake: it counts once, in the month of its first
//     intake.
//   - Returned ("trả kết quả qua BCCI", figure 3's numerator): delivery
//     events (dossier.deliver) — the result in the citizen's hands, in the
//     month of the delivery. Only dossiers with a return option
//     (send_return, return) can be delivered, so every delivery is a
//     result returned by post. A result sent back to the agency
//     undelivered is not counted.
//   - Registered: result-only registrations (dossier.register_result_only):
//     the post point took on returning a result of a dossier filed
//     elsewhere. The dossier was not received through BCCI, so it is not in
//     figure 2's numerator (it is in the all-channel totals, as every
//     dossier filed at the one-stop desk is); it makes its procedure count
//     for figure 1, and its delivery counts for figure 3 like any other.
//
// Figure 1, "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ tiếp nhận/trả kết
// quả giải quyết qua dịch vụ BCCI: Đạt tỷ lệ trên 50% số TTHC đã triển khai
// sử dụng dịch vụ BCCI có phát sinh tối thiểu 01 hồ sơ tại mỗi TTHC":
// the number of deployed procedures with at least one of these three
// events in the period over the number of deployed procedures
// (domain.Procedure.Deployed: open for BCCI intake or return), from the
// current catalog.
//
// Figure 2, "Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI: Đạt tỷ lệ
// trên 10% tổng số hồ sơ (qua BCCI và qua các hình thức khác) của các TTHC
// đã triển khai sử dụng dịch vụ BCCI": dossiers received through BCCI (as
// above) over the all-channel total of dossiers of the deployed procedures.
//
// Figure 3, "Tỷ lệ kết quả giải quyết TTHC được trả qua dịch vụ BCCI: Đạt
// tỷ lệ trên 15% tổng số hồ sơ (qua BCCI và qua các hình thức khác) của
// các TTHC đã triển khai sử dụng dịch vụ BCCI": results returned through
// BCCI over the same all-channel total of dossiers as figure 2 — the letter
// says "tổng số hồ sơ", not the total of results. A province that reads it
// as a share of results sets domain.Targets.ResultsBase to "results"; the
// figure then divides by the all-channel total of results and its rule
// line says so.
//
// Each target is "trên N%": met only when the share is strictly above it,
// so a figure exactly on its target is not met.
//
// Figures 2 and 3 divide by the all-channel totals of the deployed
// procedures. Totals are imported per agency and month; an import covers
// its agencies for its whole period (a procedure it does not list had no
// dossier). Both sides of the division use only covered cells, so a month
// whose totals are missing never dilutes the share; BCCI events in cells no
// import covers are reported beside the figure as "uncovered". With no
// covered cell at all the denominator is unknown and the figure says so
// instead of showing a number.
package report

import (
	"sort"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Count holds the BCCI events of one cell (and one unit, at the hub).
type Count struct {
	Unit       string       `json:"unit,omitempty"` // the post point, at the hub; "" at a post point
	Procedure  string       `json:"procedure_code"`
	Agency     string       `json:"agency_code"`
	Month      domain.Month `json:"month"`
	Received   int64        `json:"received"`   // intake events
	Registered int64        `json:"registered"` // result-only registrations
	Returned   int64        `json:"returned"`   // deliveries
}

// Grouping splits a report into units (at the hub: by commune, agency,
// field or post point). The zero Grouping is one unit: the whole scope.
type Grouping struct {
	Dim string // "" (none), "commune", "agency", "field", "post-point"
	// OfCount is the unit a BCCI count belongs to.
	OfCount func(c Count) string
	// OfTotal is the unit a totals cell counts for ("" for none).
	OfTotal func(t store.TotalsRow) string
	// Deployed reports whether procedure p counts for unit u (it must be
	// deployed; a unit may narrow the set, e.g. an agency's own procedures).
	Deployed func(u string, p domain.Procedure) bool
	// Agency reports whether the cells of an agency count towards unit u's
	// figures 2 and 3 (on both sides): an agency its own, a commune its own
	// agencies. A unit is without a denominator when no import covers any
	// of its agencies in the period.
	Agency func(u, agency string) bool
	// Name gives a unit's display name ("" keeps the key).
	Name func(u string) string
	// Keys are units to list even without any activity.
	Keys []string
}

// Data is what Compute needs.
type Data struct {
	Scope      string // what the report is about: the post point's name, or the province
	ScopeCode  string
	Period     domain.Period
	Targets    domain.Targets
	Procedures []domain.Procedure // the catalog
	Agencies   []domain.Agency
	Counts     []Count
	Totals     []store.TotalsRow
	Coverage   []store.TotalsCover
	Now        time.Time // when the report is made (months after it are not expected to have totals)
}

// Unit is the three figures of one unit (or of the whole scope).
type Unit struct {
	Key     string          `json:"key"`
	Name    string          `json:"name"`
	Figures []domain.Figure `json:"-"` // in domain.FigureKinds order
	// BCCI events of deployed procedures in cells no totals import covers:
	// left out of figures 2 and 3 on both sides.
	UncoveredReceived int64               `json:"uncovered_received"`
	UncoveredReturned int64               `json:"uncovered_returned"`
	Uncovered         []store.TotalsCover `json:"uncovered_cells,omitempty"`
	// Received and Returned are every BCCI intake and delivery of deployed
	// procedures in the period, covered or not.
	Received int64 `json:"received"`
	Returned int64 `json:"returned"`
}

// Figure returns the unit's figure of kind k.
func (u Unit) Figure(k domain.FigureKind) domain.Figure {
	for _, f := range u.Figures {
		if f.Kind == k {
			return f
		}
	}
	return domain.Figure{Kind: k}
}

// MonthFigures is the scope's figures for one month of the trend.
type MonthFigures struct {
	Month   domain.Month    `json:"month"`
	Figures []domain.Figure `json:"-"`
	Future  bool            `json:"future,omitempty"` // after the report's month: nothing to show yet
}

// ProcedureRow is the detail of one deployed procedure in the scope.
type ProcedureRow struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Field      string `json:"field"`
	Agency     string `json:"agency_code"`
	BCCIIntake bool   `json:"bcci_intake"`
	BCCIReturn bool   `json:"bcci_return"`
	Received   int64  `json:"received"`
	Registered int64  `json:"registered"`
	Returned   int64  `json:"returned"`
	// Totals over covered cells (TotalsKnown false: none covered).
	TotalDossiers int64 `json:"total_dossiers"`
	TotalResults  int64 `json:"total_results"`
	TotalsKnown   bool  `json:"totals_known"`
	// CoveredReceived/Returned are the BCCI counts in covered cells: the
	// numerators matching TotalDossiers/TotalResults.
	CoveredReceived int64 `json:"covered_received"`
	CoveredReturned int64 `json:"covered_returned"`
}

// Active reports whether the procedure had a BCCI dossier in the period.
func (r ProcedureRow) Active() bool { return r.Received+r.Registered+r.Returned > 0 }

// Report is the three figures of a scope and period, with what to act on.
type Report struct {
	Scope       string         `json:"scope"`
	ScopeCode   string         `json:"scope_code,omitempty"`
	Period      domain.Period  `json:"-"`
	GeneratedAt time.Time      `json:"-"`
	By          string         `json:"by,omitempty"`
	Targets     domain.Targets `json:"targets"`
	Total       Unit           `json:"total"`
	Units       []Unit         `json:"units,omitempty"`
	Trend       []MonthFigures `json:"trend"`
	Procedures  []ProcedureRow `json:"procedures"`
	// MissingMonths are months of the period, up to the report's month, for
	// which no import covered any agency.
	MissingMonths []domain.Month `json:"missing_months,omitempty"`
	Quality       *QualityReport `json:"quality,omitempty"`
}

// NoBCCI lists the deployed procedures with no BCCI dossier in the period.
func (r *Report) NoBCCI() []ProcedureRow {
	var out []ProcedureRow
	for _, p := range r.Procedures {
		if !p.Active() {
			out = append(out, p)
		}
	}
	return out
}

// Worst returns up to n units furthest below the target of figure k, the
// furthest first; units without a denominator come last.
func (r *Report) Worst(k domain.FigureKind, n int) []Unit {
	units := append([]Unit(nil), r.Units...)
	sort.SliceStable(units, func(i, j int) bool {
		gi, oki := units[i].Figure(k).Gap()
		gj, okj := units[j].Figure(k).Gap()
		if oki != okj {
			return oki
		}
		if gi != gj {
			return gi < gj
		}
		return units[i].Key < units[j].Key
	})
	if n > 0 && len(units) > n {
		units = units[:n]
	}
	return units
}

type cellKey struct {
	proc, agency string
	month        domain.Month
}

type coverKey struct {
	agency string
	month  domain.Month
}

// Compute makes the report of d, split by g.
func Compute(d Data, g Grouping) *Report {
	single := g.Dim == ""
	g = g.withDefaults()
	inPeriod := map[domain.Month]bool{}
	for _, m := range d.Period.Months() {
		inPeriod[m] = true
	}
	procs := map[string]domain.Procedure{}
	for _, p := range d.Procedures {
		procs[p.Code] = p
	}
	covered := map[coverKey]bool{}
	var coverage []store.TotalsCover
	for _, c := range d.Coverage {
		if inPeriod[c.Month] {
			covered[coverKey{c.Agency, c.Month}] = true
			coverage = append(coverage, c)
		}
	}
	counts := make([]Count, 0, len(d.Counts))
	for _, c := range d.Counts {
		if inPeriod[c.Month] {
			counts = append(counts, c)
		}
	}
	totals := make([]store.TotalsRow, 0, len(d.Totals))
	for _, t := range d.Totals {
		if inPeriod[t.Month] && covered[coverKey{t.Agency, t.Month}] {
			totals = append(totals, t)
		}
	}

	r := &Report{Scope: d.Scope, ScopeCode: d.ScopeCode, Period: d.Period, GeneratedAt: d.Now, By: g.Dim, Targets: d.Targets}
	all := Grouping{}.withDefaults() // split: the whole scope counts everything
	if single {
		all = g // one unit: what it counts (a post point's scope, PointReport)
	}
	c := &computer{procs: procs, catalog: d.Procedures, covered: covered, targets: d.Targets}
	// the whole scope needs no units: merge the counts of every unit (at the
	// hub, per post point) into one per cell first
	flat := counts
	if !single {
		flat = mergeUnits(counts)
	}
	r.Total = c.unit(all, "", flat, totals, coverage, nil)
	r.Total.Name = d.Scope
	if !single {
		keys := map[string]bool{}
		for _, cnt := range counts {
			keys[g.OfCount(cnt)] = true
		}
		for _, t := range totals {
			if k := g.OfTotal(t); k != "" {
				keys[k] = true
			}
		}
		for _, p := range d.Procedures {
			// agencies and fields with deployed procedures but no activity still show
			if g.Dim == "agency" && p.Deployed() && p.AgencyCode != "" {
				keys[p.AgencyCode] = true
			}
			if g.Dim == "field" && p.Deployed() {
				keys[p.Field] = true
			}
		}
		for _, k := range g.Keys {
			keys[k] = true
		}
		delete(keys, "")
		// bucket once: a province has hundreds of units and many cells
		byCount := map[string][]Count{}
		unitOf := make([]string, len(counts))
		size := map[string]int{}
		for i, cnt := range counts {
			unitOf[i] = g.OfCount(cnt)
			size[unitOf[i]]++
		}
		for k, n := range size {
			byCount[k] = make([]Count, 0, n)
		}
		for i, cnt := range counts {
			byCount[unitOf[i]] = append(byCount[unitOf[i]], cnt)
		}
		byTotal := map[string][]store.TotalsRow{}
		for _, t := range totals {
			k := g.OfTotal(t)
			byTotal[k] = append(byTotal[k], t)
		}
		for _, k := range sortedKeys(keys) {
			u := c.unit(g, k, byCount[k], byTotal[k], coverage, nil)
			u.Name = g.Name(k)
			r.Units = append(r.Units, u)
		}
	}
	byMonth := map[domain.Month][]Count{}
	for _, cnt := range flat {
		byMonth[cnt.Month] = append(byMonth[cnt.Month], cnt)
	}
	totByMonth := map[domain.Month][]store.TotalsRow{}
	for _, t := range totals {
		totByMonth[t.Month] = append(totByMonth[t.Month], t)
	}
	for _, m := range d.Period.Months() {
		mu := c.unit(all, "", byMonth[m], totByMonth[m], coverage, &m)
		r.Trend = append(r.Trend, MonthFigures{Month: m, Figures: mu.Figures, Future: !d.Now.IsZero() && m > domain.MonthOf(d.Now)})
	}
	r.Procedures = c.procedureRows(flat, totals)
	nowMonth := domain.MonthOf(d.Now)
	coveredMonth := map[domain.Month]bool{}
	for _, cv := range coverage {
		coveredMonth[cv.Month] = true
	}
	for _, m := range d.Period.Months() {
		if (d.Now.IsZero() || m <= nowMonth) && !coveredMonth[m] {
			r.MissingMonths = append(r.MissingMonths, m)
		}
	}
	return r
}

// mergeUnits sums counts of the same cell across units.
func mergeUnits(counts []Count) []Count {
	idx := make(map[cellKey]int, len(counts)/4)
	out := make([]Count, 0, len(counts)/4)
	for _, c := range counts {
		k := cellKey{c.Procedure, c.Agency, c.Month}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Count{Procedure: c.Procedure, Agency: c.Agency, Month: c.Month})
		}
		out[i].Received += c.Received
		out[i].Registered += c.Registered
		out[i].Returned += c.Returned
	}
	return out
}

func (g Grouping) withDefaults() Grouping {
	if g.OfCount == nil {
		g.OfCount = func(Count) string { return "" }
	}
	if g.OfTotal == nil {
		g.OfTotal = func(store.TotalsRow) string { return "" }
	}
	if g.Deployed == nil {
		g.Deployed = func(_ string, p domain.Procedure) bool { return p.Deployed() }
	}
	if g.Agency == nil {
		g.Agency = func(string, string) bool { return true }
	}
	if g.Name == nil {
		g.Name = func(u string) string { return u }
	}
	return g
}

type computer struct {
	procs   map[string]domain.Procedure
	catalog []domain.Procedure
	covered map[coverKey]bool
	targets domain.Targets
}

// unit computes the figures of unit u from its own counts and totals
// (already picked out by the caller), restricted to one month when month
// is not nil.
func (c *computer) unit(g Grouping, u string, counts []Count, totals []store.TotalsRow, coverage []store.TotalsCover, month *domain.Month) Unit {
	out := Unit{Key: u, Name: u}
	deployed := func(code string) bool {
		p, ok := c.procs[code]
		return ok && p.Deployed() && g.Deployed(u, p)
	}
	nDeployed := 0
	for _, p := range c.catalog {
		if p.Deployed() && g.Deployed(u, p) {
			nDeployed++
		}
	}
	active := map[string]bool{}
	var recv, ret int64
	uncovered := map[coverKey]bool{}
	for _, cnt := range counts {
		if (month != nil && cnt.Month != *month) || !deployed(cnt.Procedure) {
			continue
		}
		if cnt.Received+cnt.Registered+cnt.Returned > 0 {
			active[cnt.Procedure] = true
		}
		out.Received += cnt.Received
		out.Returned += cnt.Returned
		if !g.Agency(u, cnt.Agency) {
			continue // another unit's agency: in neither side of figures 2 and 3
		}
		if c.covered[coverKey{cnt.Agency, cnt.Month}] {
			recv += cnt.Received
			ret += cnt.Returned
		} else if cnt.Received+cnt.Returned > 0 {
			out.UncoveredReceived += cnt.Received
			out.UncoveredReturned += cnt.Returned
			uncovered[coverKey{cnt.Agency, cnt.Month}] = true
		}
	}
	var totD, totR int64
	for _, t := range totals {
		if (month != nil && t.Month != *month) || !deployed(t.Procedure) || !g.Agency(u, t.Agency) {
			continue
		}
		totD += t.Dossiers
		totR += t.Results
	}
	known := false
	for _, cv := range coverage {
		if (month == nil || cv.Month == *month) && g.Agency(u, cv.Agency) {
			known = true
			break
		}
	}
	if !known {
		// nothing to divide by: show every BCCI event of the period
		recv, ret = out.Received, out.Returned
		out.UncoveredReceived, out.UncoveredReturned, uncovered = 0, 0, nil
	}
	out.Figures = []domain.Figure{
		{Kind: domain.FigureProcedures, Numerator: int64(len(active)), Denominator: int64(nDeployed),
			DenominatorKnown: true, Target: c.targets.ProceduresWithBCCI},
		{Kind: domain.FigureDossiers, Numerator: recv, Denominator: totD, DenominatorKnown: known, Target: c.targets.DossiersViaBCCI},
		c.resultsFigure(ret, totD, totR, known),
	}
	for k := range uncovered {
		out.Uncovered = append(out.Uncovered, store.TotalsCover{Agency: k.agency, Month: k.month})
	}
	sort.Slice(out.Uncovered, func(i, j int) bool {
		a, b := out.Uncovered[i], out.Uncovered[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.Agency < b.Agency
	})
	return out
}

// resultsFigure is figure 3: results returned over all dossiers (the
// letter), or over all results when the targets say so.
func (c *computer) resultsFigure(ret, totD, totR int64, known bool) domain.Figure {
	f := domain.Figure{Kind: domain.FigureResults, Numerator: ret, Denominator: totD, DenominatorKnown: known, Target: c.targets.ResultsViaBCCI}
	if c.targets.OverResults() {
		f.Denominator, f.OverResults = totR, true
	}
	return f
}

// procedureRows details every deployed procedure over the whole scope.
func (c *computer) procedureRows(counts []Count, totals []store.TotalsRow) []ProcedureRow {
	rows := map[string]*ProcedureRow{}
	var order []string
	for _, p := range c.catalog {
		if !p.Deployed() {
			continue
		}
		rows[p.Code] = &ProcedureRow{Code: p.Code, Name: p.Name, Field: p.Field, Agency: p.AgencyCode,
			BCCIIntake: p.BCCIIntake, BCCIReturn: p.BCCIReturn}
		order = append(order, p.Code)
	}
	for _, cnt := range counts {
		r := rows[cnt.Procedure]
		if r == nil {
			continue
		}
		r.Received += cnt.Received
		r.Registered += cnt.Registered
		r.Returned += cnt.Returned
		if c.covered[coverKey{cnt.Agency, cnt.Month}] {
			r.CoveredReceived += cnt.Received
			r.CoveredReturned += cnt.Returned
		}
	}
	for _, t := range totals {
		r := rows[t.Procedure]
		if r == nil {
			continue
		}
		r.TotalDossiers += t.Dossiers
		r.TotalResults += t.Results
	}
	// A procedure's totals are known when its agency (or any agency it has
	// BCCI events or totals at) is covered in some month of the period.
	coveredAgency := map[string]bool{}
	for k := range c.covered {
		coveredAgency[k.agency] = true
	}
	for _, t := range totals {
		if r := rows[t.Procedure]; r != nil {
			r.TotalsKnown = true
		}
	}
	out := make([]ProcedureRow, 0, len(order))
	for _, code := range order {
		r := rows[code]
		if coveredAgency[r.Agency] {
			r.TotalsKnown = true
		}
		out = append(out, *r)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

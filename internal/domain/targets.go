package domain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// The province's three BCCI figures (Gia Lai's yearly letter, see
// shared/seeds/000_3e854c0bba25400f.txt):
//
//  1. "Tỷ lệ TTHC đã triển khai có phát sinh hồ sơ tiếp nhận/trả kết quả
//     giải quyết qua dịch vụ BCCI" — of the procedures deployed for BCCI,
//     the share that had at least one dossier taken in OR returned by post;
//  2. "Tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI" — dossiers received
//     through BCCI over all dossiers (BCCI and every other channel) of the
//     deployed procedures;
//  3. "Tỷ lệ kết quả giải quyết TTHC được trả qua dịch vụ BCCI: Đạt tỷ lệ
//     trên 15% tổng số hồ sơ (qua BCCI và qua các hình thức khác) của các
//     TTHC đã triển khai" — results returned through BCCI over all
//     dossiers (BCCI and every other channel) of the deployed procedures:
//     the same denominator as figure 2 (Targets.ResultsBase may switch it
//     to all results; the letter's reading is the default).
//
// The counting rules are written once, in the doc of internal/report.
//
// Each target is "trên N%": met only when the share is strictly above it.

// FigureKind names one of the three figures.
type FigureKind string

const (
	FigureProcedures FigureKind = "procedures" // deployed procedures with ≥1 BCCI dossier
	FigureDossiers   FigureKind = "dossiers"   // dossiers received through BCCI
	FigureResults    FigureKind = "results"    // results returned through BCCI
)

// FigureKinds lists the three figures in the letter's order.
var FigureKinds = []FigureKind{FigureProcedures, FigureDossiers, FigureResults}

// Target returns the target of figure k, in percent.
func (t Targets) Target(k FigureKind) float64 {
	switch k {
	case FigureProcedures:
		return t.ProceduresWithBCCI
	case FigureDossiers:
		return t.DossiersViaBCCI
	case FigureResults:
		return t.ResultsViaBCCI
	}
	return 0
}

// Deployed reports whether a procedure counts as "deployed for BCCI" (đã
// triển khai sử dụng dịch vụ BCCI). The letter's first figure counts
// procedures with a dossier "tiếp nhận/trả kết quả" through BCCI — taken in
// or returned — and the province's published list (Decision 1184/QĐ-UBND)
// is one list of procedures open for "tiếp nhận hồ sơ, trả kết quả" by
// post against one list of those that are not. So a procedure open for
// either service (BCCIIntake or BCCIReturn) is deployed; only one closed to
// both is not. The same set is the base of all three figures, as the letter
// words all three denominators alike ("của các TTHC đã triển khai").
func (p Procedure) Deployed() bool { return p.BCCIIntake || p.BCCIReturn }

// Figure is one of the three figures for a unit and a period.
type Figure struct {
	Kind        FigureKind `json:"kind"`
	Numerator   int64      `json:"numerator"`
	Denominator int64      `json:"denominator"`
	// DenominatorKnown is false when the all-channel totals the figure needs
	// were never imported for the period: the figure then has no percentage
	// (a report says so instead of showing a number).
	DenominatorKnown bool    `json:"denominator_known"`
	Target           float64 `json:"target"` // percent
	// OverResults is set on figure 3 when it divides by all results
	// (Targets.ResultsBase) instead of the letter's all dossiers.
	OverResults bool `json:"over_results,omitempty"`
}

// RuleKey is the i18n key of the one-line counting rule shown under the
// figure (report package doc: each rule with the letter's sentence).
func (f Figure) RuleKey() string {
	if f.Kind == FigureResults && f.OverResults {
		return "report.rule.results_over_results"
	}
	return "report.rule." + string(f.Kind)
}

// Percent is the share in percent; ok is false when the denominator is
// unknown. 0 over 0 is 0% (a period with no dossiers is not an error).
func (f Figure) Percent() (pct float64, ok bool) {
	if !f.DenominatorKnown {
		return 0, false
	}
	if f.Denominator <= 0 {
		return 0, true
	}
	return 100 * float64(f.Numerator) / float64(f.Denominator), true
}

// Met reports whether the figure is strictly above its target ("trên").
// A figure without a known denominator is never met.
func (f Figure) Met() bool {
	p, ok := f.Percent()
	return ok && p > f.Target
}

// Gap is the percentage minus the target (negative: below the target);
// ok is false without a denominator.
func (f Figure) Gap() (float64, bool) {
	p, ok := f.Percent()
	return p - f.Target, ok
}

// FormatPercent writes a percentage the Vietnamese way with one decimal:
// "12,5%".
func FormatPercent(p float64) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Round(p*10)/10, 'f', 1, 64)
	return strings.Replace(s, ".", ",", 1) + "%"
}

// Month is a calendar month in Vietnam time, written "2026-03".
type Month string

// MonthOf is the month of t in Zone.
func MonthOf(t time.Time) Month {
	return Month(t.In(Zone).Format("2006-01"))
}

// ParseMonth reads a month written mm/yyyy ("03/2026", "3/2026") or
// yyyy-mm ("2026-03").
func ParseMonth(s string) (Month, error) {
	s = strings.TrimSpace(s)
	bad := Errf("month", "err.month.format", "%q is not a month in the form mm/yyyy", s).WithArgs("Value", s)
	var y, m int
	var err1, err2 error
	if a, b, ok := strings.Cut(s, "/"); ok {
		m, err1 = strconv.Atoi(a)
		y, err2 = strconv.Atoi(b)
		if len(b) != 4 || len(a) < 1 || len(a) > 2 {
			return "", bad
		}
	} else if a, b, ok := strings.Cut(s, "-"); ok {
		y, err1 = strconv.Atoi(a)
		m, err2 = strconv.Atoi(b)
		if len(a) != 4 || len(b) < 1 || len(b) > 2 {
			return "", bad
		}
	} else {
		return "", bad
	}
	if err1 != nil || err2 != nil || m < 1 || m > 12 || y < 1900 || y > 9999 {
		return "", bad
	}
	return Month(fmt.Sprintf("%04d-%02d", y, m)), nil
}

// Start is the first instant of the month in Zone.
func (m Month) Start() time.Time {
	t, err := time.ParseInLocation("2006-01", string(m), Zone)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Label writes the month as mm/yyyy.
func (m Month) Label() string {
	if len(m) != 7 {
		return string(m)
	}
	return string(m[5:]) + "/" + string(m[:4])
}

// Next is the following month.
func (m Month) Next() Month { return MonthOf(m.Start().AddDate(0, 1, 0)) }

// Period is a span of whole days in Vietnam time, From and To included
// (both at 00:00 in Zone).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(Zone).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Zone)
}

// NewPeriod makes the period of the days from..to, both included. It is
// refused when to is before from.
func NewPeriod(from, to time.Time) (Period, error) {
	p := Period{From: startOfDay(from), To: startOfDay(to)}
	if p.To.Before(p.From) {
		return Period{}, Errf("period", "err.period.order", "the end %s is before the start %s",
			FormatDate(p.To), FormatDate(p.From)).WithArgs("From", FormatDate(p.From), "To", FormatDate(p.To))
	}
	return p, nil
}

// ParsePeriod reads a range typed dd/mm/yyyy – dd/mm/yyyy.
func ParsePeriod(from, to string) (Period, error) {
	f, err := ParseDate(from, Zone)
	if err != nil {
		if fe, ok := err.(*FieldError); ok {
			return Period{}, fe.In("from")
		}
		return Period{}, err
	}
	t, err := ParseDate(to, Zone)
	if err != nil {
		if fe, ok := err.(*FieldError); ok {
			return Period{}, fe.In("to")
		}
		return Period{}, err
	}
	return NewPeriod(f, t)
}

// MonthPeriod is one calendar month.
func MonthPeriod(year int, month time.Month) Period {
	f := time.Date(year, month, 1, 0, 0, 0, 0, Zone)
	return Period{From: f, To: f.AddDate(0, 1, -1)}
}

// QuarterPeriod is quarter q (1–4) of a year.
func QuarterPeriod(year, q int) Period {
	q = min(max(q, 1), 4)
	f := time.Date(year, time.Month(3*q-2), 1, 0, 0, 0, 0, Zone)
	return Period{From: f, To: f.AddDate(0, 3, -1)}
}

// YearPeriod is a calendar year (the province grades units per year).
func YearPeriod(year int) Period {
	return Period{From: time.Date(year, 1, 1, 0, 0, 0, 0, Zone), To: time.Date(year, 12, 31, 0, 0, 0, 0, Zone)}
}

// Start is the first instant of the period.
func (p Period) Start() time.Time { return p.From }

// End is the first instant after the period (the day after To, 00:00).
func (p Period) End() time.Time { return p.To.AddDate(0, 0, 1) }

// Contains reports whether t falls within the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start()) && t.Before(p.End()) }

// Months lists the calendar months the period touches, in order.
func (p Period) Months() []Month {
	var out []Month
	last := MonthOf(p.To)
	for m := MonthOf(p.From); m <= last; m = m.Next() {
		out = append(out, m)
	}
	return out
}

// Label writes the period as "dd/mm/yyyy – dd/mm/yyyy".
func (p Period) Label() string { return FormatDate(p.From) + " – " + FormatDate(p.To) }

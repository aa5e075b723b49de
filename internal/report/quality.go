package report

import (
	"context"
	"math"
	"sort"
	"time"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Service quality, the province's other question: how long each leg of the
// round trip takes and how often the post gets it right first time.
//
// Every measure is taken from the events' times, in days (24 hours, with
// fractions), over the dossiers whose leg ENDS in the period:
//
//   - intake → handover: from the intake to the first handover to the agency;
//   - handover → result: from the last handover before the result (after a
//     supplement the dossier is handed over again) to result_ready;
//   - result at post → delivery: from the result's arrival at the post point
//     (dossier.result_handover) to the delivery.
//
// Medians are the middle value (the mean of the two middle ones for an even
// count); the 90th percentile is the nearest-rank value (the smallest value
// with at least 90% of the values at or below it).
//
// Handed over within one working day: of the dossiers taken in during the
// period (not cancelled before a handover), the share handed over before
// the end of the first working day after the day of intake (working days of
// internal/calendar, the same calendar at the post point and the hub). A dossier
// not yet handed over counts against once that deadline has passed, and is
// left out while it has not.
//
// Delivered on the first attempt: of the dossiers whose delivery ended in
// the period (delivered, or sent back to the agency undeliverable), the
// share delivered with no failed attempt before.

// Timeline is one dossier's times, zero when the step has not happened.
type Timeline struct {
	Unit          string // the post point, at the hub
	Procedure     string
	Intake        time.Time
	FirstHandover time.Time
	LastHandover  time.Time // the last handover before ResultReady (or the last one)
	ResultReady   time.Time
	ResultAtPost  time.Time
	Delivered     time.Time
	Returned      time.Time // sent back to the agency undeliverable
	Cancelled     time.Time
	Failed        int // failed delivery attempts before the delivery
}

// Stat is the distribution of one duration, in days.
type Stat struct {
	N      int     `json:"n"`
	Median float64 `json:"median_days"`
	P90    float64 `json:"p90_days"`
}

// Share is a count out of a population.
type Share struct {
	Num int64 `json:"num"`
	Den int64 `json:"den"`
}

// Percent is the share in percent (0 when the population is empty).
func (s Share) Percent() float64 {
	if s.Den <= 0 {
		return 0
	}
	return 100 * float64(s.Num) / float64(s.Den)
}

// QualityRow is the service quality of one post point or procedure.
type QualityRow struct {
	Key              string `json:"key"`
	Name             string `json:"name"`
	IntakeToHandover Stat   `json:"intake_to_handover"`
	HandoverToResult Stat   `json:"handover_to_result"`
	PostToDelivery   Stat   `json:"post_to_delivery"`
	HandedOverIn1Day Share  `json:"handed_over_within_1_working_day"`
	FirstAttempt     Share  `json:"delivered_first_attempt"`
}

// QualityReport is the service quality of a scope, and by post point and
// by procedure.
type QualityReport struct {
	Total       QualityRow   `json:"total"`
	ByPostPoint []QualityRow `json:"by_post_point"`
	ByProcedure []QualityRow `json:"by_procedure"`
}

type qualityAcc struct {
	a, b, c []float64
	h1, fa  Share
}

func days(from, to time.Time) float64 { return to.Sub(from).Hours() / 24 }

// ComputeQuality measures timelines over period p; now decides whether a
// pending handover's deadline has passed; names gives procedures' and
// units' display names (may be nil).
func ComputeQuality(tl []Timeline, p domain.Period, cal *calendar.Calendar, now time.Time, names map[string]string) *QualityReport {
	total := &qualityAcc{}
	byUnit := map[string]*qualityAcc{}
	byProc := map[string]*qualityAcc{}
	get := func(m map[string]*qualityAcc, k string) *qualityAcc {
		a := m[k]
		if a == nil {
			a = &qualityAcc{}
			m[k] = a
		}
		return a
	}
	for i := range tl {
		t := &tl[i]
		accs := []*qualityAcc{total, get(byUnit, t.Unit), get(byProc, t.Procedure)}
		add := func(f func(a *qualityAcc)) {
			for _, a := range accs {
				f(a)
			}
		}
		if !t.Intake.IsZero() && !t.FirstHandover.IsZero() && p.Contains(t.FirstHandover) && !t.FirstHandover.Before(t.Intake) {
			v := days(t.Intake, t.FirstHandover)
			add(func(a *qualityAcc) { a.a = append(a.a, v) })
		}
		if !t.LastHandover.IsZero() && !t.ResultReady.IsZero() && p.Contains(t.ResultReady) && !t.ResultReady.Before(t.LastHandover) {
			v := days(t.LastHandover, t.ResultReady)
			add(func(a *qualityAcc) { a.b = append(a.b, v) })
		}
		if !t.ResultAtPost.IsZero() && !t.Delivered.IsZero() && p.Contains(t.Delivered) && !t.Delivered.Before(t.ResultAtPost) {
			v := days(t.ResultAtPost, t.Delivered)
			add(func(a *qualityAcc) { a.c = append(a.c, v) })
		}
		if !t.Intake.IsZero() && p.Contains(t.Intake) {
			// the end of the first working day after the day of intake
			deadline := cal.AddWorkingDays(t.Intake, 1).AddDate(0, 0, 1)
			cancelledFirst := !t.Cancelled.IsZero() && (t.FirstHandover.IsZero() || t.Cancelled.Before(t.FirstHandover))
			switch {
			case cancelledFirst:
			case !t.FirstHandover.IsZero():
				in := t.FirstHandover.Before(deadline)
				add(func(a *qualityAcc) {
					a.h1.Den++
					if in {
						a.h1.Num++
					}
				})
			case !now.Before(deadline):
				add(func(a *qualityAcc) { a.h1.Den++ })
			}
		}
		ended := t.Delivered
		if ended.IsZero() {
			ended = t.Returned
		}
		if !ended.IsZero() && p.Contains(ended) {
			first := !t.Delivered.IsZero() && t.Failed == 0
			add(func(a *qualityAcc) {
				a.fa.Den++
				if first {
					a.fa.Num++
				}
			})
		}
	}
	name := func(k string) string {
		if n, ok := names[k]; ok && n != "" {
			return n
		}
		return k
	}
	q := &QualityReport{Total: total.row("", "")}
	for _, k := range sortedAccKeys(byUnit) {
		q.ByPostPoint = append(q.ByPostPoint, byUnit[k].row(k, name(k)))
	}
	for _, k := range sortedAccKeys(byProc) {
		row := byProc[k].row(k, name(k))
		if row.IntakeToHandover.N+row.HandoverToResult.N+row.PostToDelivery.N == 0 && row.HandedOverIn1Day.Den+row.FirstAttempt.Den == 0 {
			continue // nothing happened to this procedure in the period
		}
		q.ByProcedure = append(q.ByProcedure, row)
	}
	var kept []QualityRow
	for _, r := range q.ByPostPoint {
		if r.IntakeToHandover.N+r.HandoverToResult.N+r.PostToDelivery.N+int(r.HandedOverIn1Day.Den+r.FirstAttempt.Den) > 0 {
			kept = append(kept, r)
		}
	}
	q.ByPostPoint = kept
	return q
}

func (a *qualityAcc) row(key, name string) QualityRow {
	return QualityRow{Key: key, Name: name, IntakeToHandover: stat(a.a), HandoverToResult: stat(a.b),
		PostToDelivery: stat(a.c), HandedOverIn1Day: a.h1, FirstAttempt: a.fa}
}

func sortedAccKeys(m map[string]*qualityAcc) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// stat sorts vs and returns its median and nearest-rank 90th percentile.
func stat(vs []float64) Stat {
	n := len(vs)
	if n == 0 {
		return Stat{}
	}
	sort.Float64s(vs)
	med := vs[n/2]
	if n%2 == 0 {
		med = (vs[n/2-1] + vs[n/2]) / 2
	}
	rank := int(math.Ceil(0.9*float64(n))) - 1
	return Stat{N: n, Median: med, P90: vs[max(rank, 0)]}
}

// PointTimelines reads, from a post point's event log, the timelines of
// the dossiers with a step in [from, to) (the SQL is the store's:
// store.TimelineEvents).
func PointTimelines(ctx context.Context, s *store.Store, unit string, from, to time.Time) ([]Timeline, error) {
	events, err := s.TimelineEvents(ctx, from, to)
	if err != nil {
		return nil, err
	}
	var out []Timeline
	var cur *Timeline
	curID := ""
	for _, e := range events {
		if e.Dossier != curID || cur == nil {
			out = append(out, Timeline{Unit: unit, Procedure: e.Procedure})
			cur, curID = &out[len(out)-1], e.Dossier
		}
		cur.step(e.Kind, e.At)
	}
	return out, nil
}

// step adds one event to a timeline; events come in the order recorded.
func (t *Timeline) step(k domain.Kind, at time.Time) {
	switch k {
	case domain.KindIntake:
		t.Intake = at
	case domain.KindHandover:
		if t.FirstHandover.IsZero() {
			t.FirstHandover = at
		}
		if t.ResultReady.IsZero() {
			t.LastHandover = at
		}
	case domain.KindResultReady:
		t.ResultReady = at
	case domain.KindResultHandover:
		t.ResultAtPost = at
	case domain.KindDeliver:
		t.Delivered = at
	case domain.KindDeliveryFailed:
		if t.Delivered.IsZero() {
			t.Failed++
		}
	case domain.KindReturnToAgency:
		t.Returned = at
	case domain.KindCancel:
		t.Cancelled = at
	}
}

// PointQuality measures a post point's service quality over period p.
func PointQuality(ctx context.Context, s *store.Store, p domain.Period) (*QualityReport, error) {
	_, pp, err := s.Device(ctx)
	if err != nil && err != store.ErrNotSetUp {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := calendar.LoadLocal(s.CalendarDir(), st.Holidays)
	if err != nil {
		return nil, err // a broken calendar file or day off: said, not guessed around
	}
	tl, err := PointTimelines(ctx, s, pp.Code, p.Start(), p.End())
	if err != nil {
		return nil, err
	}
	procs, err := s.Procedures(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]string{pp.Code: pp.Name}
	for _, pr := range procs {
		names[pr.Code] = pr.Name
	}
	return ComputeQuality(tl, p, cal, s.Now(), names), nil
}

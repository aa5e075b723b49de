package domain

import (
	"math"
	"testing"
	"time"
)

func TestFigurePercentAndMet(t *testing.T) {
	for _, c := range []struct {
		f       Figure
		pct     float64
		ok, met bool
	}{
		{Figure{Numerator: 0, Denominator: 0, DenominatorKnown: true, Target: 10}, 0, true, false},   // 0/0: 0%, no error
		{Figure{Numerator: 1, Denominator: 10, DenominatorKnown: true, Target: 10}, 10, true, false}, // exactly the target is not "above"
		{Figure{Numerator: 11, Denominator: 100, DenominatorKnown: true, Target: 10}, 11, true, true},
		{Figure{Numerator: 5, Denominator: 0, DenominatorKnown: false, Target: 10}, 0, false, false}, // no totals: no percentage
		{Figure{Numerator: 3, Denominator: 0, DenominatorKnown: true, Target: 0}, 0, true, false},
	} {
		pct, ok := c.f.Percent()
		if ok != c.ok || math.Abs(pct-c.pct) > 1e-9 || c.f.Met() != c.met {
			t.Errorf("%+v: %v %v met %v, want %v %v %v", c.f, pct, ok, c.f.Met(), c.pct, c.ok, c.met)
		}
	}
	if g, ok := (Figure{Numerator: 1, Denominator: 4, DenominatorKnown: true, Target: 50}).Gap(); !ok || g != -25 {
		t.Errorf("gap %v %v", g, ok)
	}
	if s := FormatPercent(12.345); s != "12,3%" {
		t.Errorf("FormatPercent %q", s)
	}
	d := DefaultSettings().Targets
	if d.Target(FigureProcedures) != 50 || d.Target(FigureDossiers) != 10 || d.Target(FigureResults) != 15 {
		t.Errorf("default targets %+v", d)
	}
}

func TestDeployed(t *testing.T) {
	for _, c := range []struct {
		in, ret, want bool
	}{{true, false, true}, {false, true, true}, {true, true, true}, {false, false, false}} {
		if got := (Procedure{BCCIIntake: c.in, BCCIReturn: c.ret}).Deployed(); got != c.want {
			t.Errorf("intake %v return %v: deployed %v", c.in, c.ret, got)
		}
	}
}

func TestPeriods(t *testing.T) {
	p, err := ParsePeriod("15/03/2026", "20/05/2026")
	if err != nil {
		t.Fatal(err)
	}
	ms := p.Months()
	if len(ms) != 3 || ms[0] != "2026-03" || ms[2] != "2026-05" {
		t.Errorf("months %v", ms)
	}
	// the period ends at the start of the day after To, in Vietnam time
	if got := p.End(); !got.Equal(time.Date(2026, 5, 21, 0, 0, 0, 0, Zone)) || !p.Contains(time.Date(2026, 5, 20, 23, 59, 0, 0, Zone)) ||
		p.Contains(time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("end %v", got)
	}
	if _, err := ParsePeriod("20/05/2026", "15/03/2026"); err == nil {
		t.Error("a period ending before it starts was accepted")
	}
	if _, err := ParsePeriod("31/02/2026", "15/03/2026"); err == nil {
		t.Error("31/02 accepted")
	} else if fe, ok := err.(*FieldError); !ok || fe.Field != "from" {
		t.Errorf("error %v does not name the field", err)
	}
	if q := QuarterPeriod(2026, 4); q.Label() != "01/10/2026 – 31/12/2026" {
		t.Errorf("Q4 %s", q.Label())
	}
	if m := MonthPeriod(2028, time.February); m.Label() != "01/02/2028 – 29/02/2028" {
		t.Errorf("February of a leap year %s", m.Label())
	}
	if y := YearPeriod(2026); len(y.Months()) != 12 {
		t.Errorf("year months %v", y.Months())
	}
	// 23:30 on 31/01 UTC is already February in Vietnam
	if m := MonthOf(time.Date(2026, 1, 31, 23, 30, 0, 0, time.UTC)); m != "2026-02" {
		t.Errorf("MonthOf %s", m)
	}
}

func TestParseMonth(t *testing.T) {
	for in, want := range map[string]Month{"03/2026": "2026-03", "3/2026": "2026-03", "2026-12": "2026-12", " 12/2025 ": "2025-12"} {
		if got, err := ParseMonth(in); err != nil || got != want {
			t.Errorf("ParseMonth(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "13/2026", "0/2026", "03/26", "2026/03", "x", "03-2026-01"} {
		if _, err := ParseMonth(in); err == nil {
			t.Errorf("ParseMonth(%q) accepted", in)
		}
	}
	if m := Month("2026-12"); m.Next() != "2027-01" || m.Label() != "12/2026" {
		t.Errorf("Next %s Label %s", m.Next(), m.Label())
	}
}

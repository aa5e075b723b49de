package domain

import (
	"errors"
	"testing"
	"time"
)

func ict(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, Zone)
}

func mustHolidays(t *testing.T, list ...string) []time.Time {
	t.Helper()
	h, err := ParseHolidays(list)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAppointmentDate(t *testing.T) {
	// Tết Bính Ngọ 2026: Saturday 14/02 to Sunday 22/02; the working days
	// off are Monday 16 to Friday 20.
	tet := mustHolidays(t, "16/02/2026", "17/02/2026", "18/02/2026", "19/02/2026", "20/02/2026")
	newYear := mustHolidays(t, "01/01/2026")
	reunification := mustHolidays(t, "30/04/2026", "01/05/2026")
	all := append(append(append([]time.Time{}, tet...), newYear...), reunification...)

	cases := []struct {
		name             string
		from             time.Time
		process, transit int
		holidays         []time.Time
		want             string
	}{
		{"within a week", ict(2025, 11, 24, 10, 0), 3, 0, nil, "27/11/2025"},
		{"Friday plus one is Monday", ict(2025, 11, 28, 9, 0), 1, 0, nil, "01/12/2025"},
		{"Saturday intake counts from Monday", ict(2025, 11, 29, 9, 0), 1, 0, nil, "01/12/2025"},
		{"Sunday intake counts from Monday", ict(2025, 11, 30, 9, 0), 0, 1, nil, "01/12/2025"},
		{"processing plus transit over a weekend", ict(2025, 11, 28, 9, 0), 5, 2, nil, "09/12/2025"},
		{"two weekends", ict(2025, 11, 24, 9, 0), 10, 0, nil, "08/12/2025"},
		{"year end skips New Year's Day", ict(2025, 12, 31, 15, 0), 2, 0, newYear, "05/01/2026"},
		{"year end without holidays", ict(2025, 12, 31, 15, 0), 2, 0, nil, "02/01/2026"},
		{"Tết: the whole week off is skipped", ict(2026, 2, 13, 8, 0), 1, 2, tet, "25/02/2026"},
		{"Tết: counting runs into it", ict(2026, 2, 11, 8, 0), 3, 2, tet, "25/02/2026"},
		{"Tết ignored when not listed", ict(2026, 2, 13, 8, 0), 1, 2, nil, "18/02/2026"},
		{"30/4 and 1/5", ict(2026, 4, 29, 8, 0), 1, 0, reunification, "04/05/2026"},
		{"several runs in one list", ict(2025, 12, 30, 8, 0), 35, 2, all, "27/02/2026"},
		{"holiday on a Saturday changes nothing", ict(2026, 5, 1, 8, 0), 1, 0, mustHolidays(t, "02/05/2026"), "04/05/2026"},
		{"zero days is the day of receipt", ict(2025, 11, 29, 9, 0), 0, 0, nil, "29/11/2025"},
		{"negative days count as zero", ict(2025, 11, 24, 9, 0), -3, 1, nil, "25/11/2025"},
		// 27/11 23:59 Vietnam time is 16:59 UTC: still Thursday in Vietnam.
		{"late Thursday in Vietnam", time.Date(2025, 11, 27, 16, 59, 0, 0, time.UTC), 1, 0, nil, "28/11/2025"},
		// 17:00 UTC Thursday is already Friday 00:00 in Vietnam.
		{"UTC Thursday is Vietnamese Friday", time.Date(2025, 11, 27, 17, 0, 0, 0, time.UTC), 1, 0, nil, "01/12/2025"},
		{"leap day", ict(2028, 2, 28, 8, 0), 1, 0, nil, "29/02/2028"},
	}
	for _, c := range cases {
		got := AppointmentDate(c.from, c.process, c.transit, c.holidays)
		if FormatDate(got) != c.want {
			t.Errorf("%s: AppointmentDate(%s, %d, %d) = %s, want %s", c.name, FormatDateTime(c.from),
				c.process, c.transit, FormatDate(got), c.want)
		}
		if got.Location() != Zone || got.Hour() != 0 || got.Minute() != 0 {
			t.Errorf("%s: result %v is not midnight in Zone", c.name, got)
		}
		if c.process+c.transit > 0 && !IsWorkingDay(got, HolidaySet(c.holidays)) {
			t.Errorf("%s: result %s is not a working day", c.name, FormatDate(got))
		}
	}
}

func TestAppointmentDateHugeCountIsBounded(t *testing.T) {
	start := time.Now()
	got := AppointmentDate(ict(2025, 1, 1, 8, 0), 1<<40, 1<<40, nil)
	if got.Year() > 2036 || got.Year() < 2034 {
		t.Errorf("AppointmentDate with a corrupt day count = %s, want about ten years on", FormatDate(got))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

func TestParseHolidays(t *testing.T) {
	got, err := ParseHolidays([]string{" 01/01/2026 ", "", "5/3/2026", "30-04-2026"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"01/01/2026", "05/03/2026", "30/04/2026"}
	if len(got) != len(want) {
		t.Fatalf("got %d holidays, want %d", len(got), len(want))
	}
	for i, w := range want {
		if FormatDate(got[i]) != w || got[i].Location() != Zone || got[i].Hour() != 0 {
			t.Errorf("holiday %d = %v, want %s at 00:00 in Zone", i, got[i], w)
		}
	}
	if got, err := ParseHolidays(nil); err != nil || len(got) != 0 {
		t.Errorf("ParseHolidays(nil) = %v, %v", got, err)
	}

	for _, c := range []struct {
		list  []string
		n     string
		value string
	}{
		{[]string{"01/01/2026", "31/02/2026"}, "2", "31/02/2026"},
		{[]string{"", "Tết"}, "2", "Tết"},
		{[]string{"2026-01-01"}, "1", "2026-01-01"},
	} {
		_, err := ParseHolidays(c.list)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("ParseHolidays(%q) = %v, want a FieldError", c.list, err)
		}
		if fe.Field != "holidays" || fe.Key != "err.holiday.invalid" || fe.Args["N"] != c.n || fe.Args["Value"] != c.value {
			t.Errorf("ParseHolidays(%q) = %+v, want entry %s %q named", c.list, fe, c.n, c.value)
		}
	}
}

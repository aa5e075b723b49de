package calendar

import (
	"testing"
	"time"

	"postdesk/internal/domain"
)

func ict(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, Zone) }

// TestAddWorkingDays: the count's own rules (moved from domain's
// AppointmentDate): the day of receipt never counts, Vietnam's day whatever
// the PC's zone, local days off on top of the official calendar.
func TestAddWorkingDays(t *testing.T) {
	c := Embedded()
	local := c.WithExtra([]time.Time{ict(2025, 12, 2, 0, 0)}, LocalName)
	cases := []struct {
		name             string
		cal              *Calendar
		from             time.Time
		process, transit int
		want             string
	}{
		{"within a week", c, ict(2025, 11, 24, 10, 0), 3, 0, "27/11/2025"},
		{"Friday plus one is Monday", c, ict(2025, 11, 28, 9, 0), 1, 0, "01/12/2025"},
		{"Saturday intake counts from Monday", c, ict(2025, 11, 29, 9, 0), 1, 0, "01/12/2025"},
		{"Sunday intake counts from Monday", c, ict(2025, 11, 30, 9, 0), 0, 1, "01/12/2025"},
		{"processing plus transit over a weekend", c, ict(2025, 11, 28, 9, 0), 5, 2, "09/12/2025"},
		{"a local day off", local, ict(2025, 11, 28, 9, 0), 5, 2, "10/12/2025"},
		{"two weekends", c, ict(2025, 11, 24, 9, 0), 10, 0, "08/12/2025"},
		{"year end skips New Year's Day", c, ict(2025, 12, 31, 15, 0), 2, 0, "05/01/2026"},
		{"zero days is the day of receipt", c, ict(2025, 11, 29, 9, 0), 0, 0, "29/11/2025"},
		{"negative days count as zero", c, ict(2025, 11, 24, 9, 0), -3, 1, "25/11/2025"},
		// 27/11 23:59 Vietnam time is 16:59 UTC: still Thursday in Vietnam.
		{"late Thursday in Vietnam", c, time.Date(2025, 11, 27, 16, 59, 0, 0, time.UTC), 1, 0, "28/11/2025"},
		// 17:00 UTC Thursday is already Friday 00:00 in Vietnam.
		{"UTC Thursday is Vietnamese Friday", c, time.Date(2025, 11, 27, 17, 0, 0, 0, time.UTC), 1, 0, "01/12/2025"},
		{"leap day", c, ict(2028, 2, 28, 8, 0), 1, 0, "29/02/2028"},
	}
	for _, cs := range cases {
		got := cs.cal.Appointment(cs.from, cs.process, cs.transit).Date
		if domain.FormatDate(got) != cs.want {
			t.Errorf("%s: %s, want %s", cs.name, domain.FormatDate(got), cs.want)
		}
		if got.Location() != Zone || got.Hour() != 0 || got.Minute() != 0 {
			t.Errorf("%s: result %v is not midnight in Vietnam", cs.name, got)
		}
		if cs.process+cs.transit > 0 && !cs.cal.IsWorkingDay(got) {
			t.Errorf("%s: result %s is not a working day", cs.name, domain.FormatDate(got))
		}
	}
}

func TestHugeCountIsBounded(t *testing.T) {
	start := time.Now()
	got := Embedded().AddWorkingDays(ict(2025, 1, 1, 8, 0), 1<<40)
	if got.Year() > 2036 || got.Year() < 2034 {
		t.Errorf("a corrupt day count gives %s, want about ten years on", domain.FormatDate(got))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
}

package domain

import (
	"strconv"
	"strings"
	"time"
)

// maxWorkingDays bounds AppointmentDate's count so that a corrupt catalog
// figure cannot freeze the desk: ten years of working days is far beyond
// any real procedure.
const maxWorkingDays = 2600

// AppointmentDate is the appointment (due) date promised to the citizen at
// intake: processingDays of the procedure plus transitDays for the post,
// counted in working days after the day of receipt. A working day is Monday
// to Friday and not one of holidays. Days are calendar days in Zone, so a
// dossier taken at 23:30 Vietnam time on Friday counts from that Friday
// whatever the PC's time zone.
//
// The day of receipt itself is never counted (the dossier arrives during
// it), so 1 working day from a Friday is the next Monday, and from a
// Saturday also Monday. A total of zero or less gives the day of receipt.
// The result is that day at 00:00 in Zone.
func AppointmentDate(from time.Time, processingDays, transitDays int, holidays []time.Time) time.Time {
	y, m, d := from.In(Zone).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, Zone)
	n := max(processingDays, 0) + max(transitDays, 0)
	n = min(n, maxWorkingDays)
	if n == 0 {
		return day
	}
	off := HolidaySet(holidays)
	for n > 0 {
		// AddDate on a date at midnight in a zone without daylight saving
		// always lands on the next midnight.
		day = day.AddDate(0, 0, 1)
		if IsWorkingDay(day, off) {
			n--
		}
	}
	return day
}

// IsWorkingDay reports whether t's calendar day in Zone is Monday to Friday
// and not a holiday; holidays is a set built by HolidaySet (nil: none).
func IsWorkingDay(t time.Time, holidays map[int]bool) bool {
	switch t.In(Zone).Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !holidays[dayKey(t)]
}

// HolidaySet turns a list of holidays into the set IsWorkingDay takes.
func HolidaySet(holidays []time.Time) map[int]bool {
	off := make(map[int]bool, len(holidays))
	for _, h := range holidays {
		off[dayKey(h)] = true
	}
	return off
}

// dayKey is t's calendar day in Zone as yyyymmdd.
func dayKey(t time.Time) int {
	y, m, d := t.In(Zone).Date()
	return y*10000 + int(m)*100 + d
}

// ParseHolidays reads the public holidays listed in Settings.Holidays, each
// written dd/mm/yyyy (see ParseDate), as days at 00:00 in Zone. Blank
// entries are skipped, so a settings form may keep an empty line. The first
// bad entry is reported as a *FieldError on field "holidays" with key
// err.holiday.invalid, naming its position (N, from 1) and text (Value).
func ParseHolidays(list []string) ([]time.Time, error) {
	out := make([]time.Time, 0, len(list))
	for i, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t, err := ParseDate(s, Zone)
		if err != nil {
			reason := err.Error()
			if fe, ok := err.(*FieldError); ok {
				reason = fe.Msg
			}
			n := strconv.Itoa(i + 1)
			return nil, Errf("holidays", "err.holiday.invalid", "holiday %s %q: %s", n, s, reason).
				WithArgs("N", n, "Value", s)
		}
		out = append(out, t)
	}
	return out, nil
}

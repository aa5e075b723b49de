package domain

import (
	"strconv"
	"strings"
	"time"
)

// ParseHolidays reads the local days off listed in Settings.Holidays (on
// top of the official calendar of internal/calendar), each
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

package domain

import (
	"errors"
	"testing"
)

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

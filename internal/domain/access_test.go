package domain

import "testing"

func TestSearchAccess(t *testing.T) {
	for in, want := range map[string]AccessWhat{
		"064090000123": AccessSearchID, "064 090 000 123": AccessSearchID, "123456789": AccessSearchID,
		"0905123456": AccessSearchPhone, "0905.123.456": AccessSearchPhone, "+84905123456": AccessSearchPhone,
		"nguyen van": "", "600900A-261125-0001": "", "RR473124829VN": "", "1234": "", "": "",
	} {
		got, ok := SearchAccess(in)
		if got != want || ok != (want != "") {
			t.Errorf("SearchAccess(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
}

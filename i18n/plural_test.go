package i18n

import "testing"

// TestCountsAndPluralsFollowTheLanguage: "3,005 dossiers" and "1 attempt"
// in English, "3.005 hồ sơ" and no plural in Vietnamese.
func TestCountsAndPluralsFollowTheLanguage(t *testing.T) {
	en, err := New("en")
	if err != nil {
		t.Fatal(err)
	}
	vi, err := New("vi")
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 3005: "3,005", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := en.Count(n); got != want {
			t.Errorf("en Count(%d) = %q, want %q", n, got, want)
		}
	}
	if got := vi.Count(3005); got != "3.005" {
		t.Errorf("vi Count(3005) = %q", got)
	}
	if got := en.Tf("handover.pdf.attempts", map[string]string{"N": "1"}); got != "1 attempt" {
		t.Errorf("en one attempt: %q", got)
	}
	if got := en.Tf("handover.pdf.attempts", map[string]string{"N": en.Count(3)}); got != "3 attempts" {
		t.Errorf("en three attempts: %q", got)
	}
	if got := en.Tf("dossiers.count", map[string]string{"N": en.Count(3005)}); got != "3,005 dossiers" {
		t.Errorf("en 3005 dossiers: %q", got)
	}
	if one, many := vi.Tf("dossiers.count", map[string]string{"N": "1"}), vi.Tf("dossiers.count", map[string]string{"N": "2"}); one[1:] != many[1:] {
		t.Errorf("vi: %q and %q differ beyond the number", one, many)
	}
}

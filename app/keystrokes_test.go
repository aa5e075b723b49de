package app

import (
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"golang.org/x/text/unicode/norm"
)

// telexKeys is how many keys text takes on a Vietnamese keyboard typing
// Telex (the usual Unikey setting): a letter is one key, each mark on it
// (circumflex, breve, horn, tone) one more, đ is "dd".
func telexKeys(text string) int {
	n := 0
	for _, r := range norm.NFD.String(text) {
		switch {
		case r == 'đ' || r == 'Đ':
			n += 2
		case unicode.Is(unicode.Mn, r):
			n++ // â = aa, ơ = ow, á = as …
		default:
			n++
		}
	}
	return n
}

func TestTelexKeys(t *testing.T) {
	for text, want := range map[string]int{"Rơ Mah H'Bích": 15, "Làng Mrông Yố": 17, "Đinh": 5, "0905123456": 10} {
		if got := telexKeys(text); got != want {
			t.Errorf("telexKeys(%q) = %d, want %d", text, got, want)
		}
	}
}

// TestIntakeKeystrokes counts the keys of a typical intake at the counter
// (procedure by code, name, CCCD, phone, village, every paper received,
// save), each key pressed as a clerk would — Tab, the text in Telex, Enter,
// Ctrl+D as two keys — and checks the dossier is saved. The figure is
// logged for the README. The goal is at most 60 keys; today it is
// 73 (54 of them the citizen's own name, ID, phone and village), so the
// check holds the line at 73 rather than claiming the goal: a change that
// adds a key fails here.
// intakeKeysToday is the count measured when the test was written.
const intakeKeysToday = 73

func TestIntakeKeystrokes(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	keys := 0
	tabs := func(n int) {
		for range n {
			tab(u)
			keys++
		}
	}
	typ := func(s string) { typeKeys(t, u, s); keys += telexKeys(s) }
	tabs(1) // service: keep "send and return" → procedure
	typ("1.001193")
	press(t, u, fyne.KeyReturn)
	keys++
	tabs(1) // → name
	typ("Rơ Mah H'Bích")
	tabs(2) // (ID type: CCCD) → ID number
	typ("064301000045")
	tabs(1)
	typ("0905123456")
	tabs(2) // (commune: the post point's) → village
	typ("Làng Mrông Yố")
	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl}).ShortcutName())
	keys += 2
	press(t, u, fyne.KeyReturn) // save
	keys++
	if f.lastID == "" {
		t.Fatalf("not saved after %d keys; errors: %v", keys, visibleErrors(f))
	}
	t.Logf("a typical intake takes %d keys (Telex)", keys)
	if keys > intakeKeysToday {
		t.Errorf("a typical intake takes %d keys, more than the %d of today (the goal is 60)", keys, intakeKeysToday)
	}
}

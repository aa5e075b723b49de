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
// (procedure by the end of its code, name, CCCD, phone, village, every
// paper received, save), each key pressed as a clerk would — Tab, the text
// in Telex, Enter, Ctrl+D as two keys — and checks the dossier is saved
// with what was meant. The figure is logged for the README. The issue's
// goal is at most 60 keys: it was 73 when first counted; the procedure
// found by the last digits of its code ("1193" for 1.001193) and the
// village offered from the ones already typed at the post point ("mr",
// Enter: Làng Mrông Yố) bring it to 55. The village is one the demo post
// point has seen (villages repeat: a commune has a few dozen); a new
// village is typed whole, 14 keys more.
const intakeKeysGoal = 60

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
	typ("1193")
	press(t, u, fyne.KeyReturn)
	keys++
	if p := f.picker.Procedure(); p == nil || p.Code != "1.001193" {
		t.Fatalf("“1193” and Enter chose %v, not 1.001193", p)
	}
	tabs(1) // → name
	typ("Rơ Mah H'Bích")
	tabs(2) // (ID type: CCCD) → ID number
	typ("064301000045")
	tabs(1)
	typ("0905123456")
	tabs(2)   // (commune: the post point's) → village
	typ("mr") // the village offered: Làng Mrông Yố
	if f.village.offer != "Làng Mrông Yố" || !f.village.label.Visible() {
		t.Fatalf("“mr” offers %q (shown %v)", f.village.offer, f.village.label.Visible())
	}
	press(t, u, fyne.KeyReturn) // take it
	keys++
	if f.address.Text != "Làng Mrông Yố" || f.lastID != "" {
		t.Fatalf("Enter on the offer: village %q, saved %q", f.address.Text, f.lastID)
	}
	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl}).ShortcutName())
	keys += 2
	press(t, u, fyne.KeyReturn) // save
	keys++
	if f.lastID == "" {
		t.Fatalf("not saved after %d keys; errors: %v", keys, visibleErrors(f))
	}
	t.Logf("a typical intake takes %d keys (Telex)", keys)
	if keys > intakeKeysGoal {
		t.Errorf("a typical intake takes %d keys, more than the goal of %d", keys, intakeKeysGoal)
	}
	d, err := u.Store.Dossier(u.Ctx, f.lastID)
	if err != nil {
		t.Fatal(err)
	}
	if d.ProcedureCode != "1.001193" || d.Applicant.FullName != "Rơ Mah H'Bích" || d.Applicant.IDNumber != "064301000045" ||
		d.Applicant.Phone != "0905123456" || d.Applicant.Address != "Làng Mrông Yố" {
		t.Errorf("saved %s %q %s %s %q", d.ProcedureCode, d.Applicant.FullName, d.Applicant.IDNumber, d.Applicant.Phone, d.Applicant.Address)
	}
}

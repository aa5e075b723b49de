package domain

import "testing"

// TestNameCharacters. Accepted vectors are real names: Vietnamese (both
// tone placements, NFC and decomposed), and Jrai/Bahnar/Ê Đê names as Gia
// Lai's own publications write them (Rơ Mah H'Bích, Ksor H'Mai, Nay Y
// Blang; the province letter asks for bulletins in Jrai and Bahnar), with
// each apostrophe people type. Refused vectors are characters Unicode
// gives no letter or mark category (emoji U+1F600, the symbols ★ and @,
// the control character U+0007), each named in its error.
func TestNameCharacters(t *testing.T) {
	for _, ok := range []string{"Nguyễn Thị Hằng", "Lê Văn Hoà", "Lê Văn Hòa", "Nguye\u0302\u0303n Va\u0306n A",
		"Rơ Mah H'Bích", "Ksor H\u2019Mai", "Nay H\u02bcBlang", "Siu Y-Lan", "Trần T. Mai", "Đinh"} {
		if e := CheckNameChars(ok); e != nil {
			t.Errorf("%q refused: %v", ok, e)
		}
	}
	for _, c := range []struct{ name, char, code string }{
		{"Nguyễn Văn 😀", "😀", "U+1F600"},
		{"Trần ★ Bình", "★", "U+2605"},
		{"mai@gmail", "@", "U+0040"},
		{"Lê\u0007Văn", "", "U+0007"},
		{"Hà_Nội", "_", "U+005F"},
	} {
		e := CheckNameChars(c.name)
		if e == nil || e.Key != "err.name.char" || e.Args["Char"] != c.char || e.Args["Code"] != c.code {
			t.Errorf("%q: %+v, want the character %q %s named", c.name, e, c.char, c.code)
		}
	}
}

func TestOneWordNameIsAWarning(t *testing.T) {
	if NameWarning("  Đinh ") != "intake.warn.one_word_name" || NameWarning("Rơ Mah H'Bích") != "" || NameWarning("") != "" {
		t.Error("one-word warning wrong")
	}
	// a one-word name is not refused
	if e := CheckNameChars("Đinh"); e != nil {
		t.Errorf("one-word name refused: %v", e)
	}
}

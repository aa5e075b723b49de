package domain

import (
	"strings"
	"testing"
)

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

// TestApostrophesFoldToOne: the apostrophes of H'Bích as people type them
// (ASCII, typographic, the modifier letter) give one search key.
func TestApostrophesFoldToOne(t *testing.T) {
	want := Fold("Rơ Mah H'Bích")
	for _, v := range []string{"Rơ Mah H\u2019Bích", "Rơ Mah H\u02bcBích", "Rơ Mah H\u2018Bích", "Rơ Mah H Bích"} {
		if got := Fold(v); got != want {
			t.Errorf("Fold(%q) = %q, want %q", v, got, want)
		}
	}
	// old-style and new-style tone placement fold alike
	if Fold("Lê Văn Hoà") != Fold("Lê Văn Hòa") || Fold("Thuỷ") != Fold("Thủy") {
		t.Error("hoà/hòa or thuỷ/thủy fold differently")
	}
}

func TestNameKeys(t *testing.T) {
	keys := strings.Join(NameKeys("Rơ Mah H\u2019Bích"), ",")
	if keys != "f:ro|mahhbich,w:mahhbich,w:hbich,f:r|mahhbich" {
		t.Errorf("NameKeys(Rơ Mah H’Bích) = %s", keys)
	}
	if k := strings.Join(NameKeys("Kơ Pa H'Lan"), ","); !strings.Contains(k, "f:k|pahlan") {
		t.Errorf("Kơ Pa: %s", k)
	}
	// "Lò", "Hồ", "Tô" are not presyllables (a tone, a vowel other than ơ, or last)
	if k := strings.Join(NameKeys("Lò Văn Tơ"), ","); k != "f:lo|vanto,w:vanto" {
		t.Errorf("Lò Văn Tơ: %s", k)
	}
	if NameKeys("Đinh") != nil {
		t.Errorf("a one-word name has keys: %v", NameKeys("Đinh"))
	}
	if CompactKey("H'bich") != "hbich" || CompactKey("R Mah") != "rmah" {
		t.Error("CompactKey")
	}
	// a query matches a key when a range holds it
	match := func(q, name string) bool {
		for _, r := range NameKeyRanges(q) {
			for _, k := range NameKeys(name) {
				if k >= r[0] && k < r[1] {
					return true
				}
			}
		}
		return false
	}
	for _, c := range []struct {
		q, name string
		want    bool
	}{
		{"hbich", "Rơ Mah H'Bích", true}, {"rmah", "Rơ Mah H'Bích", true}, {"romah", "Rơ Mah H'Bích", true},
		{"mahh", "Rơ Mah H'Bích", true}, {"nguyenthi", "Nguyễn Thị Hằng", true}, {"thihang", "Nguyễn Thị Hằng", true},
		// a surname alone reads no key (the name's own index finds it), nor a short query
		{"nguyen", "Nguyễn Thị Hằng", false}, {"ngu", "Nguyễn Thị Hằng", false}, {"hbic", "Rơ Mah H'Bích", true},
		{"bich", "Rơ Mah H'Bích", false}, {"hangbich", "Nguyễn Thị Hằng", false},
	} {
		if got := match(c.q, c.name); got != c.want {
			t.Errorf("%q matches %q: %v, want %v", c.q, c.name, got, c.want)
		}
	}
}

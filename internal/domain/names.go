package domain

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Names as people write them. A Vietnamese name, and the names of the
// Central Highlands' peoples (Jrai, Bahnar, Ê Đê…), are letters with their
// marks, spaces, apostrophes (H'Bích, Ksor H'Mai), hyphens and dots (an
// initial); nothing else belongs in one.

// nameApostrophes are the apostrophes people type in a name: ASCII ', the
// typographic ’ (U+2019) and the modifier letter ʼ (U+02BC, a letter).
const nameApostrophes = "'\u2019\u02bc"

// CheckNameChars refuses a character a name cannot hold: one that is not a
// letter, a combining mark, a space, an apostrophe, a hyphen or a dot —
// an emoji, a symbol, a digit, a control character. The error (field
// "full_name", key err.name.char) names the character and its code point,
// so a clerk sees what the scanner or the keyboard slipped in.
func CheckNameChars(name string) *FieldError {
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.Is(unicode.M, r) || r == ' ' || r == '-' || r == '.' ||
			strings.ContainsRune(nameApostrophes, r) {
			continue
		}
		shown := string(r)
		if !unicode.IsPrint(r) {
			shown = "" // a control or invisible character: the code point says it
		}
		code := fmt.Sprintf("U+%04X", r)
		return Errf("full_name", "err.name.char", "a name cannot hold the character %q (%s)", shown, code).
			WithArgs("Char", shown, "Code", code)
	}
	return nil
}

// NameWarning is the i18n key of a warning about a name that is allowed
// but unusual, or "": a name of one word (some people have only one, so it
// is never refused, but a clerk may have typed only the given name).
func NameWarning(name string) string {
	if len(strings.Fields(Clean(name))) == 1 {
		return "intake.warn.one_word_name"
	}
	return ""
}

// NameKeys are the search keys of a name typed without its spaces and
// apostrophes: from each word to the end, folded (Fold) and joined, so a
// clerk who types "hbich" or "mahhbich" finds "Rơ Mah H'Bích"
// ("romahhbich", "mahhbich", "hbich", "bich"). A Jrai or Bahnar
// presyllable — a word of one or two consonants and ơ before another word
// (Rơ, Kơ, Hơ, Mơ, Pơ…) — is also written without its vowel ("Rơ Mah" is
// "Rmah", "Kơ Pa" "Kpa"), so the keys of that spelling are added: "rmah"
// finds "Rơ Mah". The keys are distinct, longest first.
func NameKeys(name string) []string {
	orig := strings.Fields(strings.ToLower(Clean(name)))
	plain := make([]string, 0, len(orig))
	short := make([]string, 0, len(orig))
	for i, w := range orig {
		f := Fold(w)
		plain = append(plain, f)
		if i < len(orig)-1 && isPresyllable(w) {
			f = strings.TrimSuffix(f, "o")
		}
		short = append(short, f)
	}
	seen := map[string]bool{}
	var out []string
	for _, ws := range [][]string{strings.Fields(strings.Join(plain, " ")), strings.Fields(strings.Join(short, " "))} {
		for i := range ws {
			k := strings.Join(ws[i:], "")
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// isPresyllable reports whether w (lower case) is one or two consonants and ơ.
func isPresyllable(w string) bool {
	w = norm.NFC.String(w)
	rs := []rune(w)
	if len(rs) < 2 || len(rs) > 3 || rs[len(rs)-1] != 'ơ' {
		return false
	}
	for _, r := range rs[:len(rs)-1] {
		if !strings.ContainsRune("bcdđghklmnpqrstvxyjwfz", r) {
			return false
		}
	}
	return true
}

// CompactKey is a query as NameKeys keys are written: folded, without spaces.
func CompactKey(q string) string { return strings.ReplaceAll(Fold(q), " ", "") }

package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

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
// apostrophes, folded (Fold) and joined, of two kinds:
//
//   - "w:" + the words from a later word to the end, when at least two
//     words are joined ("w:mahhbich", "w:hbich" of "Rơ Mah H'Bích"), so
//     "hbich" finds the name;
//   - "f:" + the first word + "|" + the rest joined ("f:ro|mahhbich"), so
//     a query that runs past the first word ("romah", "nguyenthi") is
//     matched by the first word exactly and the rest by its start — a
//     common surname typed alone ("nguyen") never reads these keys.
//
// A Jrai or Bahnar presyllable — a word of one or two consonants and ơ
// before another word (Rơ, Kơ, Hơ, Mơ, Pơ…) — is also written without its
// vowel ("Rơ Mah" is "Rmah", "Kơ Pa" "Kpa"), so the keys of that spelling
// are added ("f:r|mahhbich"): "rmah" finds "Rơ Mah". See NameKeyRanges for
// the query side. The keys are distinct.
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
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	for _, ws := range [][]string{strings.Fields(strings.Join(plain, " ")), strings.Fields(strings.Join(short, " "))} {
		if len(ws) < 2 {
			continue
		}
		add("f:" + ws[0] + "|" + strings.Join(ws[1:], ""))
		for i := 1; i < len(ws)-1; i++ {
			add("w:" + strings.Join(ws[i:], ""))
		}
	}
	return out
}

// MinNameKeyQuery is the shortest compact query matched against NameKeys.
const MinNameKeyQuery = 4

// NameKeyRanges are the [from, to) ranges of NameKeys a query typed
// without spaces matches: its start of a later word ("w:" + q), and every
// split of q into a whole first word and the start of the rest. None for a
// query shorter than MinNameKeyQuery.
func NameKeyRanges(q string) [][2]string {
	c := CompactKey(q)
	if len(c) < MinNameKeyQuery {
		return nil
	}
	const top = "\U0010FFFF"
	out := [][2]string{{"w:" + c, "w:" + c + top}}
	for i := 1; i < len(c); i++ {
		if !utf8.RuneStart(c[i]) {
			continue
		}
		k := "f:" + c[:i] + "|" + c[i:]
		out = append(out, [2]string{k, k + top})
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

package domain

import (
	"fmt"
	"strings"
	"unicode"
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

package domain

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Clean tidies free text typed or pasted by a user: it drops invisible
// control and format characters (NUL, zero-width space, BOM, soft hyphen…),
// turns every run of white space (tabs, newlines, no-break spaces) into one
// ordinary space, trims both ends and returns the result in Unicode NFC, the
// composed form that Vietnamese keyboards produce and that the database stores.
// Clean is idempotent: Clean(Clean(s)) == Clean(s).
func Clean(s string) string {
	if isCleanASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = b.Len() > 0
		case isInvisible(r):
			// dropped
		default:
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteRune(r)
		}
	}
	// Filtering first and composing last keeps Clean idempotent: dropping a
	// control character can bring a base letter and its mark together.
	return norm.NFC.String(b.String())
}

// isCleanASCII reports whether s is printable ASCII with no leading, trailing
// or doubled spaces, so that Clean(s) == s without any allocation.
func isCleanASCII(s string) bool {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f {
			return false
		}
		if c == ' ' {
			if prevSpace {
				return false
			}
			prevSpace = true
		} else {
			prevSpace = false
		}
	}
	return !prevSpace || len(s) == 0
}

// isInvisible reports the control (Cc) and format (Cf) characters that Clean
// drops; white space is handled before this is asked.
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Cf, r) || r == utf8.RuneError
}

// Fold returns the search key of a name or any free text, so that a clerk can
// find "Nguyễn Thị Hằng" by typing "nguyen thi hang" on a keyboard without
// Vietnamese input, and NFD text pasted from elsewhere matches NFC text.
//
// The key is lower case, has every combining mark removed (tones and the
// hooks of ơ, ư, the circumflex of â, ê, ô, the breve of ă), maps đ and Đ to
// d, and keeps only letters and digits. Every other character — punctuation,
// symbols, and apostrophes too — separates words like a space; runs of
// separators become one space and the ends are trimmed. So the Jrai name
// "Rơ Mah H'Bích" folds to "ro mah h bich", the same key as "Rơ Mah H’Bích",
// "Rơ Mah Hʼbích" and its common spelling "Rơ Mah H Bích", and
// "Bà Rịa–Vũng Tàu" folds to "ba ria vung tau".
// Invisible control and format characters are dropped without separating.
//
// Fold(Fold(s)) == Fold(s) and Fold(Clean(s)) == Fold(s). Fold works rune by
// rune and keeps the order of letters, so searching folded keys for a folded
// query (substring or prefix) finds what the clerk means. NameKeys gives the
// keys without spaces that let "hbich" find "H'Bích" and "rmah" "Rơ Mah".
//
// Runes of Latin, Vietnamese, Greek and Cyrillic text cost one table look-up;
// other scripts are classified once per rune and then remembered.
func Fold(s string) string {
	// Fast path: lower-case ASCII words with single spaces fold to themselves.
	if isFoldedASCII(s) {
		return s
	}
	buf := make([]byte, 0, len(s))
	pendingSpace := false
	emit := func(r rune) {
		if pendingSpace {
			buf = append(buf, ' ')
			pendingSpace = false
		}
		buf = utf8.AppendRune(buf, r)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c < 0x20 && !(c >= '\t' && c <= '\r') || c == 0x7f:
				continue // control character: dropped, not a separator
			default:
				pendingSpace = len(buf) > 0
				continue
			}
			if pendingSpace {
				buf = append(buf, ' ')
				pendingSpace = false
			}
			buf = append(buf, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		var f rune
		switch {
		case r < foldTableSize:
			f = foldTable[r]
		case r < 0x10000:
			// Other scripts of the Basic Multilingual Plane: classified on
			// first sight and remembered (the zeroed array costs no memory
			// until used; atomics keep concurrent Folds race-free).
			c := &foldCache[r-foldTableSize]
			if v := c.Load(); v != 0 {
				f = rune(v) + foldCacheBias
			} else {
				f = foldClassify(r)
				c.Store(int32(f - foldCacheBias))
			}
		default:
			f = foldClassify(r)
		}
		switch f {
		case foldDrop:
		case foldSep:
			pendingSpace = len(buf) > 0
		case foldSlow:
			for _, d := range foldSlowRune(r) {
				emit(d)
			}
		default:
			emit(f)
		}
	}
	return string(buf)
}

// isFoldedASCII reports whether s is already a fold key made of ASCII only.
func isFoldedASCII(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return !prevSpace || len(s) == 0
}

// Special results of the fold table; every other value is the folded rune.
const (
	foldDrop rune = -1 // invisible: dropped
	foldSep  rune = -2 // separator: becomes a space between words
	foldSlow rune = -3 // needs the general path (decomposes to several letters)

	foldTableSize = 0x2000 // Latin, Vietnamese (U+1EA0–U+1EF9), Greek, Cyrillic, combining marks
)

// foldTable holds the fold of every rune below foldTableSize, computed once,
// so folding Vietnamese text costs one table look-up per letter.
var foldTable = func() *[foldTableSize]rune {
	var t [foldTableSize]rune
	for r := rune(0); r < foldTableSize; r++ {
		t[r] = foldClassify(r)
	}
	return &t
}()

// foldCache remembers the fold of BMP runes above the table, stored as
// f - foldCacheBias so that 0 means "not yet known".
var foldCache [0x10000 - foldTableSize]atomic.Int32

const foldCacheBias = foldSlow - 1

// foldClassify folds one rune the slow way: by Unicode properties and NFD.
func foldClassify(r rune) rune {
	switch {
	case r == 'đ' || r == 'Đ':
		return 'd'
	case unicode.IsSpace(r), isApostrophe(r):
		// the apostrophes people type in a name (' ’ ʼ ‘ ʻ) fold to one: a
		// separator, even ʼ and ʻ, which Unicode calls letters
		return foldSep
	case isInvisible(r), unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me):
		// Combining marks are what Fold strips; a lone mark is not a separator.
		return foldDrop
	case !unicode.IsLetter(r) && !unicode.IsDigit(r):
		return foldSep
	}
	// Most letters outside the table (CJK, Thai, Khmer…) have no case and no
	// decomposition: settle them without allocating.
	if l := unicode.ToLower(r); isNFDRune(r) && isNFDRune(l) && unicode.ToLower(l) == l {
		return l
	}
	out := foldSlowRune(r)
	switch len(out) {
	case 0:
		return foldDrop
	case 1:
		return out[0]
	}
	return foldSlow
}

// isApostrophe reports whether r is one of the apostrophes typed in names:
// ASCII ', ‘ and ’ (U+2018, U+2019), the modifier letters ʼ (U+02BC) and ʻ
// (U+02BB), and the prime ′ (U+2032) keyboards sometimes give.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u02bc', '\u02bb', '\u2032':
		return true
	}
	return false
}

// foldSlowRune decomposes r, drops the marks and lower-cases what is left,
// repeating until nothing changes, so that the result folds to itself.
func foldSlowRune(r rune) []rune {
	cur := []rune{r}
	for range 4 {
		var next []rune
		for _, c := range cur {
			var tmp [utf8.UTFMax]byte
			n := utf8.EncodeRune(tmp[:], c)
			for _, d := range norm.NFD.String(string(tmp[:n])) {
				switch {
				case d == 'đ' || d == 'Đ':
					next = append(next, 'd')
				case unicode.In(d, unicode.Mn, unicode.Mc, unicode.Me), isInvisible(d):
				case unicode.IsLetter(d) || unicode.IsDigit(d):
					next = append(next, unicode.ToLower(d))
				}
			}
		}
		if equalRunes(cur, next) {
			break
		}
		cur = next
	}
	return cur
}

// isNFDRune reports whether r is its own canonical decomposition.
func isNFDRune(r rune) bool {
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	return norm.NFD.IsNormal(tmp[:n])
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FormatMoney writes an amount of đồng the Vietnamese way: dots between
// thousands and the đồng sign after a space, e.g. "15.000 ₫", "-15.000 ₫", "0 ₫".
func FormatMoney(m Money) string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = -u // two's complement: correct for the smallest int64 too
	}
	digits := strconv.FormatUint(u, 10)
	b := make([]byte, 0, len(digits)+len(digits)/3+6)
	if neg {
		b = append(b, '-')
	}
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, '.')
		}
		b = append(b, digits[i])
	}
	b = append(b, " ₫"...)
	return string(b)
}

// FormatDate writes t's calendar date in Vietnam (Zone) as dd/mm/yyyy, whatever the PC's time zone.
func FormatDate(t time.Time) string { return t.In(Zone).Format("02/01/2006") }

// FormatDateTime writes t in Vietnam (Zone) as dd/mm/yyyy HH:MM (24-hour clock).
func FormatDateTime(t time.Time) string { return t.In(Zone).Format("02/01/2006 15:04") }

// ParseDate reads a date typed the Vietnamese way, day first: dd/mm/yyyy or
// d/m/yyyy ("5/3/2025"). A dash or a dot is accepted in place of the slash
// ("05-03-2025", "5.3.2025") provided both separators are the same. The
// result is that day at 00:00 in loc (time.Local when loc is nil). Errors are
// *FieldError on field "date": err.date.empty, err.date.format, err.date.invalid.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, Errf("date", "err.date.empty", "date is missing")
	}
	bad := func() (time.Time, error) {
		return time.Time{}, Errf("date", "err.date.format", "%q is not a date in the form dd/mm/yyyy", s)
	}
	sep := byte(0)
	parts := [3]string{}
	n, start := 0, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			continue
		}
		if i < len(s) {
			c := s[i]
			if c != '/' && c != '-' && c != '.' {
				return bad()
			}
			if sep == 0 {
				sep = c
			} else if c != sep {
				return bad()
			}
		}
		if n == 3 {
			return bad()
		}
		parts[n] = s[start:i]
		n++
		start = i + 1
	}
	if n != 3 || len(parts[0]) < 1 || len(parts[0]) > 2 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) != 4 {
		return bad()
	}
	d, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	y, _ := strconv.Atoi(parts[2])
	t, ok := calendarDate(y, m, d, loc)
	if !ok {
		return time.Time{}, Errf("date", "err.date.invalid", "%s is not a real calendar date", s).WithArgs("Date", s)
	}
	return t, nil
}

// calendarDate returns y-m-d at 00:00 in loc when that day exists.
func calendarDate(y, m, d int, loc *time.Location) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false // e.g. 31/04 or 29/02 of a common year
	}
	return t, true
}

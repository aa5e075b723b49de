package tables

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// Encode writes UTF-8 text in one of the encodings Decode reads, as Excel
// or Notepad on Windows would save it: UTF-16 with its BOM, Windows-1258
// with a vowel's tone as a separate combining mark. It is how tests make the
// files a province really sends.
func Encode(text, enc string) ([]byte, error) {
	switch enc {
	case UTF8:
		return []byte(text), nil
	case UTF8BOM:
		return append([]byte("\xEF\xBB\xBF"), text...), nil
	case UTF16LE, UTF16BE:
		be := enc == UTF16BE
		out := []byte{0xFF, 0xFE}
		if be {
			out = []byte{0xFE, 0xFF}
		}
		for _, u := range utf16.Encode([]rune(text)) {
			if be {
				out = append(out, byte(u>>8), byte(u))
			} else {
				out = append(out, byte(u), byte(u>>8))
			}
		}
		return out, nil
	case Windows1258:
		return encode1258(text)
	}
	return nil, fmt.Errorf("tables: cannot write %s", enc)
}

func encode1258(text string) ([]byte, error) {
	cm := charmap.Windows1258
	var out []byte
	put := func(r rune) bool {
		b, ok := cm.EncodeRune(r)
		if ok {
			out = append(out, b)
		}
		return ok
	}
	for _, r := range norm.NFC.String(text) {
		if put(r) {
			continue
		}
		// ễ → e + ̂ + ̃: compose the base with as many marks as the code
		// page has precomposed (ê), then write the rest as combining marks.
		d := []rune(norm.NFD.String(string(r)))
		base, rest := d[0], d[1:]
		// NFD orders the dot below before the circumflex (ộ = o + ̣ + ̂),
		// so try every mark, not only the first.
		for i := 0; i < len(rest); {
			both := norm.NFC.String(string([]rune{base, rest[i]}))
			c, n := utf8.DecodeRuneInString(both)
			if _, ok := cm.EncodeRune(c); !ok || n != len(both) { // not one precomposed letter the code page has
				i++
				continue
			}
			base, rest = c, append(rest[:i:i], rest[i+1:]...)
		}
		if !put(base) {
			return nil, fmt.Errorf("tables: %q has no Windows-1258 form", r)
		}
		for _, m := range rest {
			if !put(m) {
				return nil, fmt.Errorf("tables: %q has no Windows-1258 form", r)
			}
		}
	}
	return out, nil
}

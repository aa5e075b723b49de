package tables

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"postdesk/internal/domain"
)

// Encoding names, as the refusals and File.Encoding say them.
const (
	UTF8        = "UTF-8"
	UTF8BOM     = "UTF-8 (BOM)"
	UTF16LE     = "UTF-16 LE"
	UTF16BE     = "UTF-16 BE"
	Windows1258 = "Windows-1258"
	TCVN3       = "TCVN3 (ABC)"
	Unknown8bit = "8-bit"
	UTF16NoBOM  = "UTF-16 without BOM"
)

// Decode turns a text file as Excel and Notepad on Windows save it into
// UTF-8 in NFC: UTF-8 with or without a BOM, UTF-16 LE or BE with its BOM
// (Excel's "Unicode text"), or Vietnamese Windows-1258, whose tone marks are
// separate combining characters. It returns the text and the encoding it
// found. A file that is none of these (TCVN3, VNI, Latin-1, a UTF-8 file with
// stray bytes) is refused with a domain.Errors naming the encoding it seems
// to be and the first line, under the caller's key.
func Decode(data []byte, key string) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")):
		text := data[3:]
		if line, col, ok := firstInvalidUTF8(text); !ok {
			return nil, UTF8BOM, refuse(key, line, col, UTF8BOM, "the file says UTF-8 but has bytes that are not UTF-8")
		}
		return nfc(text), UTF8BOM, nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return decodeUTF16(data[2:], false, key)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return decodeUTF16(data[2:], true, key)
	}
	line, col, ok := firstInvalidUTF8(data)
	if ok {
		return nfc(data), UTF8, nil
	}
	// Not UTF-8. A file with some valid multi-byte UTF-8 in it is a UTF-8
	// file with stray bytes (two files pasted together, a bad editor):
	// decoding it as anything else would garble the good part.
	if hasUTF8MultiByte(data) {
		return nil, UTF8, refuse(key, line, col, UTF8, "the file is UTF-8 with bytes that are not UTF-8 (perhaps parts saved in Windows-1258, TCVN3 or Latin-1)")
	}
	if l, c, ok := firstNonVietnamese1258(data); !ok {
		enc := guess8bit(data)
		return nil, enc, refuse(key, l, c, enc, "the file is not UTF-8, UTF-16 or Vietnamese Windows-1258 text (it looks like "+enc+")")
	}
	out, err := charmap.Windows1258.NewDecoder().Bytes(data)
	if err != nil {
		return nil, Windows1258, refuse(key, 1, 1, Windows1258, err.Error())
	}
	return norm.NFC.Bytes(out), Windows1258, nil
}

func refuse(key string, line, col int, enc, msg string) error {
	return domain.Errors{domain.Errf("line "+strconv.Itoa(line), key, "%s", msg).
		WithArgs("Line", strconv.Itoa(line), "Column", strconv.Itoa(col), "Encoding", enc)}
}

func nfc(b []byte) []byte {
	if isASCII(b) || norm.NFC.IsNormal(b) {
		return b
	}
	return norm.NFC.Bytes(b)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// firstInvalidUTF8 gives the line and character column of the first byte that
// is not UTF-8 (or a NUL, which no text file has); ok when there is none.
func firstInvalidUTF8(data []byte) (line, col int, ok bool) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if (r == utf8.RuneError && n == 1) || r == 0 {
			return line, col, false
		}
		if r == '\n' {
			line, col = line+1, 0
		}
		col++
		i += n
	}
	return 0, 0, true
}

func hasUTF8MultiByte(data []byte) bool {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if n > 1 && r != utf8.RuneError {
			return true
		}
		i += n
	}
	return false
}

func decodeUTF16(data []byte, bigEndian bool, key string) ([]byte, string, error) {
	enc := UTF16LE
	if bigEndian {
		enc = UTF16BE
	}
	if len(data)%2 != 0 {
		line := 1 + bytes.Count(data, []byte{'\n'})
		return nil, enc, refuse(key, line, 1, enc, "the file says "+enc+" but is cut short (an odd number of bytes)")
	}
	u := make([]uint16, len(data)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(data[2*i])<<8 | uint16(data[2*i+1])
		} else {
			u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
		}
	}
	line, col := 1, 1
	out := make([]byte, 0, len(u))
	for i := 0; i < len(u); i++ {
		r := rune(u[i])
		switch {
		case utf16.IsSurrogate(r):
			if i+1 < len(u) {
				if p := utf16.DecodeRune(r, rune(u[i+1])); p != utf8.RuneError {
					r = p
					i++
					break
				}
			}
			return nil, enc, refuse(key, line, col, enc, "the "+enc+" text has a broken character")
		case r == 0:
			return nil, enc, refuse(key, line, col, enc, "the "+enc+" text has a NUL character")
		}
		if r == '\n' {
			line, col = line+1, 0
		}
		col++
		out = utf8.AppendRune(out, r)
	}
	return nfc(out), enc, nil
}

// Windows-1258 gives Vietnamese its letters as a base letter, often with a
// precomposed circumflex, breve or horn, followed by one of five combining
// tone marks. A file decodes as Windows-1258 only when every byte above
// 0x7F is such a letter, a tone mark after a vowel, ₫ or common
// punctuation; anything else (¡, ¿, Þ, Ì…) means another encoding.
var (
	viet1258Letters = "ÀÁÂÃÈÉÊÍÓÔÕÙÚÝàáâãèéêíóôõùúýĂăĐđƠơƯư" // as Windows-1258 has them
	viet1258Marks   = "\u0300\u0301\u0303\u0309\u0323"
	viet1258Punct   = "\u00A0«»°–—‘’‚“”„…•·₫€"
	vowels          = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯYàáãèéêíóôõùúýÀÁÃÈÉÊÍÓÔÕÙÚÝ"
)

func firstNonVietnamese1258(data []byte) (line, col int, ok bool) {
	dec := charmap.Windows1258
	line, col = 1, 1
	var prev rune
	for _, c := range data {
		r := dec.DecodeByte(c)
		switch {
		case c < 0x80:
			if c == 0 {
				return line, col, false
			}
		case bytes.ContainsRune([]byte(viet1258Marks), r):
			if !bytes.ContainsRune([]byte(vowels), prev) {
				return line, col, false
			}
		case bytes.ContainsRune([]byte(viet1258Letters), r), bytes.ContainsRune([]byte(viet1258Punct), r):
		default:
			return line, col, false
		}
		if c == '\n' {
			line, col = line+1, 0
		}
		col++
		prev = r
	}
	return 0, 0, true
}

// guess8bit names what a non-UTF-8, non-Windows-1258 file probably is, for
// the refusal: NULs mean UTF-16 saved without its BOM; TCVN3 puts Vietnamese letters in 0xA1–0xFE, so text full of
// bytes there that Windows-1258 reads as symbols is TCVN3.
func guess8bit(data []byte) string {
	if bytes.IndexByte(data, 0) >= 0 {
		return UTF16NoBOM
	}
	tcvn := 0
	for _, c := range data {
		if c >= 0xA1 && c <= 0xBF {
			tcvn++
		}
	}
	if tcvn > 0 {
		return TCVN3
	}
	return Unknown8bit
}

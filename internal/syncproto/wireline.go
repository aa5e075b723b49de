package syncproto

import (
	"strconv"
	"unicode/utf8"
)

// appendWireLine appends w as one body line, byte for byte what
// encoding/json's Encoder (SetEscapeHTML(false)) writes for it — the
// canonical form the hub checks each line against (docs/sync-protocol.md
// §4.2; TestWireLineIsEncodingJSON). It is written by hand because the
// device encodes every event of its log: the Encoder's reflection and its
// second compaction of a payload EncodeBatch has already checked compact
// were a third of the encoding's time. w.Payload must be compact JSON.
func appendWireLine(dst []byte, w *WireEvent) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendInt(dst, w.Seq, 10)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, w.Kind)
	if w.Dossier != "" {
		dst = append(dst, `,"dossier":`...)
		dst = appendJSONString(dst, w.Dossier)
	}
	dst = append(dst, `,"staff":`...)
	dst = appendJSONString(dst, w.Staff)
	dst = append(dst, `,"at":`...)
	dst = appendJSONString(dst, w.At)
	if len(w.Payload) > 0 {
		dst = append(dst, `,"payload":`...)
		dst = append(dst, w.Payload...)
	}
	if w.PayloadB64 != "" {
		dst = append(dst, `,"payload_b64":`...)
		dst = appendJSONString(dst, w.PayloadB64)
	}
	dst = append(dst, `,"hash":`...)
	dst = appendJSONString(dst, w.Hash)
	return append(dst, '}', '\n')
}

// appendJSONString appends s quoted as encoding/json quotes a string without
// HTML escaping: \" \\ \b \f \n \r \t, other control characters and U+2028,
// U+2029 as \u00XX / \u202X, invalid UTF-8 as \ufffd, the rest unchanged.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

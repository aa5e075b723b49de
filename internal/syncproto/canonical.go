package syncproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Why a body line is not canonical: the Reason of a corrupt_body refusal.
const (
	ReasonDuplicateKey = "duplicate_key" // a key appears twice
	ReasonKeyCase      = "key_case"      // a key spelled in another case ("Seq")
	ReasonUnknownKey   = "unknown_key"   // a key the format does not have
	ReasonWhitespace   = "whitespace"    // white space between tokens (or inside the payload)
	ReasonEscape       = "escape"        // a \u escape (or other escape) the canonical form does not use
	ReasonKeyOrder     = "key_order"     // keys out of the canonical order
	ReasonNotCanonical = "not_canonical" // anything else (e.g. an empty optional field present)
)

// wireKeys are WireEvent's keys in canonical order.
var wireKeys = []string{"seq", "kind", "dossier", "staff", "at", "payload", "payload_b64", "hash"}

// nonCanonical says why a line (without its newline) that decoded is not
// the canonical encoding. It runs only on refusal, so it may be slow.
func nonCanonical(line []byte) (reason, detail string) {
	// White space outside strings, anywhere (the payload too).
	inStr, esc := false, false
	for i, c := range line {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
			if i+1 < len(line) && line[i+1] == 'u' && !neededEscape(line[i:]) {
				return ReasonEscape, fmt.Sprintf("a needless %q escape at byte %d", string(line[i:min(i+6, len(line))]), i+1)
			}
			if i+1 < len(line) && line[i+1] == '/' {
				return ReasonEscape, fmt.Sprintf(`a needless "\/" escape at byte %d`, i+1)
			}
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return ReasonWhitespace, fmt.Sprintf("white space at byte %d", i+1)
		}
	}
	// Keys of the line's object, in order.
	dec := json.NewDecoder(bytes.NewReader(line))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return ReasonNotCanonical, "not a JSON object"
	}
	seen := map[string]bool{}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return ReasonNotCanonical, err.Error()
		}
		k, _ := t.(string)
		if seen[k] {
			return ReasonDuplicateKey, fmt.Sprintf("%q appears twice", k)
		}
		seen[k] = true
		known := false
		for _, w := range wireKeys {
			if k == w {
				known = true
			} else if strings.EqualFold(k, w) {
				return ReasonKeyCase, fmt.Sprintf("%q must be written %q", k, w)
			}
		}
		if !known {
			return ReasonUnknownKey, fmt.Sprintf("%q", k)
		}
		keys = append(keys, k)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil && err != io.EOF {
			return ReasonNotCanonical, err.Error()
		}
	}
	pos := -1
	for _, k := range keys {
		i := 0
		for i < len(wireKeys) && wireKeys[i] != k {
			i++
		}
		if i < pos {
			return ReasonKeyOrder, fmt.Sprintf("%q comes after %q; the order is %s", k, wireKeys[pos], strings.Join(wireKeys, ", "))
		}
		pos = i
	}
	return ReasonNotCanonical, "re-encoded it differs (an empty optional field, or a number or string written another way)"
}

// neededEscape reports whether the \uXXXX escape at the start of s is one
// the canonical form uses: control characters other than \b \f \n \r \t,
// and U+2028, U+2029.
func neededEscape(s []byte) bool {
	if len(s) < 6 {
		return false
	}
	h := strings.ToLower(string(s[2:6]))
	if h == "2028" || h == "2029" {
		return true
	}
	if h[:2] != "00" || h[2] > '1' {
		return false
	}
	switch h {
	case "0008", "000c", "000a", "000d", "0009":
		return false // written \b \f \n \r \t
	}
	return true
}

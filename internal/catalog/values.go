package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"postdesk/internal/domain"
)

// Limits on single values; anything larger is a typing error, not a catalog.
const (
	MaxProcessingDays = 3650              // ten years
	MaxMoney          = 1_000_000_000_000 // one trillion đồng
	maxDocuments      = 100
)

// procedureCode is a national code (1.001193) with an optional provincial
// suffix (1.001193.000.00.00.H21).
var procedureCode = regexp.MustCompile(`^[0-9]\.[0-9]{6}(\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})?$`)

// ValidProcedureCode reports whether code has the shape of a procedure code.
func ValidProcedureCode(code string) bool { return procedureCode.MatchString(code) }

// parseCount parses a non-negative whole number of days; "" is 0.
func parseCount(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if !domain.AllDigits(s) || len(s) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > MaxProcessingDays {
		return 0, false
	}
	return n, true
}

// parseMoney parses an amount of đồng written the way people write it:
// "15000", "15.000", "15,000", "15 000", optionally followed by "đ", "₫",
// "đồng" or "VND". Thousands separators must group by three, so "1.5" or
// "15.00" are rejected rather than misread. empty reports a blank cell.
func parseMoney(s string) (amount domain.Money, empty, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true, true
	}
	low := strings.ToLower(s)
	for _, suffix := range []string{"vnđ", "vnd", "đồng", "đ", "₫"} {
		if strings.HasSuffix(low, suffix) {
			s = strings.TrimSpace(s[:len(s)-len(suffix)])
			break
		}
	}
	if s == "" {
		return 0, false, false
	}
	var sep rune
	groups := strings.FieldsFunc(s, func(r rune) bool {
		if r == '.' || r == ',' || r == ' ' || r == '\u00a0' || r == '\u202f' {
			if sep == 0 {
				sep = r
			}
			return r == sep
		}
		return false
	})
	if sep != 0 {
		// Separators must be one kind, never doubled, never at either end,
		// and split the digits into groups of three after the first.
		if strings.Count(s, string(sep)) != len(groups)-1 || len(groups) < 2 {
			return 0, false, false
		}
		for i, g := range groups {
			if !domain.AllDigits(g) || (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, false, false
			}
		}
		s = strings.Join(groups, "")
	}
	if !domain.AllDigits(s) || len(s) > 13 {
		return 0, false, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > MaxMoney {
		return 0, false, false
	}
	return domain.Money(n), false, true
}

// parseFlag reads a yes/no cell: 1/0, có/không, x, yes/no, true/false; blank is no.
func parseFlag(s string) (bool, bool) {
	switch domain.Fold(s) {
	case "", "0", "khong", "k", "no", "n", "false", "-":
		return false, true
	case "1", "co", "c", "x", "yes", "y", "true":
		return true, true
	}
	return false, false
}

// docKind reads the kind of a checklist paper: bc (bản chính, original) or
// bs (bản sao, copy).
func docKind(s string) (original, ok bool) {
	switch strings.ReplaceAll(domain.Fold(s), " ", "") {
	case "", "bc", "banchinh", "original":
		return true, true
	case "bs", "bansao", "copy":
		return false, true
	}
	return false, false
}

// docProblem is what is wrong with one entry of the documents column.
type docProblem struct {
	index int    // 1-based entry number
	key   string // i18n key
	msg   string // English reason
	value string
}

// parseDocuments reads "name|required|kind; name|required|kind; ...".
// required and kind may be left out (defaults: required, original).
func parseDocuments(s string) ([]domain.DocumentRequirement, []docProblem) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var (
		docs     []domain.DocumentRequirement
		problems []docProblem
		seen     = map[string]bool{}
		n        int
	)
	for _, entry := range strings.Split(s, ";") {
		if strings.TrimSpace(entry) == "" {
			continue
		}
		n++
		if n > maxDocuments {
			problems = append(problems, docProblem{index: n, key: "err.catalog.bad_document",
				msg: fmt.Sprintf("more than %d papers", maxDocuments)})
			break
		}
		parts := strings.Split(entry, "|")
		name := domain.Clean(parts[0])
		bad := func(key, msg string) {
			problems = append(problems, docProblem{index: n, key: key, msg: msg, value: strings.TrimSpace(entry)})
		}
		if len(parts) > 3 {
			bad("err.catalog.bad_document", "too many parts; write name|required|kind")
			continue
		}
		if name == "" {
			bad("err.catalog.bad_document", "the paper has no name")
			continue
		}
		d := domain.DocumentRequirement{Name: name, Required: true, Original: true}
		if len(parts) > 1 {
			req, ok := parseFlag(parts[1])
			if !ok || strings.TrimSpace(parts[1]) == "" {
				bad("err.catalog.bad_document", "required must be 1 or 0")
				continue
			}
			d.Required = req
		}
		if len(parts) > 2 {
			orig, ok := docKind(parts[2])
			if !ok {
				bad("err.catalog.bad_document", "kind must be bc (original) or bs (copy)")
				continue
			}
			d.Original = orig
		}
		if k := domain.Fold(name); seen[k] {
			bad("err.catalog.duplicate_document", "the same paper is listed twice")
			continue
		} else {
			seen[k] = true
		}
		docs = append(docs, d)
	}
	return docs, problems
}

// formatDocuments writes a checklist back in the documents column's format.
func formatDocuments(docs []domain.DocumentRequirement) string {
	parts := make([]string, len(docs))
	for i, d := range docs {
		req, kind := "0", "bs"
		if d.Required {
			req = "1"
		}
		if d.Original {
			kind = "bc"
		}
		parts[i] = d.Name + "|" + req + "|" + kind
	}
	return strings.Join(parts, "; ")
}

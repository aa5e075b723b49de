package catalog

import (
	"io"
	"strconv"
	"strings"

	"postdesk/internal/domain"
)

// Commune is one commune-level unit (xã, phường, đặc khu) offered in the
// intake form's commune list.
type Commune struct {
	Name     string // without the type word: "Ia O", "Pleiku"
	Type     string // "xã", "phường" or "đặc khu"
	Province string
	Note     string
}

// Label is the name as shown in lists: "xã Ia O", "phường Pleiku".
func (c Commune) Label() string {
	if c.Type == "" {
		return c.Name
	}
	return c.Type + " " + c.Name
}

// CommuneColumns are the headers of a commune list.
var CommuneColumns = []string{"name", "type", "province", "note"}

var communeTypes = map[string]string{"xa": "xã", "phuong": "phường", "dac khu": "đặc khu"}

// ParseCommunes reads a commune list (CSV in any encoding tables.Decode reads, header name,type,province,note;
// only name is required) with the same rules and errors as ParseCSV.
func ParseCommunes(r io.Reader) ([]Commune, error) {
	data, err := reader.ReadAll(r, "communes")
	if err != nil {
		return nil, err
	}
	rows, err := readCSV(data, "communes")
	if err != nil {
		return nil, err
	}
	hi := 0
	for hi < len(rows) && blankRow(rows[hi].Cells) {
		hi++
	}
	if hi == len(rows) {
		return nil, domain.Errors{domain.Errf("communes", "err.catalog.empty", "the file has no rows").WithArgs("Name", "communes")}
	}
	var errs domain.Errors
	head := rows[hi]
	names := make([]string, len(head.Cells))
	cols := map[string]int{}
	for i, c := range head.Cells {
		n := normHeader(c)
		names[i] = n
		switch {
		case n == "":
		case !contains(CommuneColumns, n):
			errs = append(errs, domain.Errf(fieldName("", head.Line, strings.TrimSpace(c)), "err.catalog.unknown_column",
				"unknown column %q; the columns are: %s", strings.TrimSpace(c), strings.Join(CommuneColumns, ", ")).
				WithArgs("Line", strconv.Itoa(head.Line), "Column", strings.TrimSpace(c), "Allowed", strings.Join(CommuneColumns, ", ")))
		default:
			if _, dup := cols[n]; dup {
				errs = append(errs, domain.Errf(fieldName("", head.Line, n), "err.catalog.duplicate_column",
					"column %q appears twice", n).WithArgs("Line", strconv.Itoa(head.Line), "Column", n))
			}
			cols[n] = i
		}
	}
	if _, ok := cols["name"]; !ok {
		errs = append(errs, domain.Errf(fieldName("", head.Line, "name"), "err.catalog.missing_column",
			"required column %q is missing", "name").WithArgs("Line", strconv.Itoa(head.Line), "Column", "name"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Commune
	seen := map[string]int{}
	for _, r := range rows[hi+1:] {
		if blankRow(r.Cells) {
			continue
		}
		c := &cellReader{row: r, cols: cols, header: names, errs: &errs}
		c.checkUnnamed()
		cm := Commune{Name: c.required("name"), Province: c.text("province"), Note: c.text("note")}
		if t := c.text("type"); t != "" {
			if canon, ok := communeTypes[domain.Fold(t)]; ok {
				cm.Type = canon
			} else {
				c.add("type", t, "err.catalog.bad_commune_type", "%q must be xã, phường or đặc khu", t)
			}
		}
		if !c.bad && c.unique("name", domain.Fold(cm.Label()+" "+cm.Province), cm.Label(), seen) {
			out = append(out, cm)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

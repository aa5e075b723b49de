package catalog

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"postdesk/internal/domain"
)

// Commune is one commune-level unit of the intake form's list
// (domain.Commune).
type Commune = domain.Commune

// CommuneColumns are the headers of a commune list.
var CommuneColumns = []string{"name", "type", "province", "note"}

var communeTypes = map[string]string{"xa": "xã", "phuong": "phường", "dac khu": "đặc khu"}

// ParseCommunes reads a commune list (CSV in any encoding tables.Decode reads, header name,type,province,note;
// only name is required) with the same rules and errors as ParseCSV.
func ParseCommunes(r io.Reader) ([]Commune, error) { return ParseCommunesNamed(r, "communes") }

// ParseCommuneFile reads the commune list in the .csv file at path.
func ParseCommuneFile(path string) ([]Commune, error) {
	name := filepath.Base(path)
	if ext := strings.ToLower(filepath.Ext(path)); ext != ".csv" {
		return nil, domain.Errors{domain.Errf(name, "err.catalog.communes_csv", "a commune list must be a .csv file (name,type,province,note)").
			WithArgs("Name", name, "Ext", ext)}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseCommunesNamed(f, name)
}

// ParseCommunesNamed is ParseCommunes of a file called name (in its errors).
func ParseCommunesNamed(r io.Reader, name string) ([]Commune, error) {
	data, err := reader.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	rows, err := readCSV(data, name)
	if err != nil {
		return nil, err
	}
	hi := 0
	for hi < len(rows) && blankRow(rows[hi].Cells) {
		hi++
	}
	if hi == len(rows) {
		return nil, domain.Errors{domain.Errf(name, "err.catalog.empty", "the file has no rows").WithArgs("Name", name)}
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

// ValidateCommunes checks a commune list that came from elsewhere than
// ParseCommunes (the hub's catalog update): every commune as ParseCommunes
// would have read it — a name, clean text within the lengths, a type of
// xã, phường or đặc khu (or none), no commune twice. Each problem names the
// commune's place in the list ("commune 3: type").
func ValidateCommunes(list []Commune) error {
	var errs domain.Errors
	seen := map[string]int{}
	for i, c := range list {
		n := i + 1
		add := func(column, value, key, format string, args ...any) *domain.FieldError {
			e := domain.Errf(fmt.Sprintf("commune %d: %s", n, column), key, format, args...).
				WithArgs("Line", strconv.Itoa(n), "Column", column, "Value", value)
			errs = append(errs, e)
			return e
		}
		checkLengths(add, [][2]string{{"name", c.Name}, {"type", c.Type}, {"province", c.Province}, {"note", c.Note}})
		if c.Name == "" {
			add("name", "", "err.catalog.missing", "%s is required", "name")
		}
		for _, cell := range [][2]string{{"name", c.Name}, {"type", c.Type}, {"province", c.Province}, {"note", c.Note}} {
			if !isClean(cell[1]) {
				add(cell[0], cell[1], "err.catalog.not_clean", "%s is not clean text", cell[0])
			}
		}
		if c.Type != "" && communeTypes[domain.Fold(c.Type)] != c.Type {
			add("type", c.Type, "err.catalog.bad_commune_type", "%q must be xã, phường or đặc khu", c.Type)
		}
		key := domain.Fold(c.Label() + " " + c.Province)
		if first, dup := seen[key]; dup {
			add("name", c.Label(), "err.catalog.duplicate", "%s is already commune %d", c.Label(), first).WithArgs("First", strconv.Itoa(first))
		} else {
			seen[key] = n
		}
		if len(errs) >= MaxErrors {
			break
		}
	}
	return errs.Err()
}

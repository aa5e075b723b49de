// Package catalog reads the procedure catalog (danh mục thủ tục hành chính)
// and the list of handling agencies from CSV and XLSX files, and checks every
// row. It does no SQL: the store persists what Parse* returns. The column
// format is described in FORMAT.md beside this file.
package catalog

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
	"postdesk/internal/tables"
)

// MaxFileSize is the largest catalog file accepted (a full provincial
// catalogue is well under a megabyte).
const MaxFileSize = 32 << 20

// MaxErrors is how many problems are collected before checking stops.
const MaxErrors = 500

// File is one parsed and fully validated catalog file.
type File struct {
	Agencies   []domain.Agency
	Procedures []domain.Procedure
	SHA256     string // hex SHA-256 of the file's bytes, to tell one import from another
	Name       string // the file name it was read from, as given

	// MissingAgencies lists, sorted and once each, the agency codes that
	// procedures name but that this file does not define. They are not an
	// error here: the agency may already be in the database. The store checks
	// them with CheckAgencies before saving.
	MissingAgencies []string

	procLines []int    // spreadsheet line of each procedure, for CheckAgencies
	procWhere []string // sheet prefix of each procedure ("" for CSV)
}

// CheckAgencies reports, as domain.Errors with each procedure's line, every
// procedure whose agency is neither in this file nor known to exists (the
// store passes a lookup in its database). It returns nil when all resolve.
func (f *File) CheckAgencies(exists func(code string) bool) error {
	inFile := make(map[string]bool, len(f.Agencies))
	for _, a := range f.Agencies {
		inFile[a.Code] = true
	}
	var errs domain.Errors
	for i, p := range f.Procedures {
		if p.AgencyCode == "" || inFile[p.AgencyCode] || (exists != nil && exists(p.AgencyCode)) {
			continue
		}
		line, where := 0, ""
		if i < len(f.procLines) {
			line, where = f.procLines[i], f.procWhere[i]
		}
		errs = append(errs, domain.Errf(fieldName(where, line, colAgencyCode), "err.catalog.unknown_agency",
			"agency %q is not in the catalog", p.AgencyCode).
			WithArgs("Line", strconv.Itoa(line), "Column", colAgencyCode, "Value", p.AgencyCode))
	}
	return errs.Err()
}

// ParseFile reads a catalog file, choosing the reader by the extension
// (.csv or .xlsx).
func ParseFile(path string) (*File, error) {
	name := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, domain.Errors{domain.Errf(name, "err.catalog.bad_extension",
			"a catalog must be a .csv or .xlsx file (save .xls and .ods files as .xlsx)").
			WithArgs("Name", name, "Ext", ext)}
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if ext == ".csv" {
		return ParseCSV(fh, name)
	}
	return ParseXLSX(fh, name)
}

// reader reads catalog files: the size limit, encodings and CSV/XLSX
// splitting are the tables package's.
var reader = tables.Reader{MaxBytes: MaxFileSize, Keys: tables.Keys{
	TooLarge: "err.catalog.too_large", Encoding: "err.catalog.encoding",
	CSV: "err.catalog.bad_csv", XLSX: "err.catalog.bad_xlsx"}}

// ParseCSV reads one CSV file: a procedure file or an agency file, told
// apart by the header. The text may be UTF-8 (with or without a BOM), UTF-16
// or Windows-1258 (see tables.Decode); the separator a comma, a semicolon
// (Excel in Vietnamese locale) or a tab. On any problem it returns nil and
// every problem found, as domain.Errors.
func ParseCSV(r io.Reader, name string) (*File, error) {
	data, err := reader.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	out := &File{Name: name, SHA256: tables.SHA256(data)}
	rows, err := readCSV(data, name)
	if err != nil {
		return nil, err
	}
	var errs domain.Errors
	t := table{rows: rows}
	if !t.parse(out, "", &errs) {
		return nil, errs
	}
	return out.finish(errs)
}

// readCSV splits a catalog CSV into rows, undoing the guard that
// WriteProceduresCSV puts before cells a spreadsheet would run as formulas.
func readCSV(data []byte, name string) ([]row, error) {
	rows, _, err := reader.CSV(data, name)
	for _, r := range rows {
		for i := range r.Cells {
			r.Cells[i] = csvsafe.Restore(r.Cells[i])
		}
	}
	return rows, err
}

// ParseXLSX reads an Excel workbook. Procedures are on a sheet named
// "procedures" or "thu_tuc" (also "Thủ tục"), agencies on a sheet named
// "agencies" or "co_quan" ("Cơ quan"); either may be absent. A workbook with a
// single sheet of another name is read like a CSV file (its kind told by its
// header). Cells are read as stored, not as displayed.
func ParseXLSX(r io.Reader, name string) (*File, error) {
	data, err := reader.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	out := &File{Name: name, SHA256: tables.SHA256(data)}
	wb, err := reader.XLSX(data, name)
	if err != nil {
		return nil, err
	}
	defer wb.Close()

	sheets := wb.Sheets()
	var procSheet, agencySheet string
	var errs domain.Errors
	for _, s := range sheets {
		var slot *string
		switch domain.Fold(s) {
		case "procedures", "thu tuc", "thu tuc hanh chinh":
			slot = &procSheet
		case "agencies", "co quan", "co quan giai quyet":
			slot = &agencySheet
		default:
			continue
		}
		if *slot != "" {
			errs = append(errs, domain.Errf(s, "err.catalog.duplicate_sheet",
				"sheets %q and %q hold the same kind of rows", *slot, s).WithArgs("Sheet", s, "Other", *slot))
			continue
		}
		*slot = s
	}
	if len(errs) > 0 {
		return nil, errs
	}

	type job struct {
		sheet string
		want  kind
	}
	var jobs []job
	if agencySheet != "" {
		jobs = append(jobs, job{agencySheet, kindAgencies})
	}
	if procSheet != "" {
		jobs = append(jobs, job{procSheet, kindProcedures})
	}
	if len(jobs) == 0 {
		if len(sheets) != 1 {
			return nil, domain.Errors{domain.Errf(name, "err.catalog.no_sheet",
				`the workbook has no sheet named "procedures"/"thu_tuc" or "agencies"/"co_quan"`).
				WithArgs("Name", name, "Sheets", strings.Join(sheets, ", "))}
		}
		jobs = append(jobs, job{sheets[0], kindUnknown})
	}

	for _, j := range jobs {
		rows, err := wb.Rows(j.sheet)
		if err != nil {
			errs = append(errs, err.(domain.Errors)...)
			continue
		}
		where := ""
		if len(jobs) > 1 || j.want != kindUnknown {
			where = j.sheet
		}
		t := table{rows: rows, want: j.want}
		t.parse(out, where, &errs)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out.finish(nil)
}

// finish computes MissingAgencies, or returns the errors found.
func (f *File) finish(errs domain.Errors) (*File, error) {
	if len(errs) > 0 {
		return nil, errs
	}
	if len(f.Agencies) == 0 && len(f.Procedures) == 0 {
		return nil, domain.Errors{domain.Errf(f.Name, "err.catalog.empty",
			"the file has no procedure or agency rows").WithArgs("Name", f.Name)}
	}
	defined := map[string]bool{}
	for _, a := range f.Agencies {
		defined[a.Code] = true
	}
	missing := map[string]bool{}
	for _, p := range f.Procedures {
		if p.AgencyCode != "" && !defined[p.AgencyCode] {
			missing[p.AgencyCode] = true
		}
	}
	for c := range missing {
		f.MissingAgencies = append(f.MissingAgencies, c)
	}
	sort.Strings(f.MissingAgencies)
	return f, nil
}

// --- tables: the common part of CSV and XLSX --------------------------------

type row = tables.Row

type table struct {
	rows []row
	want kind // kindUnknown: tell by the header
}

type kind int

const (
	kindUnknown kind = iota
	kindProcedures
	kindAgencies
)

// Column names.
const (
	colCode           = "code"
	colName           = "name"
	colField          = "field"
	colLevel          = "level"
	colAgencyCode     = "agency_code"
	colProcessingDays = "processing_days"
	colFee            = "fee_vnd"
	colPostage        = "postage_vnd"
	colBCCIIntake     = "bcci_intake"
	colBCCIReturn     = "bcci_return"
	colDocuments      = "documents"
	colSource         = "source"
	colAgencyName     = "agency_name"
	colAddress        = "address"
	colPhone          = "phone"
)

// ProcedureColumns and AgencyColumns are the headers each kind of file may
// have, in the order the writers use.
var (
	ProcedureColumns = []string{colCode, colName, colField, colLevel, colAgencyCode, colProcessingDays,
		colFee, colPostage, colBCCIIntake, colBCCIReturn, colDocuments, colSource}
	AgencyColumns = []string{colAgencyCode, colAgencyName, colLevel, colAddress, colPhone}

	requiredProcedureColumns = []string{colCode, colName, colField, colLevel}
	requiredAgencyColumns    = []string{colAgencyCode, colAgencyName, colLevel}
)

// fieldName is the FieldError.Field of a cell: "line 12: fee_vnd", or with a
// sheet "thu_tuc, line 12: fee_vnd".
func fieldName(where string, line int, column string) string {
	s := fmt.Sprintf("line %d", line)
	if column != "" {
		s += ": " + column
	}
	if where != "" {
		s = where + ", " + s
	}
	return s
}

// normHeader makes "Agency Code " and "agency-code" read as "agency_code".
func normHeader(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF")))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
}

// parse validates the table and appends its rows to out. It reports whether
// the header was usable (errors are added to errs either way).
func (t *table) parse(out *File, where string, errs *domain.Errors) bool {
	// The header is the first row with any text.
	hi := 0
	for hi < len(t.rows) && blankRow(t.rows[hi].Cells) {
		hi++
	}
	if hi == len(t.rows) {
		return true // nothing here; finish reports a file with no rows at all
	}
	head := t.rows[hi]
	hline := head.Line
	cols := map[string]int{}
	names := make([]string, len(head.Cells))
	for i, c := range head.Cells {
		names[i] = normHeader(c)
	}

	k := t.want
	if k == kindUnknown {
		k = detectKind(names)
	}
	if k == kindUnknown {
		*errs = append(*errs, domain.Errf(fieldName(where, hline, ""), "err.catalog.unknown_kind",
			"the header names neither a procedure file (code, name, field, level, ...) nor an agency file (agency_code, agency_name, level, ...)").
			WithArgs("Line", strconv.Itoa(hline)))
		return false
	}
	allowed, required := ProcedureColumns, requiredProcedureColumns
	if k == kindAgencies {
		allowed, required = AgencyColumns, requiredAgencyColumns
	}
	ok := true
	for i, n := range names {
		raw := strings.TrimSpace(head.Cells[i])
		switch {
		case n == "":
			// An unnamed column is fine while it stays empty (checked per row).
		case !contains(allowed, n):
			ok = false
			*errs = append(*errs, domain.Errf(fieldName(where, hline, raw), "err.catalog.unknown_column",
				"unknown column %q; the columns are: %s", raw, strings.Join(allowed, ", ")).
				WithArgs("Line", strconv.Itoa(hline), "Column", raw, "Allowed", strings.Join(allowed, ", ")))
		default:
			if _, dup := cols[n]; dup {
				ok = false
				*errs = append(*errs, domain.Errf(fieldName(where, hline, raw), "err.catalog.duplicate_column",
					"column %q appears twice", raw).WithArgs("Line", strconv.Itoa(hline), "Column", raw))
				continue
			}
			cols[n] = i
		}
	}
	for _, n := range required {
		if _, has := cols[n]; !has {
			ok = false
			*errs = append(*errs, domain.Errf(fieldName(where, hline, n), "err.catalog.missing_column",
				"required column %q is missing", n).WithArgs("Line", strconv.Itoa(hline), "Column", n))
		}
	}
	if !ok {
		return false
	}

	seen := map[string]int{} // code → first line
	overAt := 0              // line where MaxErrors was reached
	for _, r := range t.rows[hi+1:] {
		if blankRow(r.Cells) {
			continue
		}
		if len(*errs) >= MaxErrors {
			overAt = r.Line
			break
		}
		c := &cellReader{where: where, row: r, cols: cols, header: names, errs: errs, over: &overAt}
		c.checkUnnamed()
		// A row with other problems still claims its code, so a later
		// duplicate is reported too.
		if k == kindProcedures {
			p, ok := c.procedure()
			if ValidProcedureCode(p.Code) && !c.unique(colCode, p.Code, p.Code, seen) {
				ok = false
			}
			if ok {
				out.Procedures = append(out.Procedures, p)
				out.procLines = append(out.procLines, r.Line)
				out.procWhere = append(out.procWhere, where)
			}
		} else {
			a, ok := c.agency()
			if domain.ValidAgencyCode(a.Code) == nil && !c.unique(colAgencyCode, a.Code, a.Code, seen) {
				ok = false
			}
			if ok {
				out.Agencies = append(out.Agencies, a)
			}
		}
	}
	if overAt > 0 {
		*errs = append(*errs, domain.Errf(fieldName(where, overAt, ""), "err.catalog.too_many_errors",
			"more than %d problems; the file was not checked from here on", MaxErrors).
			WithArgs("Line", strconv.Itoa(overAt), "Max", strconv.Itoa(MaxErrors)))
	}
	return true
}

// detectKind tells a procedure file from an agency file by its header.
func detectKind(names []string) kind {
	has := func(n string) bool { return contains(names, n) }
	switch {
	case has(colCode) || has(colName) || has(colField):
		return kindProcedures
	case has(colAgencyName) || has(colAgencyCode) || has(colAddress) || has(colPhone):
		return kindAgencies
	}
	return kindUnknown
}

func blankRow(cells []string) bool { return tables.Row{Cells: cells}.Blank() }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// cellReader reads the cells of one data row and records its problems.
type cellReader struct {
	where  string
	row    row
	cols   map[string]int
	header []string
	errs   *domain.Errors
	over   *int // set to the line when MaxErrors is reached
	bad    bool
}

// add records one problem with a cell.
func (c *cellReader) add(column, value, key, format string, a ...any) {
	c.bad = true
	if len(*c.errs) >= MaxErrors {
		if c.over != nil && *c.over == 0 {
			*c.over = c.row.Line
		}
		return // parse reports the overflow once
	}
	if r := []rune(value); len(r) > 80 {
		value = string(r[:80]) + "…"
	}
	*c.errs = append(*c.errs, domain.Errf(fieldName(c.where, c.row.Line, column), key, format, a...).
		WithArgs("Line", strconv.Itoa(c.row.Line), "Column", column, "Value", value))
}

// raw is the cell as written (trimmed), "" when absent.
func (c *cellReader) raw(column string) string {
	i, ok := c.cols[column]
	if !ok || i >= len(c.row.Cells) {
		return ""
	}
	return strings.TrimSpace(c.row.Cells[i])
}

// text is the cell through domain.Clean (NFC, trimmed, spaces collapsed).
func (c *cellReader) text(column string) string {
	i, ok := c.cols[column]
	if !ok || i >= len(c.row.Cells) {
		return ""
	}
	v := c.row.Cells[i]
	if !utf8.ValidString(v) {
		c.add(column, "", "err.catalog.encoding", "the text is not UTF-8")
		return ""
	}
	v = domain.Clean(v)
	if max := cellLimit(column); utf8.RuneCountInString(v) > max {
		c.tooLong(column, v, max)
		return ""
	}
	return v
}

// tooLong records a cell over its length bound (domain limits: what a
// catalog cell becomes must fit an event, see domain.MaxEventPayload).
func (c *cellReader) tooLong(column, v string, max int) {
	n := len(*c.errs)
	length := utf8.RuneCountInString(v)
	c.add(column, v, "err.catalog.too_long", "%d characters; at most %d", length, max)
	if len(*c.errs) > n {
		(*c.errs)[n].WithArgs("Length", strconv.Itoa(length), "Max", strconv.Itoa(max))
	}
}

// required is text that must not be empty.
func (c *cellReader) required(column string) string {
	v := c.text(column)
	if v == "" {
		c.add(column, "", "err.catalog.missing", "%s is required", column)
	}
	return v
}

// checkUnnamed rejects values under a column with no header.
func (c *cellReader) checkUnnamed() {
	for i, v := range c.row.Cells {
		if strings.TrimSpace(v) == "" || (i < len(c.header) && c.header[i] != "") {
			continue
		}
		if len(*c.errs) >= MaxErrors {
			c.bad = true
			if c.over != nil && *c.over == 0 {
				*c.over = c.row.Line
			}
			return
		}
		col := "#" + strconv.Itoa(i+1)
		c.add(col, v, "err.catalog.no_header", "column %d has a value but no header", i+1)
	}
}

// unique records a duplicate key (shown as shown); it reports whether key is new.
func (c *cellReader) unique(column, key, shown string, seen map[string]int) bool {
	if first, dup := seen[key]; dup {
		n := len(*c.errs)
		c.add(column, shown, "err.catalog.duplicate", "%s appears twice (first on line %d)", shown, first)
		if len(*c.errs) > n {
			(*c.errs)[n].WithArgs("FirstLine", strconv.Itoa(first))
		}
		return false
	}
	seen[key] = c.row.Line
	return true
}

func (c *cellReader) flag(column string) bool {
	v := c.raw(column)
	b, ok := parseFlag(v)
	if !ok {
		c.add(column, v, "err.catalog.bad_flag", "%q is not a yes/no value; write 1, 0, có, không, x or leave it empty", v)
	}
	return b
}

func (c *cellReader) money(column string) (domain.Money, bool) {
	v := c.raw(column)
	m, empty, ok := parseMoney(v)
	if !ok {
		c.add(column, v, "err.catalog.bad_number", "%q is not an amount of đồng; write e.g. 15000 or 15.000", v)
	}
	return m, !empty
}

func (c *cellReader) level() string {
	v := c.required(colLevel)
	if v == "" {
		return ""
	}
	l, ok := CanonicalLevel(v)
	if !ok {
		c.add(colLevel, v, "err.catalog.bad_level", "level %q must be cấp xã, cấp tỉnh or cấp bộ", v)
	}
	return l
}

func (c *cellReader) agencyCode(column string, required bool) string {
	var v string
	if required {
		v = c.required(column)
	} else {
		v = c.text(column)
	}
	if v == "" {
		return ""
	}
	v = strings.ToUpper(v)
	if err := domain.ValidAgencyCode(v); err != nil {
		c.bad = true
		var fe *domain.FieldError
		if !errors.As(err, &fe) {
			fe = domain.Errf("", "err.agency_code.format", "%v", err)
		}
		fe = fe.In(fieldName(c.where, c.row.Line, column))
		fe.Args = nil
		*c.errs = append(*c.errs, fe.WithArgs("Line", strconv.Itoa(c.row.Line), "Column", column, "Value", v, "Code", v))
	}
	return v
}

func (c *cellReader) procedure() (domain.Procedure, bool) {
	p := domain.Procedure{}
	if p.Code = strings.ToUpper(c.required(colCode)); p.Code != "" && !ValidProcedureCode(p.Code) {
		c.add(colCode, p.Code, "err.catalog.bad_code",
			"%q is not a procedure code; write the national code like 1.001193 (optionally with a provincial suffix like .000.00.00.H21)", p.Code)
	}
	p.Name = c.required(colName)
	if f := c.required(colField); f != "" {
		if canon, ok := CanonicalField(f); ok {
			p.Field = canon
		} else {
			c.add(colField, f, "err.catalog.unknown_field", "unknown field (lĩnh vực) %q", f)
		}
	}
	p.Level = c.level()
	p.AgencyCode = c.agencyCode(colAgencyCode, false)
	if v := c.raw(colProcessingDays); v != "" {
		n, ok := parseCount(v)
		if !ok {
			c.add(colProcessingDays, v, "err.catalog.bad_number",
				"%q is not a number of days; write a whole number from 0 to %d or leave it empty", v, MaxProcessingDays)
		}
		p.ProcessingDays = n
	}
	p.Fee, p.FeeKnown = c.money(colFee)
	p.Postage, _ = c.money(colPostage)
	p.BCCIIntake = c.flag(colBCCIIntake)
	p.BCCIReturn = c.flag(colBCCIReturn)
	if v := c.text(colDocuments); v != "" {
		docs, problems := parseDocuments(v)
		for _, d := range docs {
			if utf8.RuneCountInString(d.Name) > domain.MaxDocumentName {
				c.tooLong(colDocuments, d.Name, domain.MaxDocumentName)
			}
		}
		for _, pr := range problems {
			n := len(*c.errs)
			c.add(colDocuments, pr.value, pr.key, "paper %d: %s", pr.index, pr.msg)
			if len(*c.errs) > n {
				(*c.errs)[n].WithArgs("Index", strconv.Itoa(pr.index))
			}
		}
		p.Documents = docs
	}
	p.Source = c.text(colSource)
	return p, !c.bad
}

func (c *cellReader) agency() (domain.Agency, bool) {
	a := domain.Agency{}
	a.Code = c.agencyCode(colAgencyCode, true)
	a.Name = c.required(colAgencyName)
	a.Level = c.level()
	a.Address = c.text(colAddress)
	a.Phone = c.text(colPhone)
	if a.Phone != "" && !validPhone(a.Phone) {
		c.add(colPhone, a.Phone, "err.catalog.bad_phone",
			"%q is not a phone number; write digits, with spaces, dots, dashes or a leading +", a.Phone)
	}
	return a, !c.bad
}

// validPhone allows 8 to 15 digits with spaces, dots, dashes, brackets and a
// leading +.
func validPhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 8 && digits <= 15
}

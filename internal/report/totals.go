package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/tables"
)

// The all-channel totals file (format in TOTALS.md beside this file).

// Column names of a totals file.
const (
	colPeriodFrom = "period_from"
	colPeriodTo   = "period_to"
	colProcedure  = "procedure_code"
	colAgency     = "agency_code"
	colMonth      = "month"
	colDossiers   = "dossiers_total"
	colResults    = "results_total"
)

var (
	totalsRequired = []string{colPeriodFrom, colPeriodTo, colProcedure, colAgency, colMonth, colDossiers, colResults}
	// columns people keep for themselves; read and ignored
	totalsOptional = []string{"procedure_name", "agency_name", "note"}
	// the one-stop system's names for the same columns (docs/onestop.md),
	// as tables.Name folds them
	totalsPortal = map[string]string{
		"matthc": colProcedure, "ma_tthc": colProcedure, "mathutuc": colProcedure, "ma_thu_tuc": colProcedure,
		"macoquan": colAgency, "ma_co_quan": colAgency, "madonvi": colAgency, "ma_don_vi": colAgency,
		"thang": colMonth, "tuthang": colPeriodFrom, "tu_thang": colPeriodFrom, "denthang": colPeriodTo, "den_thang": colPeriodTo,
		"tongsohoso": colDossiers, "tong_so_ho_so": colDossiers, "tongsohosotiepnhan": colDossiers,
		"tongsoketqua": colResults, "tong_so_ket_qua": colResults, "tongsohosodatra": colResults, "tong_so_ho_so_da_tra": colResults,
		"tentthc": "procedure_name", "ten_tthc": "procedure_name", "tencoquan": "agency_name", "ten_co_quan": "agency_name",
	}
)

// MaxTotalsFile is the largest totals file read (a province's year is a few
// hundred thousand rows at most).
const MaxTotalsFile = 64 << 20

// maxPeriodMonths bounds a file's stated period.
const maxPeriodMonths = 120

// TotalsLine is one row of a totals file, with its spreadsheet line.
type TotalsLine struct {
	store.TotalsRow
	Line int
}

// TotalsFile is a parsed totals file: its stated period and its rows.
type TotalsFile struct {
	Name     string
	SHA256   string
	From, To domain.Month
	Rows     []TotalsLine
}

// Agencies lists, once each and sorted, the agencies the file covers.
func (f *TotalsFile) Agencies() []string {
	seen := map[string]bool{}
	for _, r := range f.Rows {
		seen[r.Agency] = true
	}
	return sortedKeys(seen)
}

func rowErr(line int, column, key, format string, a ...any) *domain.FieldError {
	return domain.Errf(fmt.Sprintf("line %d: %s", line, column), key, format, a...).WithArgs("Line", strconv.Itoa(line), "Column", column)
}

// totalsReader reads totals files: size limit, encodings, CSV/XLSX.
var totalsReader = tables.Reader{MaxBytes: MaxTotalsFile, Keys: tables.Keys{
	TooLarge: "err.totals.too_large", Encoding: "err.totals.encoding",
	CSV: "err.totals.bad_csv", XLSX: "err.totals.bad_xlsx"}}

// ParseTotalsFile reads a .csv or .xlsx totals file.
func ParseTotalsFile(path string) (*TotalsFile, error) {
	name := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, domain.Errors{domain.Errf(name, "err.totals.bad_extension", "a totals file must be .csv or .xlsx").WithArgs("Name", name)}
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := totalsReader.ReadAll(fh, name)
	if err != nil {
		return nil, err
	}
	if ext == ".csv" {
		return ParseTotalsCSV(data, name)
	}
	return ParseTotalsXLSX(data, name)
}

// ParseTotalsCSV reads a CSV totals file (any encoding tables.Decode reads;
// comma, semicolon or tab separated). Every problem is returned, as
// domain.Errors.
func ParseTotalsCSV(data []byte, name string) (*TotalsFile, error) {
	rows, _, err := totalsReader.CSV(data, name)
	if err != nil {
		return nil, err
	}
	f := &TotalsFile{Name: name, SHA256: tables.SHA256(data)}
	return f, parseTable(f, rows)
}

// ParseTotalsXLSX reads the first sheet of a workbook, or the sheet named
// "tong_so" / "totals" when there is one.
func ParseTotalsXLSX(data []byte, name string) (*TotalsFile, error) {
	wb, err := totalsReader.XLSX(data, name)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sheet := wb.Pick("tong_so", "totals")
	if sheet == "" {
		return nil, domain.Errors{domain.Errf(name, "err.totals.empty", "the file has no rows")}
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, err
	}
	f := &TotalsFile{Name: name, SHA256: tables.SHA256(data)}
	return f, parseTable(f, rows)
}

// parseTable reads the header and every data row into f. It checks what a
// file alone can tell: columns, numbers, months, the stated period and
// duplicates. The catalog and the BCCI counts are checked by Check.
func parseTable(f *TotalsFile, rows []tables.Row) error {
	var errs domain.Errors
	h := 0
	for h < len(rows) && rows[h].Blank() {
		h++
	}
	if h == len(rows) {
		return domain.Errors{domain.Errf(f.Name, "err.totals.empty", "the file has no rows")}
	}
	col := map[string]int{}
	for i, c := range rows[h].Cells {
		n := tables.Name(c)
		if n == "" {
			continue
		}
		if canon, ok := totalsPortal[n]; ok {
			n = canon
		}
		if !contains(totalsRequired, n) && !contains(totalsOptional, n) {
			errs = append(errs, rowErr(rows[h].Line, c, "err.totals.unknown_column", "unknown column %q", c).WithArgs("Value", c))
			continue
		}
		if _, dup := col[n]; dup {
			errs = append(errs, rowErr(rows[h].Line, c, "err.totals.duplicate_column", "column %q twice", c).WithArgs("Value", c))
			continue
		}
		col[n] = i
	}
	for _, n := range totalsRequired {
		if _, ok := col[n]; !ok {
			errs = append(errs, rowErr(rows[h].Line, n, "err.totals.missing_column", "required column %q is missing", n).WithArgs("Value", n))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	cell := func(r []string, n string) string {
		if i := col[n]; i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	periodLine := 0
	seen := map[cellKey]int{}
	for i := h + 1; i < len(rows); i++ {
		r, line := rows[i].Cells, rows[i].Line
		if rows[i].Blank() {
			continue
		}
		if len(errs) >= 500 {
			break
		}
		bad := false
		fail := func(e *domain.FieldError) { errs = append(errs, e); bad = true }
		from, err1 := parseMonthCell(cell(r, colPeriodFrom))
		to, err2 := parseMonthCell(cell(r, colPeriodTo))
		switch {
		case err1 != nil:
			fail(rowErr(line, colPeriodFrom, "err.totals.bad_month", "%q is not a month mm/yyyy", cell(r, colPeriodFrom)).WithArgs("Value", cell(r, colPeriodFrom)))
		case err2 != nil:
			fail(rowErr(line, colPeriodTo, "err.totals.bad_month", "%q is not a month mm/yyyy", cell(r, colPeriodTo)).WithArgs("Value", cell(r, colPeriodTo)))
		case to < from:
			fail(rowErr(line, colPeriodTo, "err.totals.period_order", "the period ends before it starts").
				WithArgs("From", from.Label(), "To", to.Label()))
		case periodLine == 0:
			if n := monthsBetween(from, to); n > maxPeriodMonths {
				fail(rowErr(line, colPeriodTo, "err.totals.period_long", "the period is longer than %d months", maxPeriodMonths).
					WithArgs("N", strconv.Itoa(maxPeriodMonths)))
			} else {
				f.From, f.To, periodLine = from, to, line
			}
		case from != f.From || to != f.To:
			fail(rowErr(line, colPeriodFrom, "err.totals.period_differs", "the period %s–%s differs from line %d's %s–%s",
				from.Label(), to.Label(), periodLine, f.From.Label(), f.To.Label()).
				WithArgs("From", from.Label(), "To", to.Label(), "First", strconv.Itoa(periodLine),
					"FirstFrom", f.From.Label(), "FirstTo", f.To.Label()))
		}
		proc := strings.ToUpper(cell(r, colProcedure))
		if proc == "" {
			fail(rowErr(line, colProcedure, "err.totals.required", "empty"))
		}
		agency := strings.ToUpper(cell(r, colAgency))
		if agency == "" {
			fail(rowErr(line, colAgency, "err.totals.required", "empty"))
		}
		month, err := parseMonthCell(cell(r, colMonth))
		if err != nil {
			fail(rowErr(line, colMonth, "err.totals.bad_month", "%q is not a month mm/yyyy", cell(r, colMonth)).WithArgs("Value", cell(r, colMonth)))
		} else if periodLine != 0 && (month < f.From || month > f.To) {
			fail(rowErr(line, colMonth, "err.totals.month_outside", "month %s is outside the file's period %s–%s",
				month.Label(), f.From.Label(), f.To.Label()).WithArgs("Value", month.Label(), "From", f.From.Label(), "To", f.To.Label()))
		}
		nums := [2]int64{}
		for j, c := range []string{colDossiers, colResults} {
			v := cell(r, c)
			n, ok := parseCount(v)
			switch {
			case v == "":
				fail(rowErr(line, c, "err.totals.required", "empty (write 0 for none)"))
			case strings.HasPrefix(v, "-") || strings.HasPrefix(v, "−"):
				fail(rowErr(line, c, "err.totals.negative", "%s is negative", v).WithArgs("Value", v))
			case !ok:
				fail(rowErr(line, c, "err.totals.bad_number", "%q is not a whole number", v).WithArgs("Value", v))
			default:
				nums[j] = n
			}
		}
		if bad {
			continue
		}
		k := cellKey{proc, agency, month}
		if first, dup := seen[k]; dup {
			errs = append(errs, rowErr(line, colProcedure, "err.totals.duplicate", "the same procedure, agency and month as line %d", first).
				WithArgs("First", strconv.Itoa(first), "Value", proc))
			continue
		}
		seen[k] = line
		f.Rows = append(f.Rows, TotalsLine{TotalsRow: store.TotalsRow{Procedure: proc, Agency: agency, Month: month,
			Dossiers: nums[0], Results: nums[1]}, Line: line})
	}
	if len(errs) > 0 {
		return errs
	}
	if len(f.Rows) == 0 {
		return domain.Errors{domain.Errf(f.Name, "err.totals.empty", "the file has no rows")}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func monthsBetween(a, b domain.Month) int {
	ta, tb := a.Start(), b.Start()
	return (tb.Year()-ta.Year())*12 + int(tb.Month()) - int(ta.Month()) + 1
}

// parseMonthCell reads a month: mm/yyyy, yyyy-mm, a date dd/mm/yyyy (its
// month), or an Excel date serial (a month typed in Excel becomes a date).
func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func parseMonthCell(s string) (domain.Month, error) {
	if m, err := domain.ParseMonth(s); err == nil {
		return m, nil
	}
	if t, err := domain.ParseDate(s, domain.Zone); err == nil {
		return domain.MonthOf(t), nil
	}
	// The one-stop system's forms: yyyyMM, yyyyMMdd, yyyyMMddHHmmss. Six
	// digits are never an Excel date of these centuries (those have five).
	if len(s) == 6 && allDigits(s) {
		t, err := time.ParseInLocation("200601", s, domain.Zone)
		if err != nil {
			return "", err
		}
		return domain.MonthOf(t), nil
	}
	if (len(s) == 8 || len(s) == 14) && allDigits(s) {
		t, err := domain.ParsePortalTime(s)
		if err != nil {
			return "", err
		}
		return domain.MonthOf(t), nil
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n >= 1 && n < 2958466 && !strings.ContainsAny(s, "/-") {
		// Excel's day 1 is 1900-01-01, with its phantom 29/02/1900
		t := time.Date(1899, 12, 30, 0, 0, 0, 0, domain.Zone).AddDate(0, 0, int(n))
		return domain.MonthOf(t), nil
	}
	return domain.ParseMonth(s)
}

// parseCount reads a non-negative whole number, with thousands grouped by
// '.', ',' or spaces ("1.234", "1 234"). An Excel number stored as "12.0" is
// read as 12.
func parseCount(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, n >= 0
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f == float64(int64(f)) && !strings.Contains(s, ",") && strings.Count(s, ".") == 1 && strings.HasSuffix(s, ".0") {
		return int64(f), true
	}
	for _, sep := range []string{".", ",", " ", "\u00a0"} {
		if !strings.Contains(s, sep) {
			continue
		}
		parts := strings.Split(s, sep)
		ok := len(parts[0]) >= 1 && len(parts[0]) <= 3
		for _, p := range parts[1:] {
			ok = ok && len(p) == 3
		}
		if !ok {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.Join(parts, ""), 10, 64)
		return n, err == nil && n >= 0
	}
	return 0, false
}

// Check compares a parsed file with the catalog and with the BCCI counts
// of the same cells (summed over every unit): an unknown procedure or
// agency, or totals smaller than what went through the post, is an error
// with the row's line. A cell of a covered agency and month that has BCCI
// events but no row in the file is an error too (the file says that cell
// had no dossier at all).
func Check(f *TotalsFile, procs []domain.Procedure, agencies []domain.Agency, counts []Count) error {
	knownP := map[string]bool{}
	for _, p := range procs {
		knownP[strings.ToUpper(p.Code)] = true
	}
	knownA := map[string]bool{}
	for _, a := range agencies {
		knownA[strings.ToUpper(a.Code)] = true
	}
	type sums struct{ recv, ret int64 }
	bcci := map[cellKey]*sums{}
	for _, c := range counts {
		if c.Month < f.From || c.Month > f.To {
			continue
		}
		k := cellKey{strings.ToUpper(c.Procedure), strings.ToUpper(c.Agency), c.Month}
		s := bcci[k]
		if s == nil {
			s = &sums{}
			bcci[k] = s
		}
		s.recv += c.Received
		s.ret += c.Returned
	}
	var errs domain.Errors
	listed := map[cellKey]bool{}
	covered := map[string]bool{}
	for _, r := range f.Rows {
		covered[r.Agency] = true
		k := cellKey{r.Procedure, r.Agency, r.Month}
		listed[k] = true
		if !knownP[r.Procedure] {
			errs = append(errs, rowErr(r.Line, colProcedure, "err.totals.unknown_procedure", "procedure %s is not in the catalog", r.Procedure).
				WithArgs("Value", r.Procedure))
		}
		if !knownA[r.Agency] {
			errs = append(errs, rowErr(r.Line, colAgency, "err.totals.unknown_agency", "agency %s is not in the catalog", r.Agency).
				WithArgs("Value", r.Agency))
		}
		if s := bcci[k]; s != nil {
			if r.Dossiers < s.recv {
				errs = append(errs, rowErr(r.Line, colDossiers, "err.totals.below_bcci",
					"%d is fewer than the %d dossiers received through BCCI in this cell", r.Dossiers, s.recv).
					WithArgs("Value", strconv.FormatInt(r.Dossiers, 10), "BCCI", strconv.FormatInt(s.recv, 10)))
			}
			if r.Results < s.ret {
				errs = append(errs, rowErr(r.Line, colResults, "err.totals.below_bcci",
					"%d is fewer than the %d results returned through BCCI in this cell", r.Results, s.ret).
					WithArgs("Value", strconv.FormatInt(r.Results, 10), "BCCI", strconv.FormatInt(s.ret, 10)))
			}
		}
	}
	var missing []cellKey
	for k, s := range bcci {
		if covered[k.agency] && !listed[k] && s.recv+s.ret > 0 {
			missing = append(missing, k)
		}
	}
	sort.Slice(missing, func(i, j int) bool {
		a, b := missing[i], missing[j]
		if a.month != b.month {
			return a.month < b.month
		}
		if a.agency != b.agency {
			return a.agency < b.agency
		}
		return a.proc < b.proc
	})
	for _, k := range missing {
		s := bcci[k]
		errs = append(errs, domain.Errf(f.Name, "err.totals.missing_cell",
			"no row for procedure %s at agency %s in %s, but %d dossiers and %d results went through BCCI",
			k.proc, k.agency, k.month.Label(), s.recv, s.ret).
			WithArgs("Procedure", k.proc, "Agency", k.agency, "Month", k.month.Label(),
				"Received", strconv.FormatInt(s.recv, 10), "Returned", strconv.FormatInt(s.ret, 10)))
	}
	sort.SliceStable(errs, func(i, j int) bool { return lineOf(errs[i]) < lineOf(errs[j]) })
	return errs.Err()
}

func lineOf(e *domain.FieldError) int {
	n, err := strconv.Atoi(e.Args["Line"])
	if err != nil {
		return 1 << 30
	}
	return n
}

// ImportPoint checks a parsed totals file against a post point's catalog
// and BCCI counts and stores it, all or nothing. The counts are read inside
// the import's transaction.
func ImportPoint(ctx context.Context, s *store.Store, staff string, f *TotalsFile) (int64, error) {
	procs, err := s.Procedures(ctx)
	if err != nil {
		return 0, err
	}
	agencies, err := s.Agencies(ctx)
	if err != nil {
		return 0, err
	}
	imp := store.TotalsImport{Source: f.Name, SHA256: f.SHA256, Staff: staff, From: f.From, To: f.To, Agencies: f.Agencies()}
	for _, r := range f.Rows {
		imp.Rows = append(imp.Rows, r.TotalsRow)
	}
	return s.ImportTotals(ctx, imp, func(counts []store.BCCICount) error {
		return Check(f, procs, agencies, countsOf(counts))
	})
}

// TypedTotals makes the totals a supervisor typed for one agency and month
// (procedure code → dossiers and results) into a file to check and import;
// its rows are numbered from 1 in the order of codes.
func TypedTotals(agency string, month domain.Month, cells map[string][2]int64) *TotalsFile {
	f := &TotalsFile{Name: "typed", From: month, To: month}
	codes := make([]string, 0, len(cells))
	for c := range cells {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for i, c := range codes {
		v := cells[c]
		f.Rows = append(f.Rows, TotalsLine{TotalsRow: store.TotalsRow{Procedure: strings.ToUpper(c), Agency: strings.ToUpper(agency),
			Month: month, Dossiers: v[0], Results: v[1]}, Line: i + 1})
	}
	return f
}

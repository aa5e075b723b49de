package hub

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"postdesk/internal/domain"
)

// MaxOutcomeFile is the largest outcome file read (CSV or XLSX).
const MaxOutcomeFile = 32 << 20

// outcomeColumns maps every accepted header (folded: lower case, no
// diacritics, words joined by '_') to the Outcome field it fills. FORMAT.md
// documents them.
var outcomeColumns = map[string]string{
	"receipt": "receipt", "receipt_number": "receipt", "so_bien_nhan": "receipt", "ma_bien_nhan": "receipt",
	"official_code": "official_code", "ma_ho_so": "official_code",
	"outcome": "outcome", "ket_qua": "outcome",
	"due_date": "due_date", "ngay_hen_tra": "due_date",
	"papers": "papers", "giay_to_bo_sung": "papers",
	"reason": "reason", "ly_do": "reason",
	"post_point": "post_point", "ma_buu_cuc": "post_point", "ma_diem_buu_dien": "post_point",
	"applicant_name": "applicant_name", "ho_ten": "applicant_name", "ho_ten_nguoi_nop": "applicant_name",
	"applicant_id": "applicant_id", "so_giay_to": "applicant_id", "cccd": "applicant_id", "so_cccd": "applicant_id",
	"applicant_phone": "applicant_phone", "dien_thoai": "applicant_phone", "so_dien_thoai": "applicant_phone",
	"commune": "commune", "xa": "commune", "xa_phuong": "commune",
	"address": "address", "dia_chi": "address",
	"procedure_code": "procedure_code", "ma_thu_tuc": "procedure_code",
	"procedure_name": "procedure_name", "ten_thu_tuc": "procedure_name",
	"agency_code": "agency_code", "ma_co_quan": "agency_code",
	"fee": "fee", "fee_vnd": "fee", "le_phi": "fee",
}

func setOutcomeField(o *Outcome, field, v string) {
	switch field {
	case "receipt":
		o.Receipt = v
	case "official_code":
		o.OfficialCode = v
	case "outcome":
		o.Outcome = v
	case "due_date":
		o.DueDate = v
	case "papers":
		o.Papers = v
	case "reason":
		o.Reason = v
	case "post_point":
		o.PostPoint = v
	case "applicant_name":
		o.ApplicantName = v
	case "applicant_id":
		o.ApplicantID = v
	case "applicant_phone":
		o.ApplicantPhone = v
	case "commune":
		o.Commune = v
	case "address":
		o.Address = v
	case "procedure_code":
		o.ProcedureCode = v
	case "procedure_name":
		o.ProcedureName = v
	case "agency_code":
		o.AgencyCode = v
	case "fee":
		o.Fee = v
	}
}

func normColumn(s string) string {
	s = domain.Fold(strings.TrimPrefix(s, "\uFEFF"))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '.' }), "_")
}

// ParseOutcomeFile reads an outcome file by its extension (.csv or .xlsx).
func ParseOutcomeFile(r io.Reader, name string) ([]Outcome, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return ParseOutcomesCSV(r)
	case ".xlsx":
		return ParseOutcomesXLSX(r)
	}
	return nil, domain.Errors{domain.Errf(name, "hub.err.outcome_ext", "%s: an outcome file must be .csv or .xlsx", name).WithArgs("Name", name)}
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxOutcomeFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxOutcomeFile {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcome_too_large", "the file is larger than %d MB", MaxOutcomeFile>>20).
			WithArgs("MaxMB", strconv.Itoa(MaxOutcomeFile>>20))}
	}
	return data, nil
}

// ParseOutcomesCSV reads outcomes from CSV (UTF-8, comma, semicolon or tab
// separated, header on the first line). Line numbers are the spreadsheet's.
func ParseOutcomesCSV(r io.Reader) ([]Outcome, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcome_encoding", "the file is not UTF-8 text; save it as CSV UTF-8")}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	var rows [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			return nil, domain.Errors{domain.Errf(fmt.Sprintf("line %d", line), "hub.err.outcome_csv",
				"the CSV is malformed here (check the quotes): %v", errors.Unwrap(err)).WithArgs("Line", strconv.Itoa(line))}
		}
		l, _ := cr.FieldPos(0)
		rows, lines = append(rows, rec), append(lines, l)
	}
	return outcomesFromTable(rows, lines)
}

func sniffComma(data []byte) rune {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	best, n := ',', bytes.Count(line, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// ParseOutcomesXLSX reads the first sheet of a workbook (or the sheet named
// "outcomes"/"ket_qua"), cells as stored. A date cell stored as a number is
// read as a spreadsheet date.
func ParseOutcomesXLSX(r io.Reader) ([]Outcome, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 8 * MaxOutcomeFile, UnzipXMLSizeLimit: 8 * MaxOutcomeFile})
	if err != nil {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcome_xlsx", "not a readable Excel (.xlsx) workbook: %v", err)}
	}
	defer wb.Close()
	sheets := wb.GetSheetList()
	if len(sheets) == 0 {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if f := normColumn(s); f == "outcomes" || f == "ket_qua" {
			sheet = s
		}
	}
	cells, err := wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcome_xlsx", "cannot read sheet %q: %v", sheet, err)}
	}
	lines := make([]int, len(cells))
	for i := range cells {
		lines[i] = i + 1
	}
	out, err := outcomesFromTable(cells, lines)
	if err != nil {
		return nil, err
	}
	// Dates typed in Excel are stored as serial numbers.
	for i := range out {
		if n, err := strconv.ParseFloat(strings.TrimSpace(out[i].DueDate), 64); err == nil && n > 20000 && n < 80000 {
			if t, err := excelize.ExcelDateToTime(n, false); err == nil {
				out[i].DueDate = t.Format("02/01/2006")
			}
		}
	}
	return out, nil
}

func outcomesFromTable(rows [][]string, lines []int) ([]Outcome, error) {
	hi := 0
	for hi < len(rows) && blank(rows[hi]) {
		hi++
	}
	if hi == len(rows) {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	var errs domain.Errors
	fields := make([]string, len(rows[hi]))
	seen := map[string]bool{}
	for i, h := range rows[hi] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, ok := outcomeColumns[normColumn(h)]
		if !ok {
			errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", lines[hi], h), "hub.err.outcome_column",
				"unknown column %q (see FORMAT.md)", h).WithArgs("Line", strconv.Itoa(lines[hi]), "Column", h))
			continue
		}
		if seen[f] {
			errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", lines[hi], h), "hub.err.outcome_column_twice",
				"column %q appears twice", h).WithArgs("Line", strconv.Itoa(lines[hi]), "Column", h))
		}
		seen[f] = true
		fields[i] = f
	}
	if !seen["outcome"] {
		errs = append(errs, domain.Errf(fmt.Sprintf("line %d", lines[hi]), "hub.err.outcome_no_column",
			"the header has no %q column", "outcome").WithArgs("Line", strconv.Itoa(lines[hi]), "Column", "outcome"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Outcome
	for r := hi + 1; r < len(rows); r++ {
		if blank(rows[r]) {
			continue
		}
		o := Outcome{Line: lines[r]}
		for i, v := range rows[r] {
			if i < len(fields) && fields[i] != "" {
				setOutcomeField(&o, fields[i], strings.TrimSpace(v))
			} else if strings.TrimSpace(v) != "" {
				errs = append(errs, domain.Errf(fmt.Sprintf("line %d", lines[r]), "hub.err.outcome_extra_cell",
					"a value in column %d, which has no header", i+1).WithArgs("Line", strconv.Itoa(lines[r]), "Column", strconv.Itoa(i+1)))
			}
		}
		out = append(out, o)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	return out, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

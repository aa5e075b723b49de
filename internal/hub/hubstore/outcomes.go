package hubstore

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"postdesk/internal/domain"
	"postdesk/internal/tables"
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

// outcomeReader reads outcome files: size limit, encodings, CSV/XLSX.
var outcomeReader = tables.Reader{MaxBytes: MaxOutcomeFile, Keys: tables.Keys{
	TooLarge: "hub.err.outcome_too_large", Encoding: "hub.err.outcome_encoding",
	CSV: "hub.err.outcome_csv", XLSX: "hub.err.outcome_xlsx"}}

// ParseOutcomesCSV reads outcomes from CSV (any encoding tables.Decode
// reads; comma, semicolon or tab separated; header on the first line).
// Line numbers are the spreadsheet's.
func ParseOutcomesCSV(r io.Reader) ([]Outcome, error) {
	data, err := outcomeReader.ReadAll(r, "")
	if err != nil {
		return nil, err
	}
	rows, _, err := outcomeReader.CSV(data, "")
	if err != nil {
		return nil, err
	}
	return outcomesFromTable(rows)
}

// ParseOutcomesXLSX reads the first sheet of a workbook (or the sheet named
// "outcomes"/"ket_qua"), cells as stored. A date cell stored as a number is
// read as a spreadsheet date.
func ParseOutcomesXLSX(r io.Reader) ([]Outcome, error) {
	data, err := outcomeReader.ReadAll(r, "")
	if err != nil {
		return nil, err
	}
	wb, err := outcomeReader.XLSX(data, "")
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sheet := wb.Pick("outcomes", "ket_qua")
	if sheet == "" {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	rows, err := wb.Rows(sheet)
	if err != nil {
		return nil, err
	}
	out, err := outcomesFromTable(rows)
	if err != nil {
		return nil, err
	}
	// Dates typed in Excel are stored as serial numbers.
	for i := range out {
		if d, ok := tables.ExcelDate(out[i].DueDate); ok {
			out[i].DueDate = d
		}
	}
	return out, nil
}

func outcomesFromTable(rows []tables.Row) ([]Outcome, error) {
	hi := 0
	for hi < len(rows) && rows[hi].Blank() {
		hi++
	}
	if hi == len(rows) {
		return nil, domain.Errors{domain.Errf("", "hub.err.outcomes_empty", "the file has no outcome rows")}
	}
	var errs domain.Errors
	fields := make([]string, len(rows[hi].Cells))
	seen := map[string]bool{}
	for i, h := range rows[hi].Cells {
		if strings.TrimSpace(h) == "" {
			continue
		}
		f, ok := outcomeColumns[tables.Name(h)]
		if !ok {
			errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", rows[hi].Line, h), "hub.err.outcome_column",
				"unknown column %q (see FORMAT.md)", h).WithArgs("Line", strconv.Itoa(rows[hi].Line), "Column", h))
			continue
		}
		if seen[f] {
			errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", rows[hi].Line, h), "hub.err.outcome_column_twice",
				"column %q appears twice", h).WithArgs("Line", strconv.Itoa(rows[hi].Line), "Column", h))
		}
		seen[f] = true
		fields[i] = f
	}
	if !seen["outcome"] {
		errs = append(errs, domain.Errf(fmt.Sprintf("line %d", rows[hi].Line), "hub.err.outcome_no_column",
			"the header has no %q column", "outcome").WithArgs("Line", strconv.Itoa(rows[hi].Line), "Column", "outcome"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Outcome
	for r := hi + 1; r < len(rows); r++ {
		if rows[r].Blank() {
			continue
		}
		o := Outcome{Line: rows[r].Line}
		for i, v := range rows[r].Cells {
			if i < len(fields) && fields[i] != "" {
				setOutcomeField(&o, fields[i], strings.TrimSpace(v))
			} else if strings.TrimSpace(v) != "" {
				errs = append(errs, domain.Errf(fmt.Sprintf("line %d", rows[r].Line), "hub.err.outcome_extra_cell",
					"a value in column %d, which has no header", i+1).WithArgs("Line", strconv.Itoa(rows[r].Line), "Column", strconv.Itoa(i+1)))
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

package hubstore

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
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
	// The one-stop system's own field names (docs/onestop.md), as
	// tables.Name folds them ("MaHoSo" → "mahoso").
	"mahoso": "official_code", "sobiennhan": "receipt", "trangthaihoso": "status", "trang_thai_ho_so": "status", "status": "status",
	"ngayhentra": "due_date", "lydo": "reason", "noidung": "reason", "noi_dung": "reason",
	"giaytobosung": "papers", "danhsachgiayto": "papers", "danh_sach_giay_to": "papers", "giaytoketqua": "papers", "giay_to_ket_qua": "papers",
	"mabuucuc": "post_point", "matthc": "procedure_code", "ma_tthc": "procedure_code", "tentthc": "procedure_name", "ten_tthc": "procedure_name",
	"macoquan": "agency_code",
	// What the hub's own export says about a dossier besides (hub export
	// dossiers): read, checked to be short, recorded nowhere — PostDesk is
	// their source — so an export imports back unchanged.
	"mabuugui": "info", "kenhthuchien": "info", "hinhthuctra": "info", "trangthaipostdesk": "info",
	"ngaytiepnhan": "info", "ngaycoketqua": "info", "ngaytra": "info", "phienban": "info",
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
	case "status":
		o.Status = v
	}
}

// info keeps an informational cell (see outcomeColumns), to be checked.
func (o *Outcome) info(column, v string) {
	if v == "" {
		return
	}
	if o.Info == nil {
		o.Info = map[string]string{}
	}
	o.Info[strings.TrimSpace(column)] = v
}

// ParseOutcomesJSON reads the API's {"outcomes": [{…}, …]}: each item's keys
// are the file's column names (either vocabulary), values strings or
// numbers; an unknown key is refused with the item's number.
func ParseOutcomesJSON(body []byte) ([]Outcome, error) {
	var in struct {
		Outcomes []map[string]json.RawMessage `json:"outcomes"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, domain.Errors{domain.Errf("body", "hub.err.outcome_json", "the JSON body must be {\"outcomes\": [...]}: %v", err).WithArgs("Value", err.Error())}
	}
	var errs domain.Errors
	out := make([]Outcome, 0, len(in.Outcomes))
	for i, item := range in.Outcomes {
		o := Outcome{Line: i + 1}
		keys := make([]string, 0, len(item))
		for k := range item {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			raw := item[k]
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				var n json.Number
				d := json.NewDecoder(bytes.NewReader(raw))
				d.UseNumber()
				if d.Decode(&n) != nil {
					if string(raw) != "null" {
						errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", o.Line, k), "hub.err.outcome_value",
							"a text or a number, not %s", raw).WithArgs("Line", strconv.Itoa(o.Line), "Column", k))
					}
					continue
				}
				v = n.String()
			}
			f, ok := outcomeColumns[tables.Name(k)]
			switch {
			case !ok:
				errs = append(errs, domain.Errf(fmt.Sprintf("line %d: %s", o.Line, k), "hub.err.outcome_column",
					"unknown column %q (see FORMAT.md)", k).WithArgs("Line", strconv.Itoa(o.Line), "Column", k))
			case f == "info":
				o.info(k, strings.TrimSpace(v))
			default:
				setOutcomeField(&o, f, strings.TrimSpace(v))
			}
		}
		out = append(out, o)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
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
		if f == "info" { // several columns may be informational
			fields[i] = f
			continue
		}
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
	if !seen["outcome"] && !seen["status"] {
		errs = append(errs, domain.Errf(fmt.Sprintf("line %d", rows[hi].Line), "hub.err.outcome_no_column",
			"the header has no %q column", "outcome").WithArgs("Line", strconv.Itoa(rows[hi].Line), "Column", "outcome / TrangThaiHoSo"))
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
			if i < len(fields) && fields[i] == "info" {
				o.info(rows[hi].Cells[i], strings.TrimSpace(v))
			} else if i < len(fields) && fields[i] != "" {
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

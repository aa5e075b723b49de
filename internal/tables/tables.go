// Package tables reads the spreadsheets PostDesk imports — the procedure
// catalog, the all-channel totals, the agencies' outcomes — from CSV and
// XLSX files into rows of text with their spreadsheet line numbers. It owns
// what every import shares: the size limit, the encodings Excel and Notepad
// on Windows save (UTF-8 with or without BOM, UTF-16 "Unicode text",
// Windows-1258; see Decode), CRLF, the separator (comma, semicolon or tab),
// NFC, and the errors that name the line. What the columns mean is the
// caller's business.
package tables

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"postdesk/internal/domain"
)

// Keys are the message keys (i18n) of the problems with the file itself;
// each import has its own, so its messages can say what kind of file it
// wanted. Every error carries the args Name, Line and, where known, Column,
// Encoding and MaxMB.
type Keys struct {
	TooLarge string // the file is over the size limit
	Encoding string // the text is in no encoding Decode reads
	CSV      string // the CSV is malformed (quotes)
	XLSX     string // not a readable workbook, or a sheet cannot be read
}

// Reader reads one kind of import file.
type Reader struct {
	MaxBytes int // the largest file read
	Keys     Keys
}

// Row is one spreadsheet row: its line (as Excel numbers rows, so a quoted
// cell spanning several lines of the file is one row) and its cells.
type Row struct {
	Line  int
	Cells []string
}

// Blank reports whether every cell of the row is empty or spaces.
func (r Row) Blank() bool {
	for _, c := range r.Cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// ReadAll reads the whole file, refusing one over MaxBytes.
func (t Reader) ReadAll(r io.Reader, name string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(t.MaxBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > t.MaxBytes {
		mb := strconv.Itoa(t.MaxBytes >> 20)
		return nil, domain.Errors{domain.Errf(name, t.Keys.TooLarge, "the file is larger than %s MB", mb).
			WithArgs("Name", name, "MaxMB", mb)}
	}
	return data, nil
}

// SHA256 is the hex SHA-256 of a file's bytes, to tell one import from another.
func SHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// CSV decodes a CSV file (see Decode) and splits it into rows. The
// separator is whichever of comma, semicolon and tab the first line has most
// of. It returns the encoding found.
func (t Reader) CSV(data []byte, name string) ([]Row, string, error) {
	text, enc, err := Decode(data, t.Keys.Encoding)
	if err != nil {
		var errs domain.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				e.WithArgs("Name", name)
			}
		}
		return nil, enc, err
	}
	rows, err := t.splitCSV(text, name)
	return rows, enc, err
}

// splitCSV splits UTF-8 text into records, each with the spreadsheet line it
// starts on: blank lines count as lines, and a quoted cell spanning several
// lines is still one spreadsheet row.
func (t Reader) splitCSV(data []byte, name string) ([]Row, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffComma(data)
	cr.FieldsPerRecord = -1
	var (
		rows     []Row
		prevRow  int // spreadsheet line of the previous record
		counted  int // bytes of data scanned for newlines
		newlines int // newlines in data[:counted]
	)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			line := prevRow + 1
			col := 0
			if errors.As(err, &pe) {
				line = prevRow + 1 + max(0, pe.StartLine-1-newlines)
				col = pe.Column
			}
			return nil, domain.Errors{domain.Errf(fmt.Sprintf("line %d", line), t.Keys.CSV,
				"the CSV is malformed here (check the quotes): %v", errors.Unwrap(err)).
				WithArgs("Name", name, "Line", strconv.Itoa(line), "Column", strconv.Itoa(col))}
		}
		start, _ := cr.FieldPos(0)
		blank := max(0, start-1-newlines) // blank lines csv skipped
		prevRow += 1 + blank
		rows = append(rows, Row{Line: prevRow, Cells: rec})
		end := int(cr.InputOffset())
		newlines += bytes.Count(data[counted:end], []byte{'\n'})
		counted = end
	}
}

// sniffComma picks the separator by counting candidates on the first line.
func sniffComma(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte{'\n'})
	best, n := ',', bytes.Count(line, []byte{','})
	for _, c := range []rune{';', '\t'} {
		if k := bytes.Count(line, []byte(string(c))); k > n {
			best, n = c, k
		}
	}
	return best
}

// Workbook is an open XLSX file.
type Workbook struct {
	wb   *excelize.File
	name string
	keys Keys
}

// XLSX opens a workbook. Close it when done.
func (t Reader) XLSX(data []byte, name string) (*Workbook, error) {
	wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    8 * int64(t.MaxBytes),
		UnzipXMLSizeLimit: 8 * int64(t.MaxBytes),
	})
	if err != nil {
		return nil, domain.Errors{domain.Errf(name, t.Keys.XLSX, "not a readable Excel (.xlsx) workbook: %v", err).
			WithArgs("Name", name)}
	}
	return &Workbook{wb: wb, name: name, keys: t.Keys}, nil
}

// Close releases the workbook.
func (w *Workbook) Close() error { return w.wb.Close() }

// Sheets lists the sheet names in order.
func (w *Workbook) Sheets() []string { return w.wb.GetSheetList() }

// Pick is the first sheet whose name, as Name folds it, is one of names, or
// else the first sheet ("" when the workbook has none).
func (w *Workbook) Pick(names ...string) string {
	sheets := w.Sheets()
	for _, s := range sheets {
		for _, n := range names {
			if Name(s) == n {
				return s
			}
		}
	}
	if len(sheets) == 0 {
		return ""
	}
	return sheets[0]
}

// Rows reads a sheet's cells as stored (not as displayed), in NFC, each row
// with its spreadsheet line.
func (w *Workbook) Rows(sheet string) ([]Row, error) {
	cells, err := w.wb.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, domain.Errors{domain.Errf(sheet, w.keys.XLSX, "cannot read sheet %q: %v", sheet, err).
			WithArgs("Name", w.name, "Sheet", sheet)}
	}
	rows := make([]Row, len(cells))
	for i, c := range cells {
		for j, v := range c {
			if !norm.NFC.IsNormalString(v) {
				c[j] = norm.NFC.String(v)
			}
		}
		rows[i] = Row{Line: i + 1, Cells: c}
	}
	return rows, nil
}

// Name folds a column or sheet name for matching: no diacritics, lower
// case, words joined by '_' (spaces, dashes, dots and underscores all
// separate words), a stray BOM dropped. "Số biên nhận" and "so-bien_nhan"
// both give "so_bien_nhan".
func Name(s string) string {
	s = domain.Fold(strings.TrimPrefix(s, "\uFEFF"))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '-' || r == '_' || r == '.'
	}), "_")
}

// ExcelDate reads a date Excel stored as a serial number (a cell typed as a
// date) as dd/mm/yyyy; ok is false for any other text.
func ExcelDate(v string) (string, bool) {
	n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || n <= 20000 || n >= 80000 {
		return "", false
	}
	t, err := excelize.ExcelDateToTime(n, false)
	if err != nil {
		return "", false
	}
	return t.Format("02/01/2006"), true
}

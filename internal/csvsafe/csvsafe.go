// Package csvsafe writes CSV files that a spreadsheet opens as text: a cell
// that starts with =, +, -, @, a tab or a carriage return would be read by
// Excel or LibreOffice as a formula (=HYPERLINK(…), +cmd|…, @SUM(…)), so
// such a cell is written with a leading apostrophe, which spreadsheets show
// as text and do not display. Every CSV export of PostDesk goes through
// Writer; a PostDesk reader of its own files calls Restore on each cell.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Writer is an encoding/csv writer that neutralises every cell.
type Writer struct {
	cw  *csv.Writer
	buf []string
}

// NewWriter writes CSV records to w (comma, \n line ends).
func NewWriter(w io.Writer) *Writer { return &Writer{cw: csv.NewWriter(w)} }

// Write writes one record, each cell through Cell.
func (w *Writer) Write(record []string) error {
	w.buf = w.buf[:0]
	for _, c := range record {
		w.buf = append(w.buf, Cell(c))
	}
	return w.cw.Write(w.buf)
}

// Flush writes any buffered data; Error reports a write failure.
func (w *Writer) Flush()       { w.cw.Flush() }
func (w *Writer) Error() error { return w.cw.Error() }

// Cell returns s as a cell a spreadsheet will not evaluate.
func Cell(s string) string {
	if risky(s) {
		return "'" + s
	}
	return s
}

// Restore undoes Cell: a leading apostrophe before a character that Cell
// guards is dropped. Other text is returned unchanged.
func Restore(s string) string {
	if len(s) > 1 && s[0] == '\'' && risky(s[1:]) {
		return s[1:]
	}
	return s
}

func risky(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	return false
}

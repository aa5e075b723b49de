package hubreport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
)

// checkReconcileFiles writes rows in the three formats and reads them back:
// the CSV and the XLSX hold the same cells under the same header (the XLSX
// read with excelize, its counts number cells), the JSON the same rows.
func checkReconcileFiles(t *testing.T, p domain.Period, rows []hubstore.ReconcileRow) {
	t.Helper()
	var c, x, j bytes.Buffer
	for format, buf := range map[string]*bytes.Buffer{ExportCSV: &c, ExportXLSX: &x, ExportJSON: &j} {
		if err := WriteReconcile(buf, p, rows, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
	}
	fromCSV, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(c.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]
	fromXLSX, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromCSV) != len(rows)+1 || len(fromXLSX) != len(fromCSV) {
		t.Fatalf("%d rows: %d in the CSV, %d in the XLSX", len(rows), len(fromCSV), len(fromXLSX))
	}
	if strings.Join(fromCSV[0], ",") != strings.Join(ReconcileColumns, ",") {
		t.Fatalf("CSV header %v", fromCSV[0])
	}
	for i := range fromCSV {
		csvRow := fromCSV[i]
		xRow := append(fromXLSX[i], make([]string, len(csvRow)-min(len(csvRow), len(fromXLSX[i])))...) // excelize drops trailing empty cells
		if strings.Join(csvRow, "|") != strings.Join(xRow, "|") {
			t.Fatalf("line %d: CSV %q, XLSX %q", i+1, csvRow, fromXLSX[i])
		}
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(4, i+2) // postdesk_received
		if typ, err := f.GetCellType(sheet, cell); err != nil || typ == excelize.CellTypeInlineString || typ == excelize.CellTypeSharedString {
			t.Errorf("%s (%d received) is of type %v: not a number", cell, r.Received, typ)
		}
	}
	var doc struct {
		From, To string
		Rows     []hubstore.ReconcileRow
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil || len(doc.Rows) != len(rows) || doc.From != domain.FormatDate(p.From) {
		t.Fatalf("JSON: %v %+v", err, doc)
	}
	if err := WriteReconcile(&bytes.Buffer{}, p, rows, "pdf"); err == nil {
		t.Fatal("pdf accepted")
	}
}

package report

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"postdesk/internal/domain"
	"postdesk/internal/tables"
)

// busyCell finds a cell of the seeded store with BCCI intakes and
// deliveries in a month of 2026.
func busyCell(t *testing.T, counts []Count) Count {
	t.Helper()
	var best Count
	for _, c := range counts {
		if c.Month >= "2026-01" && c.Month <= "2026-06" && c.Received+c.Returned > best.Received+best.Returned && c.Returned > 0 {
			best = c
		}
	}
	if best.Received == 0 {
		t.Fatal("no busy cell in the seed")
	}
	return best
}

func TestTotalsImportRejectsEveryBadRow(t *testing.T) {
	s := newPoint(t, 800)
	counts, err := PointCounts(ctx, s, domain.YearPeriod(2026).Start(), domain.YearPeriod(2026).End())
	if err != nil {
		t.Fatal(err)
	}
	c := busyCell(t, counts)
	m := c.Month.Label()
	rows := [][]string{
		{"period_from", "period_to", "procedure_code", "agency_code", "month", "dossiers_total", "results_total"},
		{"01/2026", "06/2026", c.Procedure, c.Agency, m, fmt.Sprint(c.Received + 10), fmt.Sprint(c.Returned + 10)}, // 2 good
		{"01/2026", "06/2026", "9.999999", c.Agency, m, "5", "5"},                                                  // 3 unknown procedure
		{"01/2026", "06/2026", c.Procedure, "000.99.99.H21", m, "5", "5"},                                          // 4 unknown agency
		{"01/2026", "06/2026", c.Procedure, c.Agency, "07/2026", "5", "5"},                                         // 5 month outside the period
		{"01/2026", "06/2026", c.Procedure, c.Agency, "01/2025", "-3", "5"},                                        // 6 negative (and outside)
		{"01/2026", "06/2026", c.Procedure, c.Agency, m, "5", "5"},                                                 // 7 duplicate of line 2
		{"01/2026", "05/2026", c.Procedure, c.Agency, m, "5", "5"},                                                 // 8 another period
		{"01/2026", "06/2026", c.Procedure, c.Agency, "1/2026", "abc", "5"},                                        // 9 not a number
	}
	// 10: totals below the BCCI count, in a cell of its own
	other := c
	for _, x := range counts {
		if x.Agency == c.Agency && x.Month != c.Month && x.Month >= "2026-01" && x.Month <= "2026-06" && x.Received > 0 {
			other = x
			break
		}
	}
	if other == c {
		t.Fatal("no second cell")
	}
	rows = append(rows, []string{"01/2026", "06/2026", other.Procedure, other.Agency, other.Month.Label(), "0", "0"})
	want := map[int]string{3: "err.totals.unknown_procedure", 4: "err.totals.unknown_agency", 5: "err.totals.month_outside",
		6: "err.totals.negative", 7: "err.totals.duplicate", 8: "err.totals.period_differs", 9: "err.totals.bad_number",
		10: "err.totals.below_bcci"}

	var csvb strings.Builder
	for _, r := range rows {
		csvb.WriteString(strings.Join(r, ",") + "\n")
	}
	xl := excelize.NewFile()
	for i, r := range rows {
		for j, v := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			xl.SetCellValue("Sheet1", cell, v)
		}
	}
	var xb bytes.Buffer
	if err := xl.Write(&xb); err != nil {
		t.Fatal(err)
	}

	for _, kind := range []string{"csv", "xlsx"} {
		var err error
		if kind == "csv" {
			_, err = ParseTotalsCSV([]byte(csvb.String()), "bad.csv")
		} else {
			_, err = ParseTotalsXLSX(xb.Bytes(), "bad.xlsx")
		}
		// what a file alone can tell is refused at parsing; the rest when checked against the store
		got := map[int][]string{}
		collect := func(err error) {
			var es domain.Errors
			if !errors.As(err, &es) {
				t.Fatalf("%s: %v is not a list of field errors", kind, err)
			}
			for _, e := range es {
				got[lineOf(e)] = append(got[lineOf(e)], e.Key)
			}
		}
		if err == nil {
			t.Fatalf("%s: a file with bad rows parsed", kind)
		}
		collect(err)
		// parse again without the rows only parsing refuses, to reach the store's checks
		var keep [][]string
		for i, r := range rows {
			line := i + 1
			if k := want[line]; k == "" || k == "err.totals.unknown_procedure" || k == "err.totals.unknown_agency" || k == "err.totals.below_bcci" {
				keep = append(keep, r)
			}
		}
		var kb strings.Builder
		for _, r := range keep {
			kb.WriteString(strings.Join(r, ",") + "\n")
		}
		f, err := ParseTotalsCSV([]byte(kb.String()), "rest.csv")
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		// renumber: those rows were lines 1–4 and 5 of rows (3, 4, 10)
		for i := range f.Rows {
			f.Rows[i].Line = map[int]int{2: 2, 3: 3, 4: 4, 5: 10}[f.Rows[i].Line]
		}
		_, err = ImportPoint(ctx, s, "truong", f)
		if err == nil {
			t.Fatalf("%s: the import with bad rows went through", kind)
		}
		collect(err)
		for line, key := range want {
			found := false
			for _, k := range got[line] {
				found = found || k == key
			}
			if !found {
				t.Errorf("%s: line %d: want %s, got %v", kind, line, key, got[line])
			}
		}
		if len(got[2]) != 0 || len(got[1]) != 0 {
			t.Errorf("%s: good lines reported: %v", kind, got)
		}
	}
	// nothing imported
	if list, _ := s.TotalsImports(ctx, 10); len(list) != 0 {
		t.Errorf("imports recorded: %v", list)
	}
	if rows, _ := s.Totals(ctx, "2000-01", "2100-12"); len(rows) != 0 {
		t.Errorf("totals stored: %v", rows)
	}
	if cov, _ := s.TotalsCoverage(ctx, "2000-01", "2100-12"); len(cov) != 0 {
		t.Errorf("coverage stored: %v", cov)
	}

	// a covered agency's cell with BCCI events but no row
	f, err := ParseTotalsCSV([]byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		fmt.Sprintf("%s,%s,%s,%s,%s,%d,%d\n", m, m, "1.000656", c.Agency, m, 1000, 1000)), "partial.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ImportPoint(ctx, s, "truong", f)
	var es domain.Errors
	found := false
	if errors.As(err, &es) {
		for _, e := range es {
			found = found || (e.Key == "err.totals.missing_cell" && e.Args["Procedure"] == c.Procedure && e.Args["Month"] == m)
		}
	}
	if !found {
		t.Errorf("a missing cell of %s in %s not reported: %v", c.Procedure, m, err)
	}
}

func TestTotalsParsing(t *testing.T) {
	// headers in any case and order, accents and spaces; semicolons; a BOM;
	// thousands separators; months written several ways
	data := "\uFEFFMonth;Agency Code;Procedure-Code;Dossiers Total;Results_Total;Period From;Period To;Ghi chú\n" +
		"2026-01;000.01.50.h21;1.001193;1.250;1 200;01/2026;02/2026;\n" +
		"15/02/2026;000.01.50.H21;1.001193;0;0;1/2026;2026-02;\n"
	if _, err := ParseTotalsCSV([]byte(data), "ok.csv"); err == nil {
		t.Fatal("'Ghi chú' is not a totals column; want an error")
	}
	data = strings.Replace(data, "Ghi chú", "note", 1)
	f, err := ParseTotalsCSV([]byte(data), "ok.csv")
	if err != nil {
		t.Fatal(err)
	}
	if f.From != "2026-01" || f.To != "2026-02" || len(f.Rows) != 2 || f.Rows[0].Dossiers != 1250 || f.Rows[0].Results != 1200 ||
		f.Rows[0].Agency != "000.01.50.H21" || f.Rows[1].Month != "2026-02" || f.Rows[1].Line != 3 {
		t.Errorf("parsed %+v", f)
	}
	for _, bad := range []string{"", "period_from,period_to\n", "period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"} {
		if _, err := ParseTotalsCSV([]byte(bad), "x.csv"); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	for s, want := range map[string]int64{"0": 0, "12": 12, "1.234": 1234, "1,234,567": 1234567, "12.0": 12} {
		if n, ok := parseCount(s); !ok || n != want {
			t.Errorf("parseCount(%q) = %d %v", s, n, ok)
		}
	}
	for _, s := range []string{"1.5", "-1", "12,34", "x", ""} {
		if _, ok := parseCount(s); ok {
			t.Errorf("parseCount(%q) accepted", s)
		}
	}
	// an Excel date serial (a month typed into Excel) reads as its month
	if m, err := parseMonthCell("46082"); err != nil || m != "2026-03" {
		t.Errorf("Excel serial: %v %v", m, err)
	}
}

// TestTotalsInPortalFields: the one-stop system's own names and month
// forms (yyyyMM, yyyyMMdd, yyyyMMddHHmmss) read as the same columns; a bad
// row is refused with its line and column, nothing kept.
func TestTotalsInPortalFields(t *testing.T) {
	data := "MaTTHC,MaCoQuan,Thang,TuThang,DenThang,TongSoHoSo,TongSoKetQua,TenTTHC\n" +
		"1.001193,000.01.50.H21,202601,202601,20260228000000,1250,1200,Đăng ký khai sinh\n" +
		"1.001193,000.01.50.H21,20260215,202601,202602,7,0,\n"
	f, err := ParseTotalsCSV([]byte(data), "motcua.csv")
	if err != nil {
		t.Fatal(err)
	}
	if f.From != "2026-01" || f.To != "2026-02" || len(f.Rows) != 2 || f.Rows[0].Procedure != "1.001193" || f.Rows[0].Agency != "000.01.50.H21" ||
		f.Rows[0].Month != "2026-01" || f.Rows[0].Dossiers != 1250 || f.Rows[0].Results != 1200 || f.Rows[1].Month != "2026-02" || f.Rows[1].Dossiers != 7 {
		t.Fatalf("parsed %+v", f)
	}
	bad := strings.Replace(data, ",7,0,", ",-7,0,", 1)
	_, err = ParseTotalsCSV([]byte(bad), "motcua.csv")
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Field != "line 3: dossiers_total" {
		t.Fatalf("bad row: %v", err)
	}
	// A month of 13 is no month, whatever the form.
	if _, err := parseMonthCell("202613"); err == nil {
		t.Error("202613 read as a month")
	}
}

func TestTotalsImportReplacesAndTyped(t *testing.T) {
	s := newPoint(t, 300)
	f, err := ParseTotalsCSV([]byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		"01/2020,02/2020,1.001193,000.01.50.H21,01/2020,10,9\n"+
		"01/2020,02/2020,1.000656,000.01.50.H21,02/2020,7,7\n"), "a.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPoint(ctx, s, "truong", f); err != nil {
		t.Fatal(err)
	}
	// a supervisor types February again: it replaces February of that agency only
	typed := TypedTotals("000.01.50.h21", "2020-02", map[string][2]int64{"1.001193": {3, 2}})
	if _, err := ImportPoint(ctx, s, "truong", typed); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Totals(ctx, "2020-01", "2020-02")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, r := range rows {
		got[r.Procedure+" "+string(r.Month)] = r.Dossiers
	}
	if len(rows) != 2 || got["1.001193 2020-01"] != 10 || got["1.001193 2020-02"] != 3 {
		t.Errorf("after the typed month: %+v", rows)
	}
	if rows[1].Source != "typed" || rows[0].Source != "a.csv" || rows[0].ImportedAt.IsZero() {
		t.Errorf("sources: %+v", rows)
	}
	cov, _ := s.TotalsCoverage(ctx, "2020-01", "2020-02")
	if len(cov) != 2 {
		t.Errorf("coverage %v", cov)
	}
	list, _ := s.TotalsImports(ctx, 10)
	if len(list) != 2 || list[0].Source != "typed" || list[0].Staff != "truong" {
		t.Errorf("imports %+v", list)
	}
}

func TestTotalsWindowsEncodings(t *testing.T) {
	text := "period_from;period_to;procedure_code;agency_code;month;dossiers_total;results_total;note\r\n" +
		"01/2026;01/2026;1.001193;000.01.50.H21;01/2026;12;10;Sở Tư pháp ghi nhận\r\n"
	for _, enc := range []string{tables.UTF8BOM, tables.UTF16LE, tables.Windows1258} {
		data, err := tables.Encode(text, enc)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseTotalsCSV(data, "x.csv")
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if len(f.Rows) != 1 || f.Rows[0].Dossiers != 12 || f.Rows[0].Line != 2 {
			t.Fatalf("%s: %+v", enc, f.Rows)
		}
	}
	var errs domain.Errors
	_, err := ParseTotalsCSV([]byte("period_from\nH\xe5 s\xac\n"), "x.csv")
	if !errors.As(err, &errs) || errs[0].Key != "err.totals.encoding" || errs[0].Args["Encoding"] != tables.TCVN3 {
		t.Fatalf("TCVN3: %v", err)
	}
}

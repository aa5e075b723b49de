package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"postdesk/assets"
	"postdesk/internal/domain"
	"postdesk/internal/tables"
)

const goodProcedures = "\uFEFF" + `Code,NAME,field,level,agency_code,processing_days,fee_vnd,postage_vnd,bcci_intake,bcci_return,documents,source
1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,cấp xã,000.01.50.H21,,0,,1,,Tờ khai đăng ký khai sinh|1|bc; Giấy chứng sinh|1|bc,test
1.000656,"Thủ tục   đăng ký khai tử",hộ tịch,Cấp Xã,000.01.50.h21,5,,"25.000",có,không,,
2.000635.000.00.00.H21,"Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh",HO TICH,cap xa,,,15.000,,x,x,Tờ khai|1|bc;Giấy tờ tùy thân|0|bs;,
3.000348,Cấp lại giấy phép lái xe,"Sát hạch, cấp giấy phép lái xe",tỉnh,000.00.11.H21,5,"135,000",22 000đ,0,1,Đơn đề nghị,
`

func mustParseCSV(t *testing.T, s string) *File {
	t.Helper()
	f, err := ParseCSV(strings.NewReader(s), "test.csv")
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	return f
}

func TestParseCSVGood(t *testing.T) {
	f := mustParseCSV(t, goodProcedures)
	if f.Name != "test.csv" || len(f.SHA256) != 64 || len(f.Agencies) != 0 {
		t.Fatalf("file = %+v", f)
	}
	want := []domain.Procedure{
		{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.01.50.H21",
			Fee: 0, FeeKnown: true, BCCIIntake: true, Source: "test",
			Documents: []domain.DocumentRequirement{
				{Name: "Tờ khai đăng ký khai sinh", Required: true, Original: true},
				{Name: "Giấy chứng sinh", Required: true, Original: true},
			}},
		{Code: "1.000656", Name: "Thủ tục đăng ký khai tử", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.01.50.H21",
			ProcessingDays: 5, Postage: 25000, BCCIIntake: true},
		{Code: "2.000635.000.00.00.H21", Name: "Cấp bản sao Trích lục hộ tịch, bản sao Giấy khai sinh", Field: "Hộ tịch", Level: "cấp xã",
			Fee: 15000, FeeKnown: true, BCCIIntake: true, BCCIReturn: true,
			Documents: []domain.DocumentRequirement{
				{Name: "Tờ khai", Required: true, Original: true},
				{Name: "Giấy tờ tùy thân", Required: false, Original: false},
			}},
		{Code: "3.000348", Name: "Cấp lại giấy phép lái xe", Field: "Sát hạch, cấp giấy phép lái xe", Level: "cấp tỉnh", AgencyCode: "000.00.11.H21",
			ProcessingDays: 5, Fee: 135000, FeeKnown: true, Postage: 22000, BCCIReturn: true,
			Documents: []domain.DocumentRequirement{{Name: "Đơn đề nghị", Required: true, Original: true}}},
	}
	if !reflect.DeepEqual(f.Procedures, want) {
		t.Errorf("procedures:\n got %+v\nwant %+v", f.Procedures, want)
	}
	if !reflect.DeepEqual(f.MissingAgencies, []string{"000.00.11.H21", "000.01.50.H21"}) {
		t.Errorf("MissingAgencies = %v", f.MissingAgencies)
	}
	for _, p := range f.Procedures {
		if err := ValidateProcedure(p); err != nil {
			t.Errorf("ValidateProcedure(%s): %v", p.Code, err)
		}
	}
}

func TestParseCSVSemicolonAndOrder(t *testing.T) {
	// Excel in a Vietnamese locale saves CSV with semicolons.
	s := "level;Name;code;FIELD\r\ncấp xã;Thủ tục đăng ký kết hôn;1.000894;Hộ tịch\r\n"
	f := mustParseCSV(t, s)
	if len(f.Procedures) != 1 || f.Procedures[0].Code != "1.000894" || f.Procedures[0].FeeKnown {
		t.Fatalf("got %+v", f.Procedures)
	}
}

func TestParseCSVAgencies(t *testing.T) {
	s := "agency_code,agency_name,level,address,phone\n" +
		"000.00.12.H21,Sở Tư pháp tỉnh Gia Lai,cấp tỉnh,,0269 3824 123\n" +
		"000.01.50.h21, Ủy ban nhân dân xã Ia O ,Cấp xã,Làng Ia O,\n"
	f := mustParseCSV(t, s)
	want := []domain.Agency{
		{Code: "000.00.12.H21", Name: "Sở Tư pháp tỉnh Gia Lai", Level: "cấp tỉnh", Phone: "0269 3824 123"},
		{Code: "000.01.50.H21", Name: "Ủy ban nhân dân xã Ia O", Level: "cấp xã", Address: "Làng Ia O"},
	}
	if !reflect.DeepEqual(f.Agencies, want) || len(f.Procedures) != 0 {
		t.Fatalf("got %+v", f)
	}
	for _, a := range f.Agencies {
		if err := ValidateAgency(a); err != nil {
			t.Error(err)
		}
	}
}

// expectErr checks that parsing fails, returns nothing, and reports key on field.
func expectErr(t *testing.T, f *File, err error, field, key string) domain.Errors {
	t.Helper()
	if f != nil {
		t.Errorf("a File was returned along with errors")
	}
	var errs domain.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v (%T), want domain.Errors", err, err)
	}
	for _, e := range errs {
		if e.Field == field && e.Key == key {
			return errs
		}
	}
	t.Errorf("no %s on %q; got:\n%v", key, field, errs)
	return errs
}

const head = "code,name,field,level,processing_days,fee_vnd,bcci_intake,documents\n"
const okRow = "1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,cấp xã,,0,1,\n"

func TestParseCSVBadRows(t *testing.T) {
	win1258, err := charmap.Windows1258.NewEncoder().String("1.000894,Đơn xin,Ho tich,cap xa,,,,\n")
	if err != nil {
		t.Fatal(err)
	}
	latin1 := "1.000894,Th\xe9,Hộ tịch,cấp xã,,,,\n"
	cases := []struct {
		name, csv, field, key string
	}{
		{"missing code", head + okRow + ",Thủ tục đăng ký kết hôn,Hộ tịch,cấp xã,,,,\n", "line 3: code", "err.catalog.missing"},
		{"missing name", head + "1.000894,,Hộ tịch,cấp xã,,,,\n", "line 2: name", "err.catalog.missing"},
		{"unknown field", head + okRow + okRow[:0] + "1.000894,Thủ tục đăng ký kết hôn,Hôn nhân,cấp xã,,,,\n", "line 3: field", "err.catalog.unknown_field"},
		{"bad days", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,3 ngày,,,\n", "line 2: processing_days", "err.catalog.bad_number"},
		{"negative days", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,-1,,,\n", "line 2: processing_days", "err.catalog.bad_number"},
		{"bad fee", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,1.5,,\n", "line 2: fee_vnd", "err.catalog.bad_number"},
		{"negative fee", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,-15000,,\n", "line 2: fee_vnd", "err.catalog.bad_number"},
		{"duplicate code", head + okRow + okRow, "line 3: code", "err.catalog.duplicate"},
		{"windows-1258", head + okRow + win1258, "line 3", "err.catalog.encoding"},
		{"latin-1", head + latin1, "line 2", "err.catalog.encoding"},
		{"utf-16 cut short", "\xff\xfec\x00o", "line 1", "err.catalog.encoding"}, // a whole UTF-16 file is read (internal/tables)
		{"unknown column", "code,name,field,level,lệ phí\n" + "1.001193,Khai sinh,Hộ tịch,cấp xã,0\n", "line 1: lệ phí", "err.catalog.unknown_column"},
		{"missing column", "code,name,level\n1.001193,Khai sinh,cấp xã\n", "line 1: field", "err.catalog.missing_column"},
		{"duplicate column", "code,name,field,level,Name\n1.001193,A,Hộ tịch,cấp xã,B\n", "line 1: Name", "err.catalog.duplicate_column"},
		{"bad flag", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,,2,\n", "line 2: bcci_intake", "err.catalog.bad_flag"},
		{"bad code", head + "1001193,Kết hôn,Hộ tịch,cấp xã,,,,\n", "line 2: code", "err.catalog.bad_code"},
		{"bad level", head + "1.000894,Kết hôn,Hộ tịch,cấp huyện,,,,\n", "line 2: level", "err.catalog.bad_level"},
		{"bad document", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,,,Tờ khai|2|bc\n", "line 2: documents", "err.catalog.bad_document"},
		{"bad document kind", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,,,Tờ khai|1|photo\n", "line 2: documents", "err.catalog.bad_document"},
		{"duplicate document", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,,,Tờ khai|1|bc;tờ khai\n", "line 2: documents", "err.catalog.duplicate_document"},
		{"value without header", head + "1.000894,Kết hôn,Hộ tịch,cấp xã,,,,,extra\n", "line 2: #9", "err.catalog.no_header"},
		{"bad agency code", "code,name,field,level,agency_code\n1.000894,Kết hôn,Hộ tịch,cấp xã,H21\n", "line 2: agency_code", "err.agency_code.format"},
		{"bad quotes", head + okRow + "1.000894,\"Kết hôn,Hộ tịch,cấp xã,,,,\n", "line 3", "err.catalog.bad_csv"},
		{"unknown kind", "ma,ten\n1,2\n", "line 1", "err.catalog.unknown_kind"},
		{"header only", head, "test.csv", "err.catalog.empty"},
		{"empty", "", "test.csv", "err.catalog.empty"},
		{"agency missing name", "agency_code,agency_name,level\n000.00.12.H21,,cấp tỉnh\n", "line 2: agency_name", "err.catalog.missing"},
		{"agency bad phone", "agency_code,agency_name,level,phone\n000.00.12.H21,Sở Tư pháp,cấp tỉnh,gọi 113\n", "line 2: phone", "err.catalog.bad_phone"},
		{"agency duplicate", "agency_code,agency_name,level\n000.00.12.H21,A,cấp tỉnh\n000.00.12.h21,B,cấp tỉnh\n", "line 3: agency_code", "err.catalog.duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseCSV(strings.NewReader(c.csv), "test.csv")
			expectErr(t, f, err, c.field, c.key)
		})
	}
}

func TestParseCSVCollectsAllErrors(t *testing.T) {
	s := head +
		",Không mã,Hộ tịch,cấp xã,,,,\n" + // line 2: missing code
		okRow + // line 3
		"1.000894,Kết hôn,Ngoại giao vũ trụ,cấp xã,abc,,,\n" + // line 4: unknown field + bad number
		okRow // line 5: duplicate
	f, err := ParseCSV(strings.NewReader(s), "test.csv")
	errs := expectErr(t, f, err, "line 2: code", "err.catalog.missing")
	want := map[string]string{
		"line 2: code":            "err.catalog.missing",
		"line 4: field":           "err.catalog.unknown_field",
		"line 4: processing_days": "err.catalog.bad_number",
		"line 5: code":            "err.catalog.duplicate",
	}
	if len(errs) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(errs), len(want), errs)
	}
	for _, e := range errs {
		if want[e.Field] != e.Key {
			t.Errorf("unexpected %s %s", e.Field, e.Key)
		}
		if e.Args["Line"] == "" || e.Msg == "" {
			t.Errorf("%s: missing Line arg or message", e.Field)
		}
	}
}

// Line numbers are spreadsheet rows: blank lines count, a cell spanning
// several lines does not add rows.
func TestParseCSVLineNumbers(t *testing.T) {
	s := "\n" + head + // header on line 2
		"1.001193,\"Khai\nsinh\",Hộ tịch,cấp xã,,,,\n" + // line 3 (two text lines)
		"\n" + // line 4, blank
		"1.000894,Kết hôn,Hộ tịch,cấp xã,x,,,\n" // line 5
	f, err := ParseCSV(strings.NewReader(s), "test.csv")
	errs := expectErr(t, f, err, "line 5: processing_days", "err.catalog.bad_number")
	if len(errs) != 1 {
		t.Errorf("errors: %v", errs)
	}
	f = mustParseCSV(t, strings.Replace(s, ",x,", ",,", 1))
	if f.Procedures[0].Name != "Khai sinh" || f.procLines[0] != 3 || f.procLines[1] != 5 {
		t.Errorf("got %q lines %v", f.Procedures[0].Name, f.procLines)
	}
}

func TestParseMoney(t *testing.T) {
	good := map[string]domain.Money{"0": 0, "15000": 15000, "15.000": 15000, "15,000": 15000, "15 000": 15000,
		"1.500.000": 1500000, "15.000 đ": 15000, "15.000đ": 15000, "200000 VND": 200000, "8.000₫": 8000}
	for s, want := range good {
		if m, empty, ok := parseMoney(s); !ok || empty || m != want {
			t.Errorf("parseMoney(%q) = %d %v %v", s, m, empty, ok)
		}
	}
	for _, s := range []string{"1.5", "15.00", "15..000", "15.000,00", "-1", "1,000.000", ".000", "đ", "abc", "99999999999999"} {
		if _, _, ok := parseMoney(s); ok {
			t.Errorf("parseMoney(%q) accepted", s)
		}
	}
	if _, empty, ok := parseMoney("  "); !empty || !ok {
		t.Error("blank fee is not empty")
	}
}

func TestFieldsAndLevels(t *testing.T) {
	seen := map[string]string{}
	for _, f := range Fields {
		if domain.Clean(f) != f {
			t.Errorf("field %q is not clean", f)
		}
		k := domain.Fold(f)
		if other, dup := seen[k]; dup {
			t.Errorf("fields %q and %q fold alike", f, other)
		}
		seen[k] = f
	}
	for in, want := range map[string]string{"Cấp Xã": LevelCommune, "cap  tinh": LevelProvince, "CẤP BỘ": LevelMinistry, "xã": LevelCommune} {
		if got, ok := CanonicalLevel(in); !ok || got != want {
			t.Errorf("CanonicalLevel(%q) = %q", in, got)
		}
	}
}

func buildXLSX(t *testing.T, sheets map[string][][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	first := true
	for name, rows := range sheets {
		if first {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
			first = false
		} else if _, err := x.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := x.SetSheetRow(name, cell, &r); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseXLSXGood(t *testing.T) {
	data := buildXLSX(t, map[string][][]any{
		"Thủ tục": {
			{"code", "name", "field", "level", "agency_code", "processing_days", "fee_vnd", "bcci_intake", "documents"},
			{"1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch", "cấp xã", "000.01.50.H21", nil, 0, 1, "Tờ khai|1|bc"},
			{}, // an empty row in the middle
			{"1.010803", "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ.", "Người có công", "Cấp tỉnh", "000.00.13.H21", 10, 15000, "x", nil},
		},
		"co_quan": {
			{"agency_code", "agency_name", "level"},
			{"000.01.50.H21", "Ủy ban nhân dân xã Ia O", "cấp xã"},
		},
	})
	f, err := ParseXLSX(bytes.NewReader(data), "catalog.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Procedures) != 2 || len(f.Agencies) != 1 {
		t.Fatalf("got %+v", f)
	}
	p := f.Procedures[1]
	if p.Code != "1.010803" || p.Level != LevelProvince || p.ProcessingDays != 10 || p.Fee != 15000 || !p.FeeKnown || !p.BCCIIntake {
		t.Errorf("second procedure = %+v", p)
	}
	if f.procLines[1] != 4 {
		t.Errorf("line of second procedure = %d, want 4", f.procLines[1])
	}
	if !reflect.DeepEqual(f.MissingAgencies, []string{"000.00.13.H21"}) {
		t.Errorf("MissingAgencies = %v", f.MissingAgencies)
	}
	if err := f.CheckAgencies(func(c string) bool { return c == "000.00.13.H21" }); err != nil {
		t.Errorf("CheckAgencies: %v", err)
	}
	err = f.CheckAgencies(nil)
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 1 || errs[0].Key != "err.catalog.unknown_agency" || errs[0].Field != "Thủ tục, line 4: agency_code" {
		t.Errorf("CheckAgencies(nil) = %v", err)
	}

	// A single sheet with another name is told by its header.
	data = buildXLSX(t, map[string][][]any{"Sheet1": {{"agency_code", "agency_name", "level"}, {"000.00.12.H21", "Sở Tư pháp", "cấp tỉnh"}}})
	if f, err := ParseXLSX(bytes.NewReader(data), "a.xlsx"); err != nil || len(f.Agencies) != 1 {
		t.Errorf("single sheet: %v %+v", err, f)
	}
}

func TestParseXLSXBad(t *testing.T) {
	data := buildXLSX(t, map[string][][]any{
		"procedures": {
			{"code", "name", "field", "level", "ghi chú"},
			{"1.001193", "Khai sinh", "Hộ tịch", "cấp xã"},
		},
		"agencies": {
			{"agency_code", "agency_name", "level"},
			{"000.01.50.H21", "", "cấp xã"},
		},
	})
	f, err := ParseXLSX(bytes.NewReader(data), "bad.xlsx")
	errs := expectErr(t, f, err, "procedures, line 1: ghi chú", "err.catalog.unknown_column")
	expectErr(t, f, errs, "agencies, line 2: agency_name", "err.catalog.missing")

	data = buildXLSX(t, map[string][][]any{
		"procedures": {
			{"code", "name", "field", "level", "fee_vnd"},
			{"1.001193", "Khai sinh", "Hộ tịch", "cấp xã", -5},
			{"1.001193", "Khai sinh", "Hộ tịch", "cấp xã", 0},
		},
	})
	f, err = ParseXLSX(bytes.NewReader(data), "bad.xlsx")
	errs = expectErr(t, f, err, "procedures, line 2: fee_vnd", "err.catalog.bad_number")
	expectErr(t, f, errs, "procedures, line 3: code", "err.catalog.duplicate")

	f, err = ParseXLSX(strings.NewReader("code,name\n"), "fake.xlsx")
	expectErr(t, f, err, "fake.xlsx", "err.catalog.bad_xlsx")

	data = buildXLSX(t, map[string][][]any{"A": {{"x"}}, "B": {{"y"}}})
	f, err = ParseXLSX(bytes.NewReader(data), "two.xlsx")
	expectErr(t, f, err, "two.xlsx", "err.catalog.no_sheet")
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "Thu tuc.CSV")
	if err := os.WriteFile(csvPath, []byte(goodProcedures), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(csvPath)
	if err != nil || len(f.Procedures) != 4 || f.Name != "Thu tuc.CSV" {
		t.Fatalf("csv: %v %+v", err, f)
	}
	xlsxPath := filepath.Join(dir, "c.xlsx")
	data := buildXLSX(t, map[string][][]any{"thu_tuc": {{"code", "name", "field", "level"}, {"1.001193", "Khai sinh", "Hộ tịch", "cấp xã"}}})
	if err := os.WriteFile(xlsxPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := ParseFile(xlsxPath); err != nil || len(f.Procedures) != 1 {
		t.Fatalf("xlsx: %v %+v", err, f)
	}
	f, err = ParseFile(filepath.Join(dir, "catalog.xls"))
	expectErr(t, f, err, "catalog.xls", "err.catalog.bad_extension")
	if _, err := ParseFile(filepath.Join(dir, "absent.csv")); err == nil {
		t.Error("absent file: no error")
	}
}

func TestWriteRoundTrip(t *testing.T) {
	f := mustParseCSV(t, goodProcedures)
	var buf bytes.Buffer
	if err := WriteProceduresCSV(&buf, f.Procedures); err != nil {
		t.Fatal(err)
	}
	g := mustParseCSV(t, buf.String())
	if !reflect.DeepEqual(f.Procedures, g.Procedures) {
		t.Errorf("round trip:\n got %+v\nwant %+v", g.Procedures, f.Procedures)
	}
	agencies := []domain.Agency{{Code: "000.00.12.H21", Name: "Sở Tư pháp, tỉnh Gia Lai", Level: "cấp tỉnh", Address: "Pleiku", Phone: "+84 269 3824 123"}}
	buf.Reset()
	if err := WriteAgenciesCSV(&buf, agencies); err != nil {
		t.Fatal(err)
	}
	if g := mustParseCSV(t, buf.String()); !reflect.DeepEqual(g.Agencies, agencies) {
		t.Errorf("agencies round trip: %+v", g.Agencies)
	}
}

// The shipped sample parses, every agency resolves, and code, name, field,
// level, days, fee, flags and source are exactly those of the shared sample.
func TestShippedSample(t *testing.T) {
	procs, err := ParseCSV(bytes.NewReader(assets.CatalogProcedures), "procedures.csv")
	if err != nil {
		t.Fatal(err)
	}
	agencies, err := ParseCSV(bytes.NewReader(assets.CatalogAgencies), "agencies.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(procs.Procedures) != 106 || len(agencies.Agencies) == 0 || len(agencies.Procedures) != 0 {
		t.Fatalf("%d procedures, %d agencies", len(procs.Procedures), len(agencies.Agencies))
	}
	known := map[string]bool{}
	for _, a := range agencies.Agencies {
		known[a.Code] = true
	}
	if err := procs.CheckAgencies(func(c string) bool { return known[c] }); err != nil {
		t.Error(err)
	}
	for _, p := range procs.Procedures {
		if p.AgencyCode == "" || len(p.Documents) == 0 {
			t.Errorf("%s has no agency or no checklist", p.Code)
		}
	}
	communes, err := ParseCommunes(bytes.NewReader(assets.CatalogCommunes))
	if err != nil || len(communes) < 5 {
		t.Fatalf("communes: %v %v", err, communes)
	}
	if communes[0].Label() != "xã Ia O" || communes[0].Province != "Gia Lai" {
		t.Errorf("first commune = %+v", communes[0])
	}

	// The real columns are the shared sample's byte for byte: their digest
	// is recorded here, so the check runs everywhere (CI has no shared
	// folder); where the shared sample is at hand, it is compared cell by
	// cell too and must still have that digest.
	ship, err := csv.NewReader(bytes.NewReader(assets.CatalogProcedures)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := realColumnsDigest(t, ship); got != sharedSampleDigest {
		t.Errorf("the shipped procedures' real columns (%s) have digest %s, not the shared sample's %s", strings.Join(sharedSampleColumns, ", "), got, sharedSampleDigest)
	}
	raw, err := os.ReadFile("/work/shared/data/procedures-sample.csv")
	if err != nil {
		return // not on this machine: the digest above stands for it
	}
	orig, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := realColumnsDigest(t, orig); got != sharedSampleDigest {
		t.Errorf("the shared sample's digest is now %s, not the recorded %s", got, sharedSampleDigest)
	}
	if len(orig) != len(ship) {
		t.Fatalf("%d rows shipped, %d in the shared sample", len(ship), len(orig))
	}
	col := func(h []string, n string) int {
		for i, x := range h {
			if x == n {
				return i
			}
		}
		t.Fatalf("no column %s", n)
		return -1
	}
	for _, n := range orig[0] {
		i, j := col(orig[0], n), col(ship[0], n)
		for r := 1; r < len(orig); r++ {
			if orig[r][i] != ship[r][j] {
				t.Errorf("row %d %s: shipped %q, shared %q", r+1, n, ship[r][j], orig[r][i])
			}
		}
	}
}

func TestParseCommunesBad(t *testing.T) {
	_, err := ParseCommunes(strings.NewReader("name,type\nIa O,huyện\nIa O,xã\nIa O,Xã\n"))
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Key != "err.catalog.bad_commune_type" || errs[1].Field != "line 4: name" {
		t.Errorf("got %v", err)
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(goodProcedures))
	f.Add([]byte(head + okRow + okRow))
	f.Add([]byte("agency_code,agency_name,level,address,phone\n000.00.12.H21,Sở Tư pháp,cấp tỉnh,,0269 3824 123\n"))
	f.Add([]byte("level;Name;code;FIELD\r\ncấp xã;Kết hôn;1.000894;Hộ tịch\r\n"))
	f.Add([]byte("code,name,field,level,fee_vnd,documents\n1.001193,\"a\nb\",Hộ tịch,xã,\"1.000\",\"x|1|bs;;y|0\"\n"))
	f.Add(assets.CatalogProcedures[:min(len(assets.CatalogProcedures), 2000)])
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := ParseCSV(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if file != nil {
				t.Fatal("File and error both returned")
			}
			var errs domain.Errors
			if errors.As(err, &errs) {
				for _, e := range errs {
					if e.Key == "" || e.Msg == "" {
						t.Fatalf("error without key or message: %#v", e)
					}
				}
			}
			return
		}
		for _, p := range file.Procedures {
			if err := ValidateProcedure(p); err != nil {
				t.Fatalf("parsed procedure fails validation: %v\n%+v", err, p)
			}
		}
		for _, a := range file.Agencies {
			if err := ValidateAgency(a); err != nil {
				t.Fatalf("parsed agency fails validation: %v\n%+v", err, a)
			}
		}
		// What we write, we read back unchanged.
		var buf bytes.Buffer
		if len(file.Procedures) > 0 {
			if err := WriteProceduresCSV(&buf, file.Procedures); err != nil {
				t.Fatal(err)
			}
			again, err := ParseCSV(&buf, "again.csv")
			if err != nil {
				t.Fatalf("written file does not parse: %v", err)
			}
			if !reflect.DeepEqual(again.Procedures, file.Procedures) {
				t.Fatalf("round trip changed procedures:\n%+v\n%+v", file.Procedures, again.Procedures)
			}
		}
	})
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i < 2000; i++ {
		b.WriteString(",,,,,,,\n")
		b.WriteString("x,,,,,,,\n")
	}
	f, err := ParseCSV(strings.NewReader(b.String()), "big.csv")
	var errs domain.Errors
	if f != nil || !errors.As(err, &errs) || len(errs) > MaxErrors+10 || errs[len(errs)-1].Key != "err.catalog.too_many_errors" {
		t.Fatalf("got %d errors, last %v", len(errs), errs[len(errs)-1])
	}
}

// Every key this package reports has a Vietnamese and an English text.
func TestI18nKeys(t *testing.T) {
	srcs, _ := filepath.Glob("*.go")
	keyRE := regexp.MustCompile(`"(err\.catalog\.[a-z_]+|err\.agency_code\.[a-z_]+)"`)
	keys := map[string]bool{}
	for _, src := range srcs {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = true
		}
	}
	for _, lang := range []string{"vi", "en"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "i18n", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var texts map[string]string
		if err := json.Unmarshal(b, &texts); err != nil {
			t.Fatal(err)
		}
		for k := range keys {
			if texts[k] == "" {
				t.Errorf("%s.json has no %s", lang, k)
			}
		}
	}
}

func TestParseCSVWindowsEncodings(t *testing.T) {
	// Excel's "Unicode text" (UTF-16 LE, tabs, CRLF) and a Windows-1258 CSV
	// read like the UTF-8 file.
	text := "code\tname\tfield\tlevel\r\n1.000894\tThủ tục đăng ký kết hôn\tHộ tịch\tcấp xã\r\n"
	for _, enc := range []string{tables.UTF16LE, tables.UTF16BE, tables.Windows1258} {
		data, err := tables.Encode(text, enc)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseCSV(bytes.NewReader(data), "x.csv")
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if len(f.Procedures) != 1 || f.Procedures[0].Name != "Thủ tục đăng ký kết hôn" || f.Procedures[0].Field != "Hộ tịch" {
			t.Fatalf("%s: %+v", enc, f.Procedures)
		}
	}
}

// sharedSampleColumns are the columns of procedures.csv copied from the
// shared sample (assets/catalog/SOURCES.md), and sharedSampleDigest the
// SHA-256 of their cells, row by row, as realColumnsDigest reads them.
var sharedSampleColumns = []string{"code", "name", "field", "level", "processing_days", "fee_vnd", "bcci_intake", "bcci_return", "source"}

const sharedSampleDigest = "77170c6d88e1fc2784d18fd7f605846b1bc1fa034d17a8715865afc89ca6c7e7"

// realColumnsDigest hashes the cells of sharedSampleColumns of a CSV's rows
// (header first), whatever the order of its columns.
func realColumnsDigest(t *testing.T, rows [][]string) string {
	t.Helper()
	idx := make([]int, len(sharedSampleColumns))
	for k, name := range sharedSampleColumns {
		idx[k] = slices.Index(rows[0], name)
		if idx[k] < 0 {
			t.Fatalf("no column %s", name)
		}
	}
	h := sha256.New()
	for _, r := range rows[1:] {
		for _, i := range idx {
			h.Write([]byte(r[i]))
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

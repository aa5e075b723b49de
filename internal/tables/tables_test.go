package tables

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"

	"postdesk/internal/domain"
)

var testReader = Reader{MaxBytes: 1 << 20, Keys: Keys{TooLarge: "k.large", Encoding: "k.enc", CSV: "k.csv", XLSX: "k.xlsx"}}

// The same sheet as Excel on Windows saves it in each encoding.
const want = "Họ tên;Xã\r\nNguyễn Văn A;Đăk Đoa\r\nRơ Mah H'Bích;Ia Băng\r\n"

func utf16Bytes(s string, bigEndian bool) []byte {
	enc := UTF16LE
	if bigEndian {
		enc = UTF16BE
	}
	b, _ := Encode(s, enc)
	return b
}

// win1258 is want in Windows-1258, written out byte by byte: the tone marks
// are separate bytes after the vowel (ễ = ê 0xEA + tilde 0xDE, ọ = o + dot
// below 0xF2, í = 0xED precomposed, ă = 0xE3, Đ = 0xD0, ơ = 0xF5).
var win1258 = []byte("Ho\xf2 t\xean;Xa\xde\r\nNguy\xea\xden V\xe3n A;\xd0\xe3k \xd0oa\r\nR\xf5 Mah H'B\xedch;Ia B\xe3ng\r\n")

func TestDecodeEveryEncoding(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8", []byte(want), UTF8},
		{"utf-8 decomposed (Unikey tổ hợp)", []byte(norm.NFD.String(want)), UTF8},
		{"utf-8 BOM", append([]byte("\xEF\xBB\xBF"), want...), UTF8BOM},
		{"utf-16 LE (Excel Unicode text)", utf16Bytes(want, false), UTF16LE},
		{"utf-16 BE", utf16Bytes(want, true), UTF16BE},
		{"windows-1258", win1258, Windows1258},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, enc, err := testReader.CSV(c.data, "x.csv")
			if err != nil {
				t.Fatal(err)
			}
			if enc != c.enc {
				t.Errorf("encoding %q, want %q", enc, c.enc)
			}
			wantRows := []Row{{1, []string{"Họ tên", "Xã"}}, {2, []string{"Nguyễn Văn A", "Đăk Đoa"}}, {3, []string{"Rơ Mah H'Bích", "Ia Băng"}}}
			if !reflect.DeepEqual(rows, wantRows) {
				t.Fatalf("rows %v, want %v", rows, wantRows)
			}
			for _, r := range rows {
				for _, cell := range r.Cells {
					if !norm.NFC.IsNormalString(cell) {
						t.Errorf("%q is not NFC", cell)
					}
				}
			}
		})
	}
}

func refusal(t *testing.T, err error) *domain.FieldError {
	t.Helper()
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("want one domain error, got %v", err)
	}
	return errs[0]
}

func TestDecodeRefusesNamingTheEncoding(t *testing.T) {
	cases := []struct {
		name        string
		data        []byte
		line, col   string
		enc, substr string
	}{
		// TCVN3 puts ơ at 0xAC and ồ at 0xE5-ish bytes; 0xAC is "¬" in Windows-1258.
		{"tcvn3", []byte("ho_ten\nH\xe5 s\xac\n"), "2", "2", TCVN3, "TCVN3"},
		{"latin-1 letters Vietnamese lacks", []byte("name\nM\xfcller\n"), "2", "2", Unknown8bit, "8-bit"},
		{"utf-8 with a stray byte", []byte("tên\nNguy\xea\xden\n"), "2", "5", UTF8, "UTF-8"},
		{"BOM then a stray byte", []byte("\xEF\xBB\xBFa\nb\xff\n"), "2", "2", UTF8BOM, "UTF-8"},
		{"utf-16 cut short", utf16Bytes("ab\ncd", false)[:11], "2", "1", UTF16LE, "cut short"},
		{"utf-16 broken surrogate", append(utf16Bytes("a", false), 0x00, 0xD8, 'b', 0), "1", "2", UTF16LE, "broken"},
		{"tone mark after a consonant", []byte("x\n\xdek\n"), "2", "1", Unknown8bit, "8-bit"},
		{"UTF-16 without a BOM", []byte("a\x00b\x00"), "1", "2", UTF16NoBOM, "UTF-16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, enc, err := testReader.CSV(c.data, "x.csv")
			e := refusal(t, err)
			if e.Key != "k.enc" || e.Field != "line "+c.line || e.Args["Line"] != c.line || e.Args["Column"] != c.col ||
				e.Args["Encoding"] != c.enc || enc != c.enc || e.Args["Name"] != "x.csv" {
				t.Fatalf("got %q %q %v (encoding %q), want line %s column %s %s", e.Key, e.Field, e.Args, enc, c.line, c.col, c.enc)
			}
			if !strings.Contains(e.Msg, c.substr) {
				t.Errorf("message %q does not say %q", e.Msg, c.substr)
			}
		})
	}
}

func TestCSVLinesSeparatorsAndQuotes(t *testing.T) {
	// Blank lines count; a quoted cell over two lines is one row; tabs win.
	data := "a\tb\r\n\r\n1\t\"two\r\nlines\"\r\n3\t4\r\n"
	rows, _, err := testReader.CSV([]byte(data), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := []int{}
	for _, r := range rows {
		got = append(got, r.Line)
	}
	if !reflect.DeepEqual(got, []int{1, 3, 4}) || rows[1].Cells[1] != "two\nlines" || rows[2].Cells[0] != "3" {
		t.Fatalf("lines %v rows %v", got, rows)
	}
	// Semicolons (Excel in Vietnamese locale).
	rows, _, err = testReader.CSV([]byte("a;b;c,d\n1;2,5;3\n"), "x.csv")
	if err != nil || len(rows[1].Cells) != 3 || rows[1].Cells[1] != "2,5" {
		t.Fatalf("%v %v", rows, err)
	}
	// A broken quote names its spreadsheet line.
	_, _, err = testReader.CSV([]byte("a,b\n\n1,\"x\n2,\"y\"z\n"), "x.csv")
	if e := refusal(t, err); e.Key != "k.csv" || e.Field != "line 3" {
		t.Fatalf("%q %q", e.Key, e.Field)
	}
}

func TestReadAllLimit(t *testing.T) {
	r := Reader{MaxBytes: 2 << 20, Keys: testReader.Keys}
	if _, err := r.ReadAll(bytes.NewReader(make([]byte, 2<<20)), "ok.csv"); err != nil {
		t.Fatal(err)
	}
	_, err := r.ReadAll(bytes.NewReader(make([]byte, 2<<20+1)), "big.csv")
	if e := refusal(t, err); e.Key != "k.large" || e.Args["MaxMB"] != "2" || e.Args["Name"] != "big.csv" {
		t.Fatalf("%q %v", e.Key, e.Args)
	}
}

func TestXLSXRowsAndPick(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Ghi chú")
	f.NewSheet("Kết quả")
	f.SetSheetRow("Kết quả", "A1", &[]any{"Họ tên", "Ngày"})
	f.SetSheetRow("Kết quả", "A3", &[]any{norm.NFD.String("Nguyễn Văn A"), 46096})
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	wb, err := testReader.XLSX(buf.Bytes(), "x.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if s := wb.Pick("outcomes", "ket_qua"); s != "Kết quả" {
		t.Fatalf("picked %q", s)
	}
	if s := wb.Pick("nothing"); s != "Ghi chú" {
		t.Fatalf("fallback picked %q", s)
	}
	rows, err := wb.Rows("Kết quả")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[2].Line != 3 || rows[2].Cells[0] != "Nguyễn Văn A" || !rows[1].Blank() {
		t.Fatalf("%v", rows)
	}
	if d, ok := ExcelDate(rows[2].Cells[1]); !ok || d != "15/03/2026" {
		t.Fatalf("date %q %v", d, ok)
	}
	if _, err := testReader.XLSX([]byte("not a zip"), "x.xlsx"); refusal(t, err).Key != "k.xlsx" {
		t.Fatal("a non-workbook was opened")
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{"\uFEFFSố biên nhận": "so_bien_nhan", "Agency-Code ": "agency_code", "Ngày.hẹn trả": "ngay_hen_tra"} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEncodeMatchesWhatWindowsSaves(t *testing.T) {
	got, err := Encode(want, Windows1258)
	if err != nil || !bytes.Equal(got, win1258) {
		t.Fatalf("Windows-1258 %q %v, want %q", got, err, win1258)
	}
	for _, enc := range []string{UTF8, UTF8BOM, UTF16LE, UTF16BE, Windows1258} {
		b, err := Encode(want, enc)
		if err != nil {
			t.Fatal(err)
		}
		text, got, err := Decode(b, "k")
		if err != nil || got != enc || string(text) != want {
			t.Errorf("%s: %q %q %v", enc, text, got, err)
		}
	}
	if _, err := Encode("日本", Windows1258); err == nil {
		t.Error("Japanese was written as Windows-1258")
	}
}

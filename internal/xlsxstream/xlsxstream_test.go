package xlsxstream

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook of several deflate chunks, every kind of cell and text that
// needs escaping, read back whole by excelize: every cell as written.
func TestExcelizeReadsItBack(t *testing.T) {
	var out bytes.Buffer
	x, err := New(&out, "HoSo")
	if err != nil {
		t.Fatal(err)
	}
	odd := []string{"Nguyễn Thị Ánh", "a & b < c > d \"e\"", " lề trái", "lề phải ", "tab\there", "dòng\nhai",
		"ctl\x01\x1f", "_x0041_ literal", "under_score", "Đăng ký khai sinh"}
	const rows = 40_000
	want := make([][]string, 0, rows+1)
	head := []string{"MaHoSo", "TenTTHC", "So", "Trong", "Le"}
	for _, h := range head {
		x.Text(h)
	}
	if err := x.EndRow(); err != nil {
		t.Fatal(err)
	}
	want = append(want, head)
	for i := 1; i <= rows; i++ {
		code := fmt.Sprintf("H35.%07d", i)
		if i%5 == 0 { // a row that starts with an empty cell
			code = ""
		}
		x.Text(code)
		name := odd[i%len(odd)]
		x.Shared(name)
		x.Int(int64(i * 7))
		x.Skip()
		row := []string{code, name, strconv.Itoa(i * 7)}
		if i%3 == 0 {
			x.Text(odd[(i/3)%len(odd)])
			row = append(row, "", odd[(i/3)%len(odd)])
		}
		if err := x.EndRow(); err != nil {
			t.Fatal(err)
		}
		want = append(want, row)
	}
	if err := x.EndRow(); err != nil { // an empty row
		t.Fatal(err)
	}
	want = append(want, nil)
	x.Text("cuối")
	if err := x.EndRow(); err != nil {
		t.Fatal(err)
	}
	want = append(want, []string{"cuối"})
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if out.Len() < 100_000 {
		t.Fatalf("only %d bytes: not several chunks", out.Len())
	}
	// the zip reader checks every entry's CRC-32 and sizes
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if f.Name == "xl/worksheets/sheet1.xml" && n < 2*chunkSize {
			t.Fatalf("the sheet is %d bytes of XML: fewer than 3 chunks", n)
		}
	}
	wb, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if got := wb.GetSheetList(); len(got) != 1 || got[0] != "HoSo" {
		t.Fatalf("sheets %v", got)
	}
	got, err := wb.GetRows("HoSo", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows read, %d written", len(got), len(want))
	}
	for i := range want {
		w := want[i]
		if fmt.Sprintf("%q", got[i]) != fmt.Sprintf("%q", w) {
			t.Fatalf("row %d: read %q, wrote %q", i+1, got[i], w)
		}
	}
	// a number is a number cell
	if typ, err := wb.GetCellType("HoSo", "C2"); err != nil || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Fatalf("C2 is of type %v (%v)", typ, err)
	}
}

func TestRowsBeyondASheetRefused(t *testing.T) {
	x, err := New(io.Discard, "S")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < MaxRows; i++ {
		if err := x.EndRow(); err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
	}
	if err := x.EndRow(); !errors.Is(err, ErrTooManyRows) {
		t.Fatalf("row %d: %v", MaxRows+1, err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := New(io.Discard, ""); err == nil {
		t.Fatal("an empty sheet name accepted")
	}
}

// failing is a writer that fails after n bytes.
type failing struct{ n int }

func (f *failing) Write(p []byte) (int, error) {
	if f.n < len(p) {
		return 0, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestAWriteFailureIsReturned(t *testing.T) {
	x, err := New(&failing{n: 5000}, "S")
	if err != nil {
		t.Fatal(err)
	}
	var werr error
	for i := 0; i < 200_000 && werr == nil; i++ {
		x.Text(fmt.Sprintf("row %d with some text to fill the chunk", i))
		werr = x.EndRow()
	}
	if err := x.Close(); err == nil && werr == nil {
		t.Fatal("a failed write was not reported")
	}
}

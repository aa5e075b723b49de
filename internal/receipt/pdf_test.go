package receipt

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"postdesk/i18n"
)

func output(t *testing.T, d *Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestDocA4Register draws what a daily register looks like: a letterhead,
// a heading, a long table over several pages, columns, rich text and
// signature boxes, on A4 landscape with page numbers.
func TestDocA4Register(t *testing.T) {
	var rows [][]string
	for i := range 90 {
		rows = append(rows, []string{strconv.Itoa(i + 1), "600900A-251128-" + pad4(i+1), "Rơ Mah H'Bích",
			"Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "15.000 ₫"})
	}
	d, err := Build(A4Landscape, Options{Title: "Sổ theo dõi", Footer: "Bưu điện Văn hóa xã Ia O", Numbers: true,
		Created: time.Date(2025, 11, 28, 17, 0, 0, 0, time.UTC)}, func(d *Doc) error {
		d.Letterhead([]Line{{Text: "BƯU ĐIỆN TỈNH GIA LAI", Style: Style{}}, {Text: "Bưu điện Văn hóa xã Ia O", Style: Style{Bold: true}}},
			[]Line{{Text: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Style: Style{Bold: true}}, {Text: "Độc lập - Tự do - Hạnh phúc", Style: Style{Bold: true}}})
		d.Heading("SỔ THEO DÕI HỒ SƠ NGÀY 28/11/2025")
		d.Rich(Span{Text: "Hôm nay, tại", Style: Style{}}, Span{Text: "Bưu điện Văn hóa xã Ia O", Style: Style{Bold: true}},
			Span{Text: "chúng tôi gồm:", Style: Style{Italic: true}})
		if err := d.Columns(20, []float64{0, 0},
			func(d *Doc) error { d.Subheading("Bên giao"); d.Row("Họ và tên", "Siu Thị Hằng"); return nil },
			func(d *Doc) error { d.Subheading("Bên nhận"); d.Row("Họ và tên", "Ksor Y Bhin"); return nil },
		); err != nil {
			return err
		}
		d.Table([]Column{{Title: "STT", Width: 12, Align: "C"}, {Title: "Số biên nhận", Width: 45}, {Title: "Người nộp", Width: 50},
			{Title: "Thủ tục"}, {Title: "Cước", Width: 25, Align: "R"}}, rows)
		d.Signatures(20, Signature{Title: "BÊN GIAO", Note: "(Ký, ghi rõ họ tên)", Name: "Siu Thị Hằng"},
			Signature{Title: "BÊN NHẬN", Note: "(Ký, ghi rõ họ tên)", Name: "Ksor Y Bhin"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pdf := output(t, d)
	if dir := os.Getenv("RECEIPT_LOOK"); dir != "" {
		os.WriteFile(filepath.Join(dir, "register-a4.pdf"), pdf, 0o644)
	}
	w, h := pageSize(t, pdf)
	if w < 841 || w > 842.5 || h < 595 || h > 596 {
		t.Errorf("A4 landscape page is %.2f × %.2f pt", w, h)
	}
	n := pages(t, pdf)
	if n < 3 {
		t.Fatalf("90 rows took %d pages", n)
	}
	text := pdfText(t, pdf)
	mustContain(t, text, "SỔ THEO DÕI HỒ SƠ NGÀY 28/11/2025", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Hôm nay, tại Bưu điện Văn hóa xã Ia O chúng tôi gồm:", "Siu Thị Hằng", "Ksor Y Bhin",
		"600900A-251128-0001", "600900A-251128-0090", "BÊN GIAO", "Bưu điện Văn hóa xã Ia O")
	if c := strings.Count(text, "Số biên nhận"); c != n {
		t.Errorf("table header printed %d times on %d pages", c, n)
	}
	for p := 1; p <= n; p++ {
		mustContain(t, text, "Trang "+strconv.Itoa(p)+"/"+strconv.Itoa(n))
	}
	// Every row is printed exactly once: none lost or doubled at a page break.
	for i := 1; i <= 90; i++ {
		if c := strings.Count(text, "600900A-251128-"+pad4(i)); c != 1 {
			t.Errorf("row %d printed %d times", i, c)
		}
	}
}

func pad4(n int) string { s := strconv.Itoa(n); return strings.Repeat("0", 4-len(s)) + s }

// TestRollLengthFollowsContent: a roll is as long as what is on it.
func TestRollLengthFollowsContent(t *testing.T) {
	height := func(lines int) float64 {
		d, err := Build(Roll80, Options{}, func(d *Doc) error {
			for i := range lines {
				d.Text("Dòng "+strconv.Itoa(i), Style{})
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, h := pageSize(t, output(t, d))
		return h
	}
	short, long := height(3), height(120)
	if short < rollMinHeight/25.4*72-1 || short > 80/25.4*72 {
		t.Errorf("a short roll is %.1f pt long", short)
	}
	if long < 120*8.5*1.25*0.9 || long < short*5 {
		t.Errorf("a roll of 120 lines is %.1f pt, a short one %.1f", long, short)
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := Build(Size{W: 0}, Options{}, func(*Doc) error { return nil }); err == nil {
		t.Error("a page of no width was made")
	}
	boom := errors.New("boom")
	if _, err := Build(A5, Options{}, func(*Doc) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("draw's error lost: %v", err)
	}
	if _, err := Build(A5, Options{}, func(d *Doc) error { return d.Image([]byte("not a png"), 20, "C") }); err == nil {
		t.Error("a broken image was drawn")
	}
	if err := func() error {
		_, err := Build(A5, Options{}, func(d *Doc) error {
			return d.Columns(10, []float64{0}, func(*Doc) error { return nil }, func(*Doc) error { return nil })
		})
		return err
	}(); err == nil {
		t.Error("Columns with mismatched widths succeeded")
	}
}

func TestCleanForPDF(t *testing.T) {
	for in, want := range map[string]string{
		"  Nguyễn\u00a0Thị  Hằng ": "Nguyễn Thị Hằng",
		"Hằng 😀":                   "Hằng ?",
		"e\u0301":                  "é",
		"":                         "",
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageNumbersFollowLocale(t *testing.T) {
	en, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	d, err := Build(A5, Options{Numbers: true, Lang: en}, func(d *Doc) error { d.Text("x", Style{}); return nil })
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, pdfText(t, output(t, d)), "Page 1 of 1")
}

// A table inside Columns cannot break pages, and must not print its header
// again when it runs low on room.
func TestTableInColumnsKeepsOneHeader(t *testing.T) {
	d, err := Build(A5, Options{}, func(d *Doc) error {
		d.Space(150)
		rows := [][]string{{"1", "Siu Thị Hằng"}, {"2", "Ksor Y Bhin"}, {"3", "Rơ Mah H'Bích"}, {"4", "Nguyễn Thị Hằng"}}
		return d.Columns(10, []float64{0, 0},
			func(d *Doc) error {
				d.Table([]Column{{Title: "Số", Width: 10}, {Title: "Họ và tên"}}, rows)
				return nil
			},
			func(d *Doc) error { d.Text("Bên phải", Style{}); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	pdf := output(t, d)
	text := pdfText(t, pdf)
	if c := strings.Count(text, "Họ và tên"); c != 1 {
		t.Errorf("header printed %d times", c)
	}
	mustContain(t, text, "Siu Thị Hằng", "Nguyễn Thị Hằng", "Bên phải")
}

package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// seededReport is a year of demo dossiers with totals for January–September.
func seededReport(t *testing.T) (*store.Store, *Report) {
	t.Helper()
	s := newPoint(t, 1200)
	ds := readDossiers(t, testtool.DB(t, s.Path()))
	deployed := map[string]bool{}
	procs, _ := s.Procedures(ctx)
	for _, p := range procs {
		deployed[p.Code] = p.Deployed()
	}
	data, _, _ := totalsCSV(t, ds, deployed, "2026-01", "2026-09", 3)
	f, err := ParseTotalsCSV(data, "tong-so.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPoint(ctx, s, "truong", f); err != nil {
		t.Fatal(err)
	}
	r, err := PointReport(ctx, s, domain.YearPeriod(2026))
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

// TestXLSXMatchesJSON reads the workbook back and compares every figure,
// by month and by procedure, with the JSON export.
func TestXLSXMatchesJSON(t *testing.T) {
	_, r := seededReport(t)
	lang := vi(t)
	var jb, xb bytes.Buffer
	if err := WriteJSON(&jb, r, lang); err != nil {
		t.Fatal(err)
	}
	if err := Write(&xb, "xlsx", r, lang); err != nil {
		t.Fatal(err)
	}
	var j struct {
		Figures []FigureView `json:"figures"`
		Trend   []struct {
			Month   string       `json:"month"`
			Figures []FigureView `json:"figures"`
		} `json:"trend"`
		Procedures []ProcedureRow `json:"procedures"`
		NoBCCI     []string       `json:"procedures_without_bcci"`
	}
	if err := json.Unmarshal(jb.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&xb)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	want := []string{"Tổng hợp", "1. Thủ tục có hồ sơ", "2. Hồ sơ tiếp nhận", "3. Kết quả trả", "Chi tiết theo thủ tục", "Chưa có hồ sơ BCCI", "Chất lượng dịch vụ"}
	if strings.Join(sheets, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", sheets, want)
	}
	num := func(sheet, cell string) float64 {
		t.Helper()
		typ, err := x.GetCellType(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		v, err := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Fatalf("%s!%s = %q (type %v) is not a number", sheet, cell, v, typ)
		}
		return f
	}
	isPercent := func(sheet, cell string) {
		t.Helper()
		id, err := x.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "0.0%" {
			t.Errorf("%s!%s is not formatted as a percentage: %+v", sheet, cell, st)
		}
	}
	// the summary: rows 6–8 hold the three figures
	rows, _ := x.GetRows("Tổng hợp")
	start := 0
	for i, row := range rows {
		if len(row) > 0 && strings.HasPrefix(row[0], "1. ") {
			start = i + 1
			break
		}
	}
	if start == 0 {
		t.Fatalf("summary rows %q", rows)
	}
	for i, f := range j.Figures {
		row := strconv.Itoa(start + i)
		if n := num("Tổng hợp", "B"+row); int64(n) != f.Numerator {
			t.Errorf("figure %s numerator: xlsx %v, json %d", f.Kind, n, f.Numerator)
		}
		if f.Denominator == nil {
			t.Fatalf("figure %s has no denominator in a report with totals", f.Kind)
		}
		if n := num("Tổng hợp", "C"+row); int64(n) != *f.Denominator {
			t.Errorf("figure %s denominator: xlsx %v, json %d", f.Kind, n, *f.Denominator)
		}
		if p := num("Tổng hợp", "D"+row); math.Abs(p*100-*f.Percent) > 0.006 {
			t.Errorf("figure %s percent: xlsx %v, json %v", f.Kind, p, *f.Percent)
		}
		isPercent("Tổng hợp", "D"+row)
		met, _ := x.GetCellValue("Tổng hợp", "F"+row)
		if (met == "Đạt") != f.Met {
			t.Errorf("figure %s: xlsx %q, json met=%v", f.Kind, met, f.Met)
		}
		// the counting rule, the same line in both, in the report's language
		rule, _ := x.GetCellValue("Tổng hợp", "G"+row)
		if want := vi(t).T("report.rule." + string(f.Kind)); f.Rule != want || rule != want {
			t.Errorf("figure %s rule: json %q, xlsx %q, want %q", f.Kind, f.Rule, rule, want)
		}
	}
	// figure 3 divides by the same all-channel dossiers as figure 2 (the letter)
	if *j.Figures[2].Denominator != *j.Figures[1].Denominator {
		t.Errorf("figure 3 over %d, figure 2 over %d: the letter gives both the total of dossiers", *j.Figures[2].Denominator, *j.Figures[1].Denominator)
	}
	// the CSV carries the rule of every line
	var cb bytes.Buffer
	if err := WriteCSV(&cb, r, vi(t)); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(cb.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if h := recs[0]; h[len(h)-1] != "rule" || recs[1][len(h)-1] != vi(t).T("report.rule.procedures") || recs[3][len(h)-1] != vi(t).T("report.rule.results") {
		t.Errorf("CSV rule column: %q / %q", h, recs[3])
	}
	// each figure's sheet: the total row, then the months
	for fi, name := range want[1:4] {
		rows, _ := x.GetRows(name)
		monthRow := 0
		for i, row := range rows {
			if len(row) > 0 && row[0] == j.Trend[0].Month {
				monthRow = i + 1
				break
			}
		}
		if monthRow == 0 {
			t.Fatalf("%s: no month rows", name)
		}
		for mi, m := range j.Trend {
			row := strconv.Itoa(monthRow + mi)
			f := m.Figures[fi]
			if v, _ := x.GetCellValue(name, "A"+row); v != m.Month {
				t.Fatalf("%s row %s: month %q, want %q", name, row, v, m.Month)
			}
			if n := num(name, "C"+row); int64(n) != f.Numerator {
				t.Errorf("%s %s: numerator %v, json %d", name, m.Month, n, f.Numerator)
			}
			if f.Denominator != nil {
				if n := num(name, "D"+row); int64(n) != *f.Denominator {
					t.Errorf("%s %s: denominator %v, json %d", name, m.Month, n, *f.Denominator)
				}
				isPercent(name, "E"+row)
			} else if v, _ := x.GetCellValue(name, "D"+row); v != "chưa có số liệu tổng từ hệ thống một cửa" {
				t.Errorf("%s %s: a missing denominator reads %q", name, m.Month, v)
			}
		}
	}
	// the detail by procedure
	for i, p := range j.Procedures {
		row := strconv.Itoa(i + 2)
		if v, _ := x.GetCellValue("Chi tiết theo thủ tục", "A"+row); v != p.Code {
			t.Fatalf("procedure row %s: %q, want %s", row, v, p.Code)
		}
		for col, want := range map[string]int64{"G": p.Received, "H": p.Registered, "I": p.Returned} {
			if n := num("Chi tiết theo thủ tục", col+row); int64(n) != want {
				t.Errorf("procedure %s column %s: %v, json %d", p.Code, col, n, want)
			}
		}
		if p.TotalsKnown {
			if n := num("Chi tiết theo thủ tục", "J"+row); int64(n) != p.TotalDossiers {
				t.Errorf("procedure %s totals: %v, json %d", p.Code, n, p.TotalDossiers)
			}
		}
	}
	none, _ := x.GetRows("Chưa có hồ sơ BCCI")
	if len(none)-1 != len(j.NoBCCI) {
		t.Errorf("procedures without BCCI: xlsx %d, json %d", len(none)-1, len(j.NoBCCI))
	}
	// the chart is embedded
	if pics, err := x.GetPictures("Tổng hợp", "A"+strconv.Itoa(len(rows)+2)); err != nil || len(pics) != 1 {
		cells, _ := x.GetPictureCells("Tổng hợp")
		if len(cells) != 1 {
			t.Errorf("chart picture: %v %v", cells, err)
		}
	}
}

// TestPDFText checks the report's PDF text for the Vietnamese labels and
// the figures, and the missing-denominator sentence.
func TestPDFText(t *testing.T) {
	_, r := seededReport(t)
	var b bytes.Buffer
	if err := Write(&b, "pdf", r, vi(t)); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	for _, want := range []string{"BÁO CÁO KẾT QUẢ TIẾP NHẬN HỒ SƠ", "Ba chỉ tiêu của tỉnh",
		"Thủ tục có phát sinh hồ sơ qua BCCI", "Hồ sơ tiếp nhận qua BCCI", "Kết quả trả qua BCCI",
		"Tử số", "Mẫu số", "Kỳ báo cáo 01/01/2026 – 31/12/2026", "Chất lượng dịch vụ", "Bưu điện Văn hóa xã Ia O",
		"Chưa có số liệu tổng các tháng: 10/2026, 11/2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	for i, f := range r.Total.Figures {
		pct, _ := f.Percent()
		met := "Chưa đạt"
		if f.Met() {
			met = "Đạt"
		}
		line := strings.Join([]string{strconv.Itoa(i+1) + ". " + FigureLabel(vi(t), f.Kind), fmtInt(f.Numerator), fmtInt(f.Denominator),
			domain.FormatPercent(pct), "> " + domain.FormatPercent(f.Target), met}, " ")
		if !strings.Contains(text, line) {
			t.Errorf("PDF lacks the line %q", line)
		}
		// the rule under the table, numbered like its figure (its first words:
		// pdftotext breaks the line where the PDF wraps it)
		rule := strings.Fields(vi(t).T(f.RuleKey()))
		if start := strconv.Itoa(i+1) + ". " + strings.Join(rule[:5], " "); !strings.Contains(text, start) {
			t.Errorf("PDF lacks the rule of figure %d (%q)", i+1, start)
		}
	}

	// without totals the PDF says so plainly
	d := small()
	d.Totals, d.Coverage = nil, nil
	b.Reset()
	if err := Write(&b, "pdf", Compute(d, Grouping{}), vi(t)); err != nil {
		t.Fatal(err)
	}
	text = pdfText(t, b.Bytes())
	if !strings.Contains(text, "2. Hồ sơ tiếp nhận qua BCCI: chưa có số liệu tổng từ hệ thống một cửa") {
		t.Errorf("PDF without totals does not say so:\n%s", text)
	}
}

func TestNoticePDF(t *testing.T) {
	s := newPoint(t, 0)
	procs, _ := s.Procedures(ctx)
	opt, err := PointNoticeOptions(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	opt.Lang = vi(t)
	var b bytes.Buffer
	if err := WriteNotice(&b, procs, opt); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	flat := strings.Join(strings.Fields(text), " ")
	open, closed := 0, 0
	for _, p := range procs {
		if !strings.Contains(text, p.Code) {
			t.Errorf("notice lacks %s", p.Code)
		}
		if p.Deployed() {
			open++
		} else {
			closed++
		}
	}
	for _, want := range []string{"DANH MỤC THỦ TỤC HÀNH CHÍNH TIẾP NHẬN HỒ SƠ, TRẢ KẾT QUẢ QUA DỊCH VỤ BƯU CHÍNH CÔNG ÍCH",
		"BƯU ĐIỆN VĂN HÓA XÃ IA O", "Hộ tịch", "Đất đai", "Chứng thực", "Đường dây nóng: 1900 54 54 81",
		"A. Thủ tục tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích (" + strconv.Itoa(open) + " thủ tục)",
		"B. Thủ tục không thực hiện tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích (" + strconv.Itoa(closed) + " thủ tục)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	// every closed procedure is listed after the heading of part B
	b0 := strings.Index(flat, "B. Thủ tục không")
	for _, p := range procs {
		if i := strings.Index(flat, p.Code+" "); !p.Deployed() && i < b0 {
			t.Errorf("closed procedure %s listed before part B", p.Code)
		}
	}
}

func TestChartPNG(t *testing.T) {
	r := Compute(small(), Grouping{})
	b, err := Chart(r, vi(t))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	wantW := int(math.Round(ChartWidthMM / 25.4 * ChartDPI))
	if w := img.Bounds().Dx(); w < wantW-2 || w > wantW+2 {
		t.Errorf("chart width %d px, want %d", w, wantW)
	}
	// the first figure's colour is drawn (its line)
	c := chartColors[0]
	found := false
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y && !found; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("the chart has no line in the first figure's colour")
	}
}

func TestQualityHandComputed(t *testing.T) {
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, domain.Zone) }
	// Friday 06/03/2026: the first working day after it is Monday 09/03
	tl := []Timeline{
		// handed over Monday 10:00: within one working day; 2.0 days result; delivered first time
		{Unit: "600900", Procedure: "P1", Intake: at(6, 10), FirstHandover: at(9, 10), LastHandover: at(9, 10), ResultReady: at(11, 10),
			ResultAtPost: at(12, 8), Delivered: at(12, 14)},
		// handed over Tuesday: late; delivered after one failed attempt
		{Unit: "600900", Procedure: "P1", Intake: at(6, 11), FirstHandover: at(10, 11), LastHandover: at(10, 11), ResultReady: at(14, 11),
			ResultAtPost: at(16, 8), Delivered: at(17, 8), Failed: 1},
		// not handed over, deadline passed: counts against
		{Unit: "600900", Procedure: "P2", Intake: at(2, 9)},
		// cancelled before the handover: left out
		{Unit: "600900", Procedure: "P2", Intake: at(3, 9), Cancelled: at(3, 10)},
		// sent back undelivered: a delivery that ended not on the first attempt
		{Unit: "600900", Procedure: "P2", ResultReady: at(4, 9), ResultAtPost: at(5, 9), Returned: at(20, 9), Failed: 3},
		// taken in yesterday, not yet handed over, deadline not passed: left out
		{Unit: "600900", Procedure: "P2", Intake: at(30, 9)},
	}
	p := domain.MonthPeriod(2026, time.March)
	q := ComputeQuality(tl, p, calendar.New(), at(31, 8), map[string]string{"P1": "Khai sinh"})
	tot := q.Total
	if tot.IntakeToHandover.N != 2 || math.Abs(tot.IntakeToHandover.Median-(3+4)/2.0) > 1e-9 || math.Abs(tot.IntakeToHandover.P90-4) > 1e-9 {
		t.Errorf("intake→handover %+v", tot.IntakeToHandover)
	}
	if tot.HandoverToResult.N != 2 || tot.HandoverToResult.Median != 3 || tot.HandoverToResult.P90 != 4 {
		t.Errorf("handover→result %+v", tot.HandoverToResult)
	}
	if tot.PostToDelivery.N != 2 || math.Abs(tot.PostToDelivery.P90-1) > 1e-9 {
		t.Errorf("post→delivery %+v", tot.PostToDelivery)
	}
	if tot.HandedOverIn1Day != (Share{Num: 1, Den: 3}) {
		t.Errorf("handed over within a working day %+v", tot.HandedOverIn1Day)
	}
	if tot.FirstAttempt != (Share{Num: 1, Den: 3}) {
		t.Errorf("first attempt %+v", tot.FirstAttempt)
	}
	if len(q.ByProcedure) != 2 || q.ByProcedure[0].Name != "Khai sinh" || q.ByProcedure[0].FirstAttempt != (Share{1, 2}) {
		t.Errorf("by procedure %+v", q.ByProcedure)
	}
	// a holiday on Monday 09/03 moves the deadline to Tuesday: both in time
	hol := []time.Time{time.Date(2026, 3, 9, 0, 0, 0, 0, domain.Zone)}
	q = ComputeQuality(tl, p, calendar.New().WithExtra(hol, calendar.LocalName), at(31, 8), nil)
	if q.Total.HandedOverIn1Day != (Share{Num: 2, Den: 3}) {
		t.Errorf("with a holiday %+v", q.Total.HandedOverIn1Day)
	}
	if s := stat(nil); s != (Stat{}) {
		t.Errorf("empty stat %+v", s)
	}
	if s := stat([]float64{5, 1, 3, 2, 4, 6, 7, 8, 9, 10}); s.Median != 5.5 || s.P90 != 9 {
		t.Errorf("stat of 1..10 %+v", s)
	}
}

// TestPointQualityFromEvents checks the event log reader against the
// projection's own times on the demo seed.
func TestPointQualityFromEvents(t *testing.T) {
	s := newPoint(t, 400)
	p := domain.YearPeriod(2026)
	tl, err := PointTimelines(ctx, s, "600900", p.Start(), p.End())
	if err != nil {
		t.Fatal(err)
	}
	var delivered int64
	for _, x := range tl {
		if !x.Delivered.IsZero() && p.Contains(x.Delivered) {
			delivered++
		}
	}
	want := scalar(t, testtool.DB(t, s.Path()), `SELECT count(*) FROM dossiers WHERE state = 'delivered'
		AND julianday(json_extract(data, '$.delivery.at')) >= julianday(?) AND julianday(json_extract(data, '$.delivery.at')) < julianday(?)`,
		utc(p.Start()), utc(p.End()))
	if delivered != want || want == 0 {
		t.Errorf("timelines delivered in 2026: %d, projection says %d", delivered, want)
	}
	q, err := PointQuality(ctx, s, p)
	if err != nil {
		t.Fatal(err)
	}
	if q.Total.PostToDelivery.N != int(want) || q.Total.FirstAttempt.Den < want || len(q.ByPostPoint) != 1 || q.ByPostPoint[0].Name != "Bưu điện Văn hóa xã Ia O" {
		t.Errorf("quality %+v", q.Total)
	}
}

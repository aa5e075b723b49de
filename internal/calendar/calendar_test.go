package calendar

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
)

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := domain.ParseDate(s, Zone)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tetTable is mùng 1 Tết Nguyên Đán (Vietnam, UTC+7) for 2000–2040, from
// the published table of Hồ Ngọc Đức's "Lịch Việt Nam"
// (https://www.informatik.uni-leipzig.de/~duc/amlich/, years 1800–2199),
// the same dates as the table in Vietnamese Wikipedia's "Tết Nguyên Đán".
var tetTable = map[int]string{
	2000: "05/02", 2001: "24/01", 2002: "12/02", 2003: "01/02", 2004: "22/01",
	2005: "09/02", 2006: "29/01", 2007: "17/02", 2008: "07/02", 2009: "26/01",
	2010: "14/02", 2011: "03/02", 2012: "23/01", 2013: "10/02", 2014: "31/01",
	2015: "19/02", 2016: "08/02", 2017: "28/01", 2018: "16/02", 2019: "05/02",
	2020: "25/01", 2021: "12/02", 2022: "01/02", 2023: "22/01", 2024: "10/02",
	2025: "29/01", 2026: "17/02", 2027: "06/02", 2028: "26/01", 2029: "13/02",
	2030: "02/02", 2031: "23/01", 2032: "11/02", 2033: "31/01", 2034: "19/02",
	2035: "08/02", 2036: "28/01", 2037: "15/02", 2038: "04/02", 2039: "24/01",
	2040: "12/02",
}

func TestTetEveryYear2000To2040(t *testing.T) {
	for y := 2000; y <= 2040; y++ {
		want, ok := tetTable[y]
		if !ok {
			t.Fatalf("table lacks %d", y)
		}
		if got := domain.FormatDate(Tet(y)); got != want+"/"+itoa(y) {
			t.Errorf("Tết %d: %s, table says %s/%d", y, got, want, y)
		}
		// and back: the day is lunar 1/1 of year y
		tt := Tet(y)
		if l := Lunar(tt.Year(), tt.Month(), tt.Day(), VietnamZone); l != (LunarDate{Day: 1, Month: 1, Year: y}) {
			t.Errorf("Tết %d reads back as %+v", y, l)
		}
	}
}

func itoa(n int) string { return time.Date(n, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") }

// TestVietnamAndChinaDiffer: the same algorithm in UTC+8 gives the Chinese
// New Year, which in some years is not Tết. Dates from the same tables
// (Chinese: Hong Kong Observatory's Gregorian–lunar tables).
func TestVietnamAndChinaDiffer(t *testing.T) {
	cases := []struct {
		year   int
		vn, cn string
	}{
		{1985, "21/01/1985", "20/02/1985"}, // a month apart (the 1984–85 leap month)
		{2007, "17/02/2007", "18/02/2007"}, // the new moon fell between 16:00 and 17:00 UTC
		{2030, "02/02/2030", "03/02/2030"}, // the new moon at 16:07 UTC on 02/02/2030
		{2026, "17/02/2026", "17/02/2026"}, // most years agree
	}
	for _, c := range cases {
		vn, _ := Solar(LunarDate{Day: 1, Month: 1, Year: c.year}, VietnamZone)
		cn, _ := Solar(LunarDate{Day: 1, Month: 1, Year: c.year}, 8)
		if domain.FormatDate(vn) != c.vn || domain.FormatDate(cn) != c.cn {
			t.Errorf("%d: Vietnam %s China %s, want %s and %s", c.year, domain.FormatDate(vn), domain.FormatDate(cn), c.vn, c.cn)
		}
	}
}

// TestHungKings: Giỗ Tổ, 10/3 lunar, as the government announced it each year.
func TestHungKings(t *testing.T) {
	for y, want := range map[int]string{
		2019: "14/04/2019", 2020: "02/04/2020", 2021: "21/04/2021", 2022: "10/04/2022",
		2023: "29/04/2023", 2024: "18/04/2024", 2025: "07/04/2025", 2026: "26/04/2026",
	} {
		if got := domain.FormatDate(HungKings(y)); got != want {
			t.Errorf("Giỗ Tổ %d: %s, want %s", y, got, want)
		}
	}
}

// TestLeapMonth: 2023 had a leap 2nd month (tháng 2 nhuận, 20/03–18/04/2023).
func TestLeapMonth(t *testing.T) {
	if l := Lunar(2023, 3, 22, VietnamZone); l != (LunarDate{Day: 1, Month: 2, Year: 2023, Leap: true}) {
		t.Errorf("22/03/2023 is %+v, want 1/2 nhuận 2023", l)
	}
	if _, ok := Solar(LunarDate{Day: 1, Month: 5, Year: 2023, Leap: true}, VietnamZone); ok {
		t.Error("2023 has no leap 5th month")
	}
}

func TestAppointmentAcrossHolidays(t *testing.T) {
	c := Embedded()
	cases := []struct {
		name       string
		from       string
		proc, tran int
		want       string
		complete   bool
	}{
		// done-when: Tết 2027 is 06/02 (a Saturday): the usual five days
		// are 05/02–09/02, and 06/02, 07/02 are compensated on 10/02, 11/02;
		// 02–04/02 are days 1–3, 12/02 day 4, 15/02 day 5
		{"intake 01/02/2027 across Tết", "01/02/2027", 3, 2, "15/02/2027", false},
		// Tết 2026 from the shipped file: 16/02–20/02 off, weekends around
		{"intake 13/02/2026 across Tết", "13/02/2026", 1, 0, "23/02/2026", true},
		// 2026: Giỗ Tổ Sunday 26/04 → Monday 27/04 off; 30/04 Thu, 01/05 Fri
		// 27/04 day off, 28, 29 days 1–2, 30/04–03/05 off, 04/05 day 3
		{"intake 24/04/2026 across Giỗ Tổ and 30/4–1/5", "24/04/2026", 3, 0, "04/05/2026", true},
		// 2026: 01/09 (file) and 02/09 off
		{"intake 31/08/2026 across 2/9", "31/08/2026", 1, 1, "04/09/2026", true},
		// 2027 without a file: 02/09 is a Thursday, so the usual neighbour is 03/09
		{"intake 01/09/2027 across 2/9", "01/09/2027", 1, 0, "06/09/2027", false},
		// 2025 without a file: 01/01/2025 Wednesday
		{"intake 31/12/2025 over New Year", "31/12/2025", 1, 0, "02/01/2026", false},
		{"zero days", "01/02/2027", 0, 0, "01/02/2027", false},
	}
	for _, cs := range cases {
		a := c.Appointment(date(t, cs.from).Add(9*time.Hour), cs.proc, cs.tran)
		if got := domain.FormatDate(a.Date); got != cs.want || a.Complete() != cs.complete {
			t.Errorf("%s: %s (complete %v, unloaded %v), want %s (complete %v)", cs.name, got, a.Complete(), a.Unloaded, cs.want, cs.complete)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := Embedded()
	// Friday 13/02/2026 to Monday 23/02/2026: only 23/02 works
	if n := c.WorkingDaysBetween(date(t, "13/02/2026"), date(t, "23/02/2026")); n != 1 {
		t.Errorf("13/02–23/02/2026: %d working days, want 1", n)
	}
	if n := c.WorkingDaysBetween(date(t, "23/02/2026"), date(t, "13/02/2026")); n != 0 {
		t.Errorf("backwards: %d", n)
	}
}

const file2027 = `# a decision as a supervisor would type it
nam 2027
nguon Quyết định thử nghiệm
tet 04/02/2027 05/02/2027 06/02/2027 07/02/2027 08/02/2027
quoc-khanh 03/09/2027
nghi 09/02/2027 Nghỉ hoán đổi
lam 20/02/2027 Làm bù cho 09/02
`

func TestYearFileOverridesAndRoundTrips(t *testing.T) {
	dir := t.TempDir()
	f, err := Install(dir, []byte(file2027))
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(Format(f))
	if err != nil || len(again.Tet) != 5 || again.NationalDay != f.NationalDay || len(again.Off) != 1 || len(again.Work) != 1 {
		t.Fatalf("round trip %+v %v", again, err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := c.File(2027); !ok || got.Origin != filepath.Join(dir, "2027.txt") {
		t.Fatalf("2027 not loaded from the data folder: %+v", got)
	}
	// Tết 04/02 Thu … 08/02 Mon; 06–07/02 fall on the weekend and 09/02 is
	// already off (the swap), so they are compensated on 10/02 and 11/02;
	// Saturday 20/02 is worked
	if c.IsWorkingDay(date(t, "10/02/2027")) || c.IsWorkingDay(date(t, "11/02/2027")) || !c.IsWorkingDay(date(t, "12/02/2027")) {
		t.Error("compensation days of 2027 wrong")
	}
	if !c.IsWorkingDay(date(t, "20/02/2027")) {
		t.Error("make-up Saturday 20/02/2027 not worked")
	}
	// 02, 03/02 days 1–2; 04–11/02 off; 12, 15, 16/02 days 3–5
	a := c.Appointment(date(t, "01/02/2027"), 3, 2)
	if !a.Complete() || domain.FormatDate(a.Date) != "16/02/2027" {
		t.Errorf("with the 2027 file: %s complete %v", domain.FormatDate(a.Date), a.Complete())
	}
	// the shipped 2026 file is still there
	if _, ok := c.File(2026); !ok {
		t.Error("the shipped 2026 file was lost")
	}
	// a broken file in the data folder is an error naming it, not a skip
	if err := os.WriteFile(filepath.Join(dir, "2028.txt"), []byte("year 2028\ntet 01/01/2028\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var fe *FileError
	if _, err := Load(dir); !errors.As(err, &fe) || !strings.HasSuffix(fe.Path, "2028.txt") {
		t.Errorf("broken file: %v", err)
	}
}

func TestYearFileRefusals(t *testing.T) {
	cases := []struct {
		name, text, key, line string
	}{
		{"no year first", "tet 05/02/2027\n", "err.calendar.year_first", "line 1"},
		{"bad year", "year 20x7\n", "err.calendar.year", "line 1"},
		{"unknown word", "year 2027\nholiday 01/01/2027\n", "err.calendar.keyword", "line 2"},
		{"four Tết days", "year 2027\ntet 05/02/2027 06/02/2027 07/02/2027 08/02/2027\n", "err.calendar.tet_count", "line 2"},
		{"Tết without mùng 1", "year 2027\ntet 01/02/2027 02/02/2027 03/02/2027 04/02/2027 05/02/2027\n", "err.calendar.tet_first", "line 2"},
		{"Tết far off", "year 2027\ntet 05/02/2027 06/02/2027 07/02/2027 08/02/2027 28/02/2027\n", "err.calendar.tet_far", "line 2"},
		{"other year", "year 2027\noff 01/01/2026\n", "err.calendar.other_year", "line 2"},
		{"bad date", "year 2027\noff 31/02/2027\n", "err.calendar.date", "line 2"},
		{"2/9 neighbour", "year 2027\nnational-day 04/09/2027\n", "err.calendar.national_day", "line 2"},
		{"work on a law day", "year 2027\nwork 30/04/2027\n", "err.calendar.work_on_law_day", "line 2"},
		{"same day twice", "year 2027\noff 10/02/2027\nwork 10/02/2027\n", "err.calendar.day_twice", "line 3"},
		{"no Tết", "year 2027\nnational-day 03/09/2027\n", "err.calendar.no_tet", "file"},
		{"no 2/9 neighbour", "year 2027\ntet 05/02/2027 06/02/2027 07/02/2027 08/02/2027 09/02/2027\n", "err.calendar.no_national_day", "file"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.text))
		var fe *domain.FieldError
		if !errors.As(err, &fe) || fe.Key != c.key || fe.Field != c.line {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.key, c.line)
		}
	}
	if _, err := Load(""); err != nil {
		t.Errorf("shipped files: %v", err)
	}
}

func TestHolidaysListsTheLaw(t *testing.T) {
	var names []string
	for _, h := range Embedded().Holidays(2026) {
		names = append(names, domain.FormatDate(h.Day.Time())+" "+h.Name)
	}
	got := strings.Join(names, "; ")
	for _, want := range []string{"01/01/2026 Tết Dương lịch", "16/02/2026 Tết Âm lịch", "17/02/2026 Tết Âm lịch", "20/02/2026 Tết Âm lịch",
		"26/04/2026 Giỗ Tổ Hùng Vương", "27/04/2026 Nghỉ bù Giỗ Tổ Hùng Vương", "30/04/2026 Ngày Chiến thắng",
		"01/05/2026 Ngày Quốc tế lao động", "01/09/2026 Quốc khánh", "02/09/2026 Quốc khánh"} {
		if !strings.Contains(got, want) {
			t.Errorf("2026 lacks %q: %s", want, got)
		}
	}
}

package calendar

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
)

// YearFile is the government's decisions for one year (FORMAT.md).
type YearFile struct {
	Year        int
	Source      string // the decision(s) the file follows
	Tet         []Day  // the five days of Tết Âm lịch
	NationalDay Day    // the day next to 02/09 (01/09 or 03/09)
	Off         []Entry
	Work        []Entry
	Origin      string `json:"-"` // where it was loaded from: "embedded" or a path
}

// Entry is a dated line of a year file.
type Entry struct {
	Day  Day
	Name string
}

//go:embed years/*.txt
var shipped embed.FS

// keywords of a year file, English or Vietnamese without marks.
var keywords = map[string]string{
	"year": "year", "nam": "year",
	"source": "source", "nguon": "source",
	"tet":          "tet",
	"national-day": "national-day", "quoc-khanh": "national-day",
	"off": "off", "nghi": "off",
	"work": "work", "lam": "work",
}

func lineErr(n int, key, format string, a ...any) *domain.FieldError {
	return domain.Errf(fmt.Sprintf("line %d", n), key, format, a...).WithArgs("Line", strconv.Itoa(n))
}

// Parse reads a year file; the first mistake is a *domain.FieldError whose
// Field names the line ("line 4").
func Parse(data []byte) (*YearFile, error) {
	if !utf8.Valid(data) {
		return nil, domain.Errf("file", "err.calendar.utf8", "the calendar file is not UTF-8 text")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	f := &YearFile{}
	seen := map[string]int{}
	dated := map[Day]int{}
	date := func(n int, s string) (Day, error) {
		t, err := domain.ParseDate(s, Zone)
		if err != nil {
			return 0, lineErr(n, "err.calendar.date", "%q is not a date dd/mm/yyyy", s).WithArgs("Value", s)
		}
		d := DayOf(t)
		if f.Year != 0 && d.Year() != f.Year {
			return 0, lineErr(n, "err.calendar.other_year", "%s is not in %d", s, f.Year).WithArgs("Value", s, "Year", strconv.Itoa(f.Year))
		}
		return d, nil
	}
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if c := strings.Index(line, "#"); c >= 0 {
			line = strings.TrimSpace(line[:c])
		}
		if line == "" {
			continue
		}
		word, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		kw, ok := keywords[strings.ToLower(word)]
		if !ok {
			return nil, lineErr(n, "err.calendar.keyword", "%q is not a keyword (year, source, tet, national-day, off, work)", word).WithArgs("Value", word)
		}
		if kw != "year" && f.Year == 0 {
			return nil, lineErr(n, "err.calendar.year_first", "the first line must be the year")
		}
		if kw != "off" && kw != "work" {
			if prev, dup := seen[kw]; dup {
				return nil, lineErr(n, "err.calendar.twice", "%s is already on line %d", word, prev).WithArgs("Value", word, "Prev", strconv.Itoa(prev))
			}
			seen[kw] = n
		}
		switch kw {
		case "year":
			y, err := strconv.Atoi(rest)
			if err != nil || y < 1900 || y > 2199 {
				return nil, lineErr(n, "err.calendar.year", "%q is not a year from 1900 to 2199", rest).WithArgs("Value", rest)
			}
			f.Year = y
		case "source":
			f.Source = rest
		case "tet":
			fields := strings.Fields(rest)
			if len(fields) != 5 {
				return nil, lineErr(n, "err.calendar.tet_count", "Tết has 5 days (Labour Code Art. 112), the line has %d", len(fields)).
					WithArgs("N", strconv.Itoa(len(fields)))
			}
			first := DayOf(Tet(f.Year))
			hasFirst := false
			for _, s := range fields {
				d, err := date(n, s)
				if err != nil {
					return nil, err
				}
				if gap := d.Time().Sub(first.Time()); gap < -10*24*time.Hour || gap > 10*24*time.Hour {
					return nil, lineErr(n, "err.calendar.tet_far", "%s is not near Tết (mùng 1 is %s)", s, domain.FormatDate(first.Time())).
						WithArgs("Value", s, "Tet", domain.FormatDate(first.Time()))
				}
				if slicesContains(f.Tet, d) {
					return nil, lineErr(n, "err.calendar.tet_twice", "%s is listed twice", s).WithArgs("Value", s)
				}
				hasFirst = hasFirst || d == first
				f.Tet = append(f.Tet, d)
			}
			if !hasFirst {
				return nil, lineErr(n, "err.calendar.tet_first", "Tết must include mùng 1, %s", domain.FormatDate(first.Time())).
					WithArgs("Tet", domain.FormatDate(first.Time()))
			}
			sort.Slice(f.Tet, func(i, j int) bool { return f.Tet[i] < f.Tet[j] })
		case "national-day":
			d, err := date(n, rest)
			if err != nil {
				return nil, err
			}
			if d != dayOf(f.Year, 9, 1) && d != dayOf(f.Year, 9, 3) {
				return nil, lineErr(n, "err.calendar.national_day", "the day next to 02/09 is 01/09 or 03/09, not %s", rest).WithArgs("Value", rest)
			}
			f.NationalDay = d
		case "off", "work":
			ds, name, _ := strings.Cut(rest, " ")
			d, err := date(n, ds)
			if err != nil {
				return nil, err
			}
			if prev, dup := dated[d]; dup {
				return nil, lineErr(n, "err.calendar.day_twice", "%s is already on line %d", ds, prev).WithArgs("Value", ds, "Prev", strconv.Itoa(prev))
			}
			dated[d] = n
			e := Entry{Day: d, Name: strings.TrimSpace(name)}
			if kw == "work" {
				for _, h := range LawHolidays(f.Year) {
					if h.Day == d {
						return nil, lineErr(n, "err.calendar.work_on_law_day", "%s is %s, a holiday no decision moves", ds, h.Name).
							WithArgs("Value", ds, "Name", h.Name)
					}
				}
				f.Work = append(f.Work, e)
			} else {
				f.Off = append(f.Off, e)
			}
		}
	}
	if f.Year == 0 {
		return nil, domain.Errf("file", "err.calendar.no_year", "the calendar file names no year")
	}
	if f.Tet == nil {
		return nil, domain.Errf("file", "err.calendar.no_tet", "the calendar file lists no Tết days (line tet)")
	}
	if f.NationalDay == 0 {
		return nil, domain.Errf("file", "err.calendar.no_national_day", "the calendar file names no day next to 02/09 (line national-day)")
	}
	for _, w := range f.Work {
		if slicesContains(f.Tet, w.Day) || w.Day == f.NationalDay {
			return nil, domain.Errf("file", "err.calendar.work_on_holiday", "%s is both a holiday and a working day", domain.FormatDate(w.Day.Time())).
				WithArgs("Value", domain.FormatDate(w.Day.Time()))
		}
	}
	return f, nil
}

func slicesContains(ds []Day, d Day) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// Format writes f in the file format, so Parse(Format(f)) is f.
func Format(f *YearFile) []byte {
	var b strings.Builder
	date := func(d Day) string { return domain.FormatDate(d.Time()) }
	fmt.Fprintf(&b, "# PostDesk calendar file (internal/calendar/FORMAT.md)\nyear %d\n", f.Year)
	if f.Source != "" {
		fmt.Fprintf(&b, "source %s\n", f.Source)
	}
	b.WriteString("tet")
	for _, d := range f.Tet {
		b.WriteString(" " + date(d))
	}
	fmt.Fprintf(&b, "\nnational-day %s\n", date(f.NationalDay))
	for _, e := range f.Off {
		fmt.Fprintf(&b, "off %s %s\n", date(e.Day), e.Name)
	}
	for _, e := range f.Work {
		fmt.Fprintf(&b, "work %s %s\n", date(e.Day), e.Name)
	}
	return []byte(b.String())
}

// Embedded is the calendar of the year files shipped with PostDesk.
func Embedded() *Calendar {
	c, err := Load("")
	if err != nil {
		panic("calendar: a shipped year file is broken: " + err.Error()) // caught by TestShippedFiles
	}
	return c
}

// FileName is the name of year y's file in a calendar folder.
func FileName(y int) string { return strconv.Itoa(y) + ".txt" }

// Load makes the calendar of the shipped year files and those in dir
// (the data folder's calendar/; "" or a missing folder: none), a file in
// dir replacing the shipped one of its year. A file in dir that does not
// parse, or whose name is not its year, is an error naming it: a
// supervisor's mistake is never silently skipped.
func Load(dir string) (*Calendar, error) {
	var files []*YearFile
	names, _ := fs.Glob(shipped, "years/*.txt")
	for _, name := range names {
		data, err := shipped.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parseNamed(filepath.Base(name), data)
		if err != nil {
			return nil, fmt.Errorf("shipped %s: %w", name, err)
		}
		f.Origin = "embedded"
		files = append(files, f)
	}
	if dir != "" {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".txt") {
				continue
			}
			path := filepath.Join(dir, e.Name())
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, err
			}
			f, err := parseNamed(e.Name(), data)
			if err != nil {
				return nil, &FileError{Path: path, Err: err}
			}
			f.Origin = path
			files = append(files, f)
		}
	}
	return New(files...), nil
}

// FileError is a year file in the data folder that cannot be used.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

func parseNamed(name string, data []byte) (*YearFile, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if name != FileName(f.Year) {
		return nil, domain.Errf("file", "err.calendar.file_name", "a file for %d must be named %s, not %s", f.Year, FileName(f.Year), name).
			WithArgs("Year", strconv.Itoa(f.Year), "Want", FileName(f.Year), "Value", name)
	}
	return f, nil
}

// Install checks a year file and writes it into dir as FileName(year),
// atomically (internal/atomicfile: a synced temporary file renamed over the
// old one), replacing the file of that year. It returns the parsed file.
func Install(dir string, data []byte) (*YearFile, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, FileName(f.Year)), 0o644, data); err != nil {
		return nil, err
	}
	return f, nil
}

// LocalName names the days off a post point adds in its settings.
const LocalName = "Ngày nghỉ của địa phương"

// LoadLocal is Load(dir) with the settings' own days off (dd/mm/yyyy,
// domain.ParseHolidays) added on top.
func LoadLocal(dir string, holidays []string) (*Calendar, error) {
	c, err := Load(dir)
	if err != nil {
		return nil, err
	}
	days, err := domain.ParseHolidays(holidays)
	if err != nil {
		return nil, err
	}
	return c.WithExtra(days, LocalName), nil
}

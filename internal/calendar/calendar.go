// Package calendar is the official working-day calendar of Vietnam that
// appointment dates and service-quality figures count in. It has no UI and
// no SQL.
//
// # What is a day off
//
// Saturdays and Sundays (the weekly rest of state agencies), and the public
// holidays of the Labour Code 2019 (Bộ luật Lao động số 45/2019/QH14),
// Article 112(1):
//
//	a) Tết Dương lịch: 01 ngày (ngày 01 tháng 01 dương lịch);
//	b) Tết Âm lịch: 05 ngày;
//	c) Ngày Chiến thắng: 01 ngày (ngày 30 tháng 4 dương lịch);
//	d) Ngày Quốc tế lao động: 01 ngày (ngày 01 tháng 5 dương lịch);
//	đ) Quốc khánh: 02 ngày (ngày 02 tháng 9 dương lịch và 01 ngày liền kề
//	   trước hoặc sau);
//	e) Ngày Giỗ Tổ Hùng Vương: 01 ngày (ngày 10 tháng 3 âm lịch).
//
// Lunar dates (Tết, Giỗ Tổ) are computed for any year from the Vietnamese
// lunar calendar (lunar.go, UTC+7), never typed in. And Article 111(3): a
// holiday that falls on a weekly rest day gives a day off on the next
// working day (nghỉ bù); the calendar computes those too.
//
// Which four days around mùng 1 make the five days of Tết, and which day
// next to 02/09 is off, the Prime Minister decides each year; the
// government may also swap working days and set make-up Saturdays. Those
// decisions are data: a calendar file per year (FORMAT.md), shipped in
// years/ for the years they are known, and loaded from the data folder's
// calendar/ sub-folder, which overrides the shipped file of the same year
// (a supervisor edits it with `postdesk calendar`; the hub can later send
// the same files). For a year without a file the calendar uses the usual
// pattern — the last day of the lunar year and mùng 1 to mùng 4, and the
// weekday next to 02/09 that joins a weekend (else 01/09) — and says so:
// Appointment reports the years it had no file for, and the receipt then
// states that the government's calendar for that year is not loaded
// instead of claiming its holidays were skipped.
package calendar

import (
	"sort"
	"time"

	"postdesk/internal/domain"
)

// Zone is Vietnam time: every day here is a calendar day in it.
var Zone = domain.Zone

// Day is a calendar day, yyyymmdd.
type Day int

// DayOf is t's calendar day in Vietnam.
func DayOf(t time.Time) Day {
	y, m, d := t.In(Zone).Date()
	return Day(y*10000 + int(m)*100 + d)
}

// Time is the day at 00:00 in Vietnam.
func (d Day) Time() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, Zone)
}

// Year is the day's year.
func (d Day) Year() int { return int(d) / 10000 }

func dayOf(y int, m time.Month, d int) Day { return DayOf(time.Date(y, m, d, 0, 0, 0, 0, Zone)) }

// Holiday is a day off other than a plain Saturday or Sunday.
type Holiday struct {
	Day  Day
	Name string // Vietnamese, as the law or the decision names it
}

// Calendar answers which days are working days. The zero value is not
// usable; make one with New, Embedded or Load.
type Calendar struct {
	files map[int]*YearFile
	extra map[Day]string // local days off (settings), on top of everything
	years map[int]*year  // computed years, filled lazily
}

// year is one computed year: its days off and its working weekend days.
type year struct {
	off  map[Day]string
	work map[Day]string
}

// New makes a calendar from year files (later files replace earlier ones
// of the same year).
func New(files ...*YearFile) *Calendar {
	c := &Calendar{files: map[int]*YearFile{}, extra: map[Day]string{}}
	for _, f := range files {
		if f != nil {
			c.files[f.Year] = f
		}
	}
	return c
}

// WithExtra returns a copy of c with local days off added (e.g. a
// province's own holiday, from the settings).
func (c *Calendar) WithExtra(days []time.Time, name string) *Calendar {
	n := &Calendar{files: c.files, extra: map[Day]string{}}
	for k, v := range c.extra {
		n.extra[k] = v
	}
	for _, d := range days {
		n.extra[DayOf(d)] = name
	}
	return n
}

// File returns the year file loaded for year y, if any.
func (c *Calendar) File(y int) (*YearFile, bool) {
	f, ok := c.files[y]
	return f, ok
}

// Years lists the years with a loaded file, in order.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.files))
	for y := range c.files {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

func (c *Calendar) year(y int) *year {
	if c.years == nil {
		c.years = map[int]*year{}
	}
	if yr, ok := c.years[y]; ok {
		return yr
	}
	yr := compute(y, c.files[y])
	c.years[y] = yr
	return yr
}

// Holidays lists the days off of year y other than plain weekends, in
// order: the law's, the year file's (or the usual pattern) and the
// compensatory days, then the local extra days.
func (c *Calendar) Holidays(y int) []Holiday {
	yr := c.year(y)
	var out []Holiday
	for d, n := range yr.off {
		out = append(out, Holiday{d, n})
	}
	for d, n := range c.extra {
		if _, dup := yr.off[d]; !dup && d.Year() == y {
			out = append(out, Holiday{d, n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out
}

// IsWorkingDay reports whether t's day in Vietnam is a working day.
func (c *Calendar) IsWorkingDay(t time.Time) bool { return c.isWorking(DayOf(t)) }

func (c *Calendar) isWorking(d Day) bool {
	if _, ok := c.extra[d]; ok {
		return false
	}
	yr := c.year(d.Year())
	if _, ok := yr.work[d]; ok {
		return true
	}
	if _, ok := yr.off[d]; ok {
		return false
	}
	wd := d.Time().Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// maxWorkingDays bounds a count so that a corrupt catalog figure cannot
// freeze the desk: ten years of working days is far beyond any procedure.
const maxWorkingDays = 2600

// AddWorkingDays is the n-th working day after from's day (from's day
// itself is never counted: the dossier arrives during it), at 00:00 in
// Vietnam; n <= 0 gives from's day.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	day := DayOf(from).Time()
	n = min(n, maxWorkingDays)
	for n > 0 {
		// AddDate at midnight in a zone without daylight saving always
		// lands on the next midnight.
		day = day.AddDate(0, 0, 1)
		if c.isWorking(DayOf(day)) {
			n--
		}
	}
	return day
}

// WorkingDaysBetween counts the working days after a's day up to and
// including b's day (0 when b is not after a).
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	from, to := DayOf(a).Time(), DayOf(b)
	n := 0
	for d := from.AddDate(0, 0, 1); DayOf(d) <= to; d = d.AddDate(0, 0, 1) {
		if c.isWorking(DayOf(d)) {
			n++
		}
	}
	return n
}

// Appointment is an appointment date and what it was counted with.
type Appointment struct {
	Date time.Time
	// Years are the years the count ran through; Unloaded those of them
	// without a year file (their Tết days, 2/9 neighbour and swapped days
	// follow the usual pattern, not a decision).
	Years    []int
	Unloaded []int
}

// Complete reports whether every year the count ran through had a file.
func (a Appointment) Complete() bool { return len(a.Unloaded) == 0 }

// Appointment is the appointment date promised at intake: processingDays
// of the procedure plus transitDays for the post, counted in working days
// after the day of receipt (so 1 working day from a Friday is the next
// Monday). A total of zero or less gives the day of receipt.
func (c *Calendar) Appointment(from time.Time, processingDays, transitDays int) Appointment {
	n := max(processingDays, 0) + max(transitDays, 0)
	a := Appointment{Date: c.AddWorkingDays(from, n)}
	for y := DayOf(from).Year(); y <= DayOf(a.Date).Year(); y++ {
		a.Years = append(a.Years, y)
		if _, ok := c.files[y]; !ok {
			a.Unloaded = append(a.Unloaded, y)
		}
	}
	return a
}

// Names of the law's holidays (Article 112).
const (
	NameNewYear     = "Tết Dương lịch"
	NameTet         = "Tết Âm lịch"
	NameVictory     = "Ngày Chiến thắng"
	NameLabour      = "Ngày Quốc tế lao động"
	NameNational    = "Quốc khánh"
	NameHungKings   = "Giỗ Tổ Hùng Vương"
	NameCompensated = "Nghỉ bù"
)

// LawHolidays are the days of Article 112 that no decision moves: 01/01,
// mùng 1 Tết, Giỗ Tổ, 30/04, 01/05 and 02/09 of year y.
func LawHolidays(y int) []Holiday {
	out := []Holiday{
		{dayOf(y, 1, 1), NameNewYear},
		{DayOf(Tet(y)), NameTet},
		{DayOf(HungKings(y)), NameHungKings},
		{dayOf(y, 4, 30), NameVictory},
		{dayOf(y, 5, 1), NameLabour},
		{dayOf(y, 9, 2), NameNational},
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out
}

// UsualTet is the five days of Tết as most decisions set them: the last
// day of the lunar year before y's mùng 1, and mùng 1 to mùng 4.
func UsualTet(y int) []Day {
	t := Tet(y)
	out := make([]Day, 5)
	for i := range out {
		out[i] = DayOf(t.AddDate(0, 0, i-1))
	}
	return out
}

// UsualNationalDayNeighbour is the day next to 02/09 of year y most
// decisions pick: 03/09 when it is a Friday or 01/09 a Sunday (the pair
// then joins a weekend), else 01/09.
func UsualNationalDayNeighbour(y int) Day {
	switch time.Date(y, 9, 2, 0, 0, 0, 0, Zone).Weekday() {
	case time.Thursday, time.Monday:
		return dayOf(y, 9, 3)
	}
	return dayOf(y, 9, 1)
}

// compute builds year y from the law, the file f (nil: the usual pattern)
// and Article 111(3).
func compute(y int, f *YearFile) *year {
	yr := &year{off: map[Day]string{}, work: map[Day]string{}}
	for _, h := range LawHolidays(y) {
		yr.off[h.Day] = h.Name
	}
	tet, neighbour := UsualTet(y), UsualNationalDayNeighbour(y)
	if f != nil {
		tet, neighbour = f.Tet, f.NationalDay
	}
	// the law's days that fall on a weekly rest day are compensated
	var legal []Day
	for d := range yr.off {
		legal = append(legal, d)
	}
	for _, d := range tet {
		if _, ok := yr.off[d]; !ok {
			yr.off[d] = NameTet
			legal = append(legal, d)
		}
	}
	if _, ok := yr.off[neighbour]; !ok {
		yr.off[neighbour] = NameNational
		legal = append(legal, neighbour)
	}
	if f != nil {
		for _, e := range f.Off {
			yr.off[e.Day] = e.Name
		}
		for _, e := range f.Work {
			yr.work[e.Day] = e.Name
			delete(yr.off, e.Day)
		}
	}
	sort.Slice(legal, func(i, j int) bool { return legal[i] < legal[j] })
	for _, d := range legal {
		if wd := d.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
			continue
		}
		if _, worked := yr.work[d]; worked {
			continue
		}
		// the next weekday that is neither off nor already compensated
		n := d.Time()
		for {
			n = n.AddDate(0, 0, 1)
			nd := DayOf(n)
			if wd := n.Weekday(); wd == time.Saturday || wd == time.Sunday {
				if _, worked := yr.work[nd]; !worked {
					continue
				}
			}
			if _, taken := yr.off[nd]; taken {
				continue
			}
			if nd.Year() == y { // a compensation into January stays out of reach of this year
				yr.off[nd] = NameCompensated + " " + yr.off[d]
			}
			break
		}
	}
	return yr
}

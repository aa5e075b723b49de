package calendar

import (
	"math"
	"time"
)

// The Vietnamese lunisolar calendar, after Hồ Ngọc Đức's published
// algorithm ("Thuật toán tính âm lịch",
// https://www.informatik.uni-leipzig.de/~duc/amlich/calrules.html): new
// moons and solar terms from Jean Meeus's "Astronomical Algorithms", the
// day of each new moon taken in the time zone given. Vietnam counts in
// UTC+7 (since 1968), China in UTC+8, so the two calendars differ in the
// years a new moon or a solar term falls between 16:00 and 17:00 UTC —
// Tết 1985 came a month apart and Tết 2007 a day apart.

// VietnamZone is the hours east of UTC of the Vietnamese calendar.
const VietnamZone = 7.0

// LunarDate is a day of the lunar calendar. Leap is set in the intercalary
// month (tháng nhuận) that repeats Month.
type LunarDate struct {
	Day, Month, Year int
	Leap             bool
}

func floor(x float64) int { return int(math.Floor(x)) }

// jdFromDate is the Julian day number of a Gregorian date (Julian before
// 15/10/1582).
func jdFromDate(dd, mm, yy int) int {
	a := (14 - mm) / 12
	y := yy + 4800 - a
	m := mm + 12*a - 3
	jd := dd + (153*m+2)/5 + 365*y + y/4 - y/100 + y/400 - 32045
	if jd < 2299161 {
		jd = dd + (153*m+2)/5 + 365*y + y/4 - 32083
	}
	return jd
}

// jdToDate is the Gregorian date of a Julian day number.
func jdToDate(jd int) (dd, mm, yy int) {
	var b, c int
	if jd > 2299160 {
		a := jd + 32044
		b = (4*a + 3) / 146097
		c = a - (b*146097)/4
	} else {
		c = jd + 32082
	}
	d := (4*c + 3) / 1461
	e := c - (1461*d)/4
	m := (5*e + 2) / 153
	dd = e - (153*m+2)/5 + 1
	mm = m + 3 - 12*(m/10)
	yy = b*100 + d - 4800 + m/10
	return dd, mm, yy
}

// newMoon is the Julian date (fractional, UT) of the k-th new moon after
// the one of 01/01/1900.
func newMoon(k int) float64 {
	t := float64(k) / 1236.85
	t2, t3 := t*t, t*t*t
	dr := math.Pi / 180
	sin := math.Sin
	fk := float64(k)
	jd1 := 2415020.75933 + 29.53058868*fk + 0.0001178*t2 - 0.000000155*t3
	jd1 += 0.00033 * sin((166.56+132.87*t-0.009173*t2)*dr)
	m := 359.2242 + 29.10535608*fk - 0.0000333*t2 - 0.00000347*t3
	mpr := 306.0253 + 385.81691806*fk + 0.0107306*t2 + 0.00001236*t3
	f := 21.2964 + 390.67050646*fk - 0.0016528*t2 - 0.00000239*t3
	c1 := (0.1734-0.000393*t)*sin(m*dr) + 0.0021*sin(2*dr*m)
	c1 = c1 - 0.4068*sin(mpr*dr) + 0.0161*sin(dr*2*mpr)
	c1 = c1 - 0.0004*sin(dr*3*mpr)
	c1 = c1 + 0.0104*sin(dr*2*f) - 0.0051*sin(dr*(m+mpr))
	c1 = c1 - 0.0074*sin(dr*(m-mpr)) + 0.0004*sin(dr*(2*f+m))
	c1 = c1 - 0.0004*sin(dr*(2*f-m)) - 0.0006*sin(dr*(2*f+mpr))
	c1 = c1 + 0.0010*sin(dr*(2*f-mpr)) + 0.0005*sin(dr*(2*mpr+m))
	var deltaT float64
	if t < -11 {
		deltaT = 0.001 + 0.000839*t + 0.0002261*t2 - 0.00000845*t3 - 0.000000081*t*t3
	} else {
		deltaT = -0.000278 + 0.000265*t + 0.000262*t2
	}
	return jd1 + c1 - deltaT
}

// newMoonDay is the day number of the k-th new moon in time zone tz.
func newMoonDay(k int, tz float64) int { return floor(newMoon(k) + 0.5 + tz/24) }

// sunLongitude is the sun's apparent longitude, in radians 0..2π, at
// Julian date jdn (UT).
func sunLongitude(jdn float64) float64 {
	t := (jdn - 2451545.0) / 36525
	t2 := t * t
	dr := math.Pi / 180
	m := 357.52910 + 35999.05030*t - 0.0001559*t2 - 0.00000048*t*t2
	l0 := 280.46645 + 36000.76983*t + 0.0003032*t2
	dl := (1.914600 - 0.004817*t - 0.000014*t2) * math.Sin(dr*m)
	dl += (0.019993-0.000101*t)*math.Sin(dr*2*m) + 0.000290*math.Sin(dr*3*m)
	l := (l0 + dl) * dr
	return l - math.Pi*2*math.Floor(l/(math.Pi*2))
}

// sunSector is which of the 12 major solar terms (0..11, 30° each) the
// sun is in at the start of day dayNumber in time zone tz.
func sunSector(dayNumber int, tz float64) int {
	return floor(sunLongitude(float64(dayNumber)-0.5-tz/24) / math.Pi * 6)
}

// lunarMonth11 is the day number of the start of the 11th lunar month
// (the one holding the winter solstice) of year yy.
func lunarMonth11(yy int, tz float64) int {
	off := jdFromDate(31, 12, yy) - 2415021
	k := floor(float64(off) / 29.530588853)
	nm := newMoonDay(k, tz)
	if sunSector(nm, tz) >= 9 {
		nm = newMoonDay(k-1, tz)
	}
	return nm
}

// leapMonthOffset is which month after the 11th month starting on a11 is
// the leap month (the first with no major solar term).
func leapMonthOffset(a11 int, tz float64) int {
	k := floor((float64(a11)-2415021.076998695)/29.530588853 + 0.5)
	i := 1
	arc := sunSector(newMoonDay(k+i, tz), tz)
	for {
		last := arc
		i++
		arc = sunSector(newMoonDay(k+i, tz), tz)
		if arc == last || i >= 14 {
			break
		}
	}
	return i - 1
}

// Lunar is the lunar date of the Gregorian date y-m-d in time zone tz
// (VietnamZone for the Vietnamese calendar).
func Lunar(y int, m time.Month, d int, tz float64) LunarDate {
	day := jdFromDate(d, int(m), y)
	k := floor((float64(day) - 2415021.076998695) / 29.530588853)
	start := newMoonDay(k+1, tz)
	if start > day {
		start = newMoonDay(k, tz)
	}
	a11 := lunarMonth11(y, tz)
	b11 := a11
	var out LunarDate
	if a11 >= start {
		out.Year = y
		a11 = lunarMonth11(y-1, tz)
	} else {
		out.Year = y + 1
		b11 = lunarMonth11(y+1, tz)
	}
	out.Day = day - start + 1
	diff := floor(float64(start-a11) / 29)
	out.Month = diff + 11
	if b11-a11 > 365 {
		leap := leapMonthOffset(a11, tz)
		if diff >= leap {
			out.Month = diff + 10
			out.Leap = diff == leap
		}
	}
	if out.Month > 12 {
		out.Month -= 12
	}
	if out.Month >= 11 && diff < 4 {
		out.Year--
	}
	return out
}

// Solar is the Gregorian date of lunar date l in time zone tz, at 00:00 in
// Vietnam time; ok is false when l.Leap names a month that is not the
// leap month of its year.
func Solar(l LunarDate, tz float64) (time.Time, bool) {
	var a11, b11 int
	if l.Month < 11 {
		a11, b11 = lunarMonth11(l.Year-1, tz), lunarMonth11(l.Year, tz)
	} else {
		a11, b11 = lunarMonth11(l.Year, tz), lunarMonth11(l.Year+1, tz)
	}
	k := floor(0.5 + (float64(a11)-2415021.076998695)/29.530588853)
	off := l.Month - 11
	if off < 0 {
		off += 12
	}
	if b11-a11 > 365 {
		leapOff := leapMonthOffset(a11, tz)
		leapMonth := leapOff - 2
		if leapMonth < 0 {
			leapMonth += 12
		}
		if l.Leap && l.Month != leapMonth {
			return time.Time{}, false
		}
		if l.Leap || off >= leapOff {
			off++
		}
	} else if l.Leap {
		return time.Time{}, false
	}
	dd, mm, yy := jdToDate(newMoonDay(k+off, tz) + l.Day - 1)
	return time.Date(yy, time.Month(mm), dd, 0, 0, 0, 0, Zone), true
}

// Tet is mùng 1 Tết, the first day of lunar year y, in Vietnam.
func Tet(y int) time.Time {
	t, _ := Solar(LunarDate{Day: 1, Month: 1, Year: y}, VietnamZone)
	return t
}

// HungKings is Giỗ Tổ Hùng Vương, the 10th day of the 3rd lunar month of
// lunar year y (never a leap month's), in Vietnam.
func HungKings(y int) time.Time {
	t, _ := Solar(LunarDate{Day: 10, Month: 3, Year: y}, VietnamZone)
	return t
}

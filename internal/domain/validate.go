package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Validators for the codes and numbers a clerk types or scans. Each returns a
// *FieldError whose Key names the precise reason (see i18n/vi.json); the
// Field is a generic name ("citizen_id", "phone", …) that callers rename with
// In(field).

// ---------------------------------------------------------------- citizen ID

// ProvinceCodes maps the 3-digit province code that opens a 12-digit citizen
// ID (CCCD, personal identification number) to the province that issued it:
// the 63 codes of the Ministry of Public Security's list. IDs keep the code
// of the province of birth registration even after the 2025 merger of
// provinces, so this list stays as it is. Treat it as read-only.
var ProvinceCodes = map[string]string{
	"001": "Hà Nội",
	"002": "Hà Giang",
	"004": "Cao Bằng",
	"006": "Bắc Kạn",
	"008": "Tuyên Quang",
	"010": "Lào Cai",
	"011": "Điện Biên",
	"012": "Lai Châu",
	"014": "Sơn La",
	"015": "Yên Bái",
	"017": "Hòa Bình",
	"019": "Thái Nguyên",
	"020": "Lạng Sơn",
	"022": "Quảng Ninh",
	"024": "Bắc Giang",
	"025": "Phú Thọ",
	"026": "Vĩnh Phúc",
	"027": "Bắc Ninh",
	"030": "Hải Dương",
	"031": "Hải Phòng",
	"033": "Hưng Yên",
	"034": "Thái Bình",
	"035": "Hà Nam",
	"036": "Nam Định",
	"037": "Ninh Bình",
	"038": "Thanh Hóa",
	"040": "Nghệ An",
	"042": "Hà Tĩnh",
	"044": "Quảng Bình",
	"045": "Quảng Trị",
	"046": "Thừa Thiên Huế",
	"048": "Đà Nẵng",
	"049": "Quảng Nam",
	"051": "Quảng Ngãi",
	"052": "Bình Định",
	"054": "Phú Yên",
	"056": "Khánh Hòa",
	"058": "Ninh Thuận",
	"060": "Bình Thuận",
	"062": "Kon Tum",
	"064": "Gia Lai",
	"066": "Đắk Lắk",
	"067": "Đắk Nông",
	"068": "Lâm Đồng",
	"070": "Bình Phước",
	"072": "Tây Ninh",
	"074": "Bình Dương",
	"075": "Đồng Nai",
	"077": "Bà Rịa – Vũng Tàu",
	"079": "TP. Hồ Chí Minh",
	"080": "Long An",
	"082": "Tiền Giang",
	"083": "Bến Tre",
	"084": "Trà Vinh",
	"086": "Vĩnh Long",
	"087": "Đồng Tháp",
	"089": "An Giang",
	"091": "Kiên Giang",
	"092": "Cần Thơ",
	"093": "Hậu Giang",
	"094": "Sóc Trăng",
	"095": "Bạc Liêu",
	"096": "Cà Mau",
}

// CitizenID is a checked citizen ID number.
//
// For a 12-digit CCCD: Province is the 3-digit code (a key of ProvinceCodes),
// Male and Century come from the 4th digit (Century is the first year of the
// century of birth: 1900 or 2000), and BirthYear() adds the 5th and 6th
// digits. For a 9-digit ID card of the old kind (CMND) Legacy is true and
// nothing else is decoded.
type CitizenID struct {
	Number   string // digits only
	Legacy   bool   // a 9-digit CMND
	Province string // e.g. "064"; "" when Legacy
	Male     bool
	Century  int // 1900, 2000; 0 when Legacy
}

// BirthYear is the year of birth written in a 12-digit ID; 0 for a legacy ID.
func (c CitizenID) BirthYear() int {
	if c.Legacy || len(c.Number) != 12 {
		return 0
	}
	return c.Century + int(c.Number[4]-'0')*10 + int(c.Number[5]-'0')
}

// ProvinceName is the name of the issuing province; "" for a legacy ID.
func (c CitizenID) ProvinceName() string { return ProvinceCodes[c.Province] }

// MaxAge is the oldest a living holder of a citizen ID can be, in years:
// a number whose birth year is further back is a typing mistake.
const MaxAge = 120

// ParseCitizenID checks a citizen ID number. Spaces (and dots or dashes that
// people type between groups) are removed. A 12-digit number must start with
// a real province code; its 4th digit gives sex and century (Circular
// 59/2021/TT-BCA Art. 7: 0/1 man/woman born 1900–1999, 2/3 2000–2099, 4/5
// 2100s, 6/7 2200s, 8/9 1800s) and the 5th and 6th the year. A birth year
// still to come (a 2100s digit, or 2000s and a year after this one) or one
// that makes the holder older than MaxAge (an 1800s digit, or 1900s and a
// year more than 120 years back) is refused, with that reason.
// When birthYear > 0 it must equal the year written in the number.
// A 9-digit number is accepted as an old ID card (Legacy). Errors are
// *FieldError on field "citizen_id" with keys err.cccd.*.
func ParseCitizenID(s string, birthYear int) (CitizenID, error) {
	return parseCitizenID(s, birthYear, time.Now().In(Zone).Year())
}

func parseCitizenID(s string, birthYear, thisYear int) (CitizenID, error) {
	const field = "citizen_id"
	num := stripChars(s, " \t\r\n\u00a0.-")
	if num == "" {
		return CitizenID{}, Errf(field, "err.cccd.empty", "citizen ID number is missing")
	}
	if !AllDigits(num) {
		return CitizenID{}, Errf(field, "err.cccd.digits", "citizen ID number %q must contain digits only", s)
	}
	switch len(num) {
	case 9:
		return CitizenID{Number: num, Legacy: true}, nil
	case 12:
	default:
		n := strconv.Itoa(len(num))
		return CitizenID{}, Errf(field, "err.cccd.length",
			"citizen ID number must have 12 digits (9 for an old ID card), not %d", len(num)).WithArgs("Length", n)
	}
	id := CitizenID{Number: num, Province: num[:3]}
	if _, ok := ProvinceCodes[id.Province]; !ok {
		return CitizenID{}, Errf(field, "err.cccd.province",
			"%s (the first 3 digits) is not a province code", id.Province).WithArgs("Code", id.Province)
	}
	g := int(num[3] - '0')
	id.Male = g%2 == 0
	id.Century = [...]int{1900, 2000, 2100, 2200, 1800}[g/2]
	born := id.BirthYear()
	args := []string{"Digit", num[3:4], "Year", strconv.Itoa(born), "Century", strconv.Itoa(id.Century),
		"CenturyEnd", strconv.Itoa(id.Century + 99), "ThisYear", strconv.Itoa(thisYear), "Max", strconv.Itoa(MaxAge)}
	if born > thisYear {
		return CitizenID{}, Errf(field, "err.cccd.future",
			"the ID number says born in %d (4th digit %d: %d–%d), a year still to come", born, g, id.Century, id.Century+99).WithArgs(args...)
	}
	if thisYear-born > MaxAge {
		return CitizenID{}, Errf(field, "err.cccd.too_old",
			"the ID number says born in %d (4th digit %d: %d–%d): older than %d", born, g, id.Century, id.Century+99, MaxAge).WithArgs(args...)
	}
	if birthYear > 0 && id.BirthYear() != birthYear {
		return CitizenID{}, Errf(field, "err.cccd.birth_year",
			"the ID number says born in %d, not %d", id.BirthYear(), birthYear).
			WithArgs("IDYear", strconv.Itoa(id.BirthYear()), "Year", strconv.Itoa(birthYear))
	}
	return id, nil
}

// ---------------------------------------------------------------- phone

// mobilePrefixes are the 3-digit prefixes of Vietnamese mobile numbers in use
// since the 2018 change from 11 to 10 digits.
var mobilePrefixes = map[string]bool{
	// Viettel
	"032": true, "033": true, "034": true, "035": true, "036": true, "037": true, "038": true, "039": true,
	"086": true, "096": true, "097": true, "098": true,
	// VinaPhone
	"081": true, "082": true, "083": true, "084": true, "085": true, "088": true, "091": true, "094": true,
	// MobiFone
	"070": true, "076": true, "077": true, "078": true, "079": true, "089": true, "090": true, "093": true,
	// Vietnamobile
	"052": true, "056": true, "058": true, "092": true,
	// Gmobile
	"059": true, "099": true,
	// Itel
	"087": true,
	// Reddi
	"055": true,
}

// NormalizePhone checks a Vietnamese phone number and returns it as digits
// only, starting with 0: "0912345678". Spaces, dots, dashes and parentheses
// are ignored; +84, 84 and 0084 become 0 (and "+84 (0)912…" works too).
// A 9-digit mobile or a 10-digit landline missing its leading 0, as a
// spreadsheet leaves it, gets the 0 back. A mobile number has 10 digits and
// an operator prefix in use (03x, 05x, 07x, 08x, 09x; see mobilePrefixes);
// a landline has 11 digits and starts with 02 and the area code.
// Errors are *FieldError on field "phone" with keys err.phone.*.
func NormalizePhone(s string) (string, error) {
	const field = "phone"
	var b strings.Builder
	plus := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
		case unicode.IsSpace(r) || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", Errf(field, "err.phone.chars", "phone number %q has characters other than digits", s)
		}
	}
	n := b.String()
	if n == "" {
		if plus {
			return "", Errf(field, "err.phone.chars", "phone number %q has characters other than digits", s)
		}
		return "", Errf(field, "err.phone.empty", "phone number is missing")
	}
	intl := plus
	if strings.HasPrefix(n, "0084") && !plus {
		n, intl = n[4:], true
	} else if strings.HasPrefix(n, "84") && (plus || len(n) >= 10) {
		n, intl = n[2:], true
	} else if plus {
		return "", Errf(field, "err.phone.country", "phone number %q is not a Vietnamese number (+84)", s)
	}
	if intl {
		n = strings.TrimPrefix(n, "0") // the "(0)" some write after +84
		n = "0" + n
	}
	// A spreadsheet drops the leading zero of a number stored as a number.
	if !intl && n[0] != '0' && (len(n) == 9 && strings.IndexByte("35789", n[0]) >= 0 || len(n) == 10 && n[0] == '2') {
		n = "0" + n
	}
	length := strconv.Itoa(len(n))
	switch {
	case strings.HasPrefix(n, "02"):
		if len(n) != 11 {
			return "", Errf(field, "err.phone.length_landline",
				"a landline number has 11 digits starting with 02, not %d", len(n)).WithArgs("Length", length)
		}
	case len(n) >= 3 && n[0] == '0' && strings.IndexByte("35789", n[1]) >= 0:
		if !mobilePrefixes[n[:3]] {
			return "", Errf(field, "err.phone.prefix",
				"%s is not a Vietnamese mobile prefix in use", n[:3]).WithArgs("Prefix", n[:3])
		}
		if len(n) != 10 {
			return "", Errf(field, "err.phone.length_mobile",
				"a mobile number has 10 digits, not %d", len(n)).WithArgs("Length", length)
		}
	default:
		p := n
		if len(p) > 3 {
			p = p[:3]
		}
		return "", Errf(field, "err.phone.prefix",
			"%s is not a Vietnamese mobile prefix in use", p).WithArgs("Prefix", p)
	}
	return n, nil
}

// ---------------------------------------------------------------- UPU S10 item code

var s10Weights = [8]int{8, 6, 4, 2, 3, 5, 9, 7}

// S10CheckDigit computes the UPU S10 check digit of an 8-digit serial: the
// digits weighted 8 6 4 2 3 5 9 7, the sum taken modulo 11, and 11 minus the
// remainder, where 10 becomes 0 and 11 becomes 5.
func S10CheckDigit(serial string) (int, error) {
	if len(serial) != 8 || !AllDigits(serial) {
		return 0, Errf("item_code", "err.item_code.serial", "serial %q must be exactly 8 digits", serial)
	}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(serial[i]-'0') * s10Weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 0, nil
	case 11:
		return 5, nil
	default:
		return c, nil
	}
}

// ParseItemCode checks a UPU S10 postal item code (mã bưu gửi), such as
// RR473124829VN: 2 letters for the service, 8 digits of serial, the check
// digit and 2 letters for the country (any country is accepted; PostDesk's
// own items end in VN). Spaces are removed and letters upper-cased; the
// normalised code is returned. Errors are *FieldError on field "item_code".
func ParseItemCode(s string) (string, error) {
	const field = "item_code"
	code := upperASCII(stripChars(s, " \t\r\n\u00a0"))
	if code == "" {
		return "", Errf(field, "err.item_code.empty", "item code is missing")
	}
	if len(code) != 13 || !isUpperAZ(code[0:2]) || !AllDigits(code[2:11]) || !isUpperAZ(code[11:13]) {
		return "", Errf(field, "err.item_code.format",
			"%q is not an item code of 2 letters, 9 digits and 2 letters like RR473124829VN", s)
	}
	want, _ := S10CheckDigit(code[2:10])
	if int(code[10]-'0') != want {
		return "", Errf(field, "err.item_code.check_digit",
			"item code %s has a wrong check digit (should be %d); check every digit", code, want).
			WithArgs("Code", code, "Expected", strconv.Itoa(want))
	}
	return code, nil
}

// MakeItemCode builds a valid S10 code from a 2-letter service prefix, a
// serial (0–99999999) and a 2-letter country, e.g. MakeItemCode("RR",
// 47312482, "VN") == "RR473124829VN". For tests and demo data: it panics on
// a bad prefix, serial or country.
func MakeItemCode(prefix string, serial int, country string) string {
	prefix, country = upperASCII(prefix), upperASCII(country)
	if len(prefix) != 2 || !isUpperAZ(prefix) || len(country) != 2 || !isUpperAZ(country) || serial < 0 || serial > 99999999 {
		panic("domain.MakeItemCode: bad prefix, serial or country")
	}
	s := pad(serial, 8)
	c, _ := S10CheckDigit(s)
	return prefix + s + strconv.Itoa(c) + country
}

// ---------------------------------------------------------------- official dossier code

// OfficialCode is a dossier code assigned by the handling agency's one-stop
// system: {agency code}-{yymmdd}-{seq}, e.g. 000.00.20.H21-261008-0975.
// Date is the calendar date at 00:00 UTC (the year is 20yy).
type OfficialCode struct {
	Agency string
	Date   time.Time
	Seq    int
}

// String writes the code back, with the sequence padded to 4 digits.
func (c OfficialCode) String() string {
	return c.Agency + "-" + c.Date.Format("060102") + "-" + pad(c.Seq, 4)
}

// ParseOfficialCode checks an official dossier code: a valid agency code
// (see ValidAgencyCode), a real date as yymmdd, and a sequence of at least 4
// digits that is not zero. Spaces are removed and letters upper-cased.
// Errors are *FieldError on field "official_code".
func ParseOfficialCode(s string) (OfficialCode, error) {
	const field = "official_code"
	code := upperASCII(stripChars(s, " \t\r\n\u00a0"))
	if code == "" {
		return OfficialCode{}, Errf(field, "err.official_code.empty", "official dossier code is missing")
	}
	parts := strings.Split(code, "-")
	if len(parts) != 3 {
		return OfficialCode{}, Errf(field, "err.official_code.format",
			"%q is not a code of the form agency-yymmdd-seq like 000.00.20.H21-261008-0975", s)
	}
	if err := ValidAgencyCode(parts[0]); err != nil {
		return OfficialCode{}, err.(*FieldError).In(field)
	}
	date, err := parseYYMMDD(field, parts[1])
	if err != nil {
		return OfficialCode{}, err
	}
	seq, ok := parseSeq(parts[2], false)
	if !ok {
		return OfficialCode{}, Errf(field, "err.official_code.seq",
			"the sequence %q must have at least 4 digits and not be zero", parts[2]).WithArgs("Seq", parts[2])
	}
	return OfficialCode{Agency: parts[0], Date: date, Seq: seq}, nil
}

// ValidAgencyCode checks an agency code of the national identifier
// standard for agencies (mã định danh, QCVN 102:2016/BTTTT): a level-1
// code — a capital letter and 2 digits (H21 a province, G01 a ministry…)
// — and the digits of the lower levels, separated by dots. Both ways of
// writing it are in use and both are accepted:
//
//   - lowest level first, as the standard writes it: level 4 (3 digits),
//     level 3 (2), level 2 (2), level 1 — 000.00.20.H21;
//   - level 1 first, as some provinces' one-stop systems write it, then
//     the three lower levels of 2 or 3 digits each — H15.50.05.13.
//
// Refused is only what cannot be such a code: not four groups, no level-1
// group or one in the middle, a group of the wrong length, an empty
// group, any other character.
func ValidAgencyCode(s string) error {
	const field = "agency_code"
	if s == "" {
		return Errf(field, "err.agency_code.empty", "agency code is missing")
	}
	bad := Errf(field, "err.agency_code.format",
		"%q is not an agency code like 000.00.20.H21 or H15.50.05.13", s).WithArgs("Code", s)
	g := strings.Split(s, ".")
	level1 := func(x string) bool { return len(x) == 3 && isUpperAZ(x[:1]) && AllDigits(x[1:]) }
	digits := func(x string, n ...int) bool {
		for _, l := range n {
			if len(x) == l && AllDigits(x) {
				return true
			}
		}
		return false
	}
	switch {
	case len(g) != 4:
		return bad
	case level1(g[0]):
		for _, x := range g[1:] {
			if !digits(x, 2, 3) {
				return bad
			}
		}
	case level1(g[3]):
		if !digits(g[0], 3) || !digits(g[1], 2) || !digits(g[2], 2) {
			return bad
		}
	default:
		return bad
	}
	return nil
}

// ---------------------------------------------------------------- receipt number

// ReceiptNumber identifies a dossier from the moment of intake, made offline:
// {post point code}{device letter}-{yymmdd}-{daily seq}, e.g.
// 553140A-261125-0001. Date is the calendar date; Parse returns it at 00:00
// UTC (the year is 20yy); String uses Date's own location.
type ReceiptNumber struct {
	PostPoint string // 6 digits
	Letter    string // A–Z
	Date      time.Time
	Seq       int // 1, 2, 3… within the device and the day
}

// String writes the receipt number, the sequence padded to 4 digits.
func (r ReceiptNumber) String() string {
	return r.PostPoint + r.Letter + "-" + r.Date.Format("060102") + "-" + pad(r.Seq, 4)
}

// ParseReceiptNumber checks a receipt number. Spaces are removed and letters
// upper-cased. The sequence must be written as String writes it: at least 4
// digits, no extra leading zero, not zero, so every receipt has one spelling.
// Errors are *FieldError on field "receipt_number".
func ParseReceiptNumber(s string) (ReceiptNumber, error) {
	const field = "receipt_number"
	code := upperASCII(stripChars(s, " \t\r\n\u00a0"))
	if code == "" {
		return ReceiptNumber{}, Errf(field, "err.receipt_number.empty", "receipt number is missing")
	}
	parts := strings.Split(code, "-")
	if len(parts) != 3 || len(parts[0]) != 7 || !AllDigits(parts[0][:6]) || !isUpperAZ(parts[0][6:]) {
		return ReceiptNumber{}, Errf(field, "err.receipt_number.format",
			"%q is not a receipt number like 553140A-261125-0001", s)
	}
	date, err := parseYYMMDD(field, parts[1])
	if err != nil {
		return ReceiptNumber{}, err
	}
	seq, ok := parseSeq(parts[2], true)
	if !ok {
		return ReceiptNumber{}, Errf(field, "err.receipt_number.seq",
			"the sequence %q must have at least 4 digits, no extra leading zero, and not be zero", parts[2]).
			WithArgs("Seq", parts[2])
	}
	return ReceiptNumber{PostPoint: parts[0][:6], Letter: parts[0][6:], Date: date, Seq: seq}, nil
}

// ValidPostPointCode checks a post point code: exactly 6 digits.
func ValidPostPointCode(s string) error {
	if len(s) != 6 || !AllDigits(s) {
		return Errf("post_point_code", "err.post_point_code.format", "post point code %q must be exactly 6 digits", s)
	}
	return nil
}

// ValidDeviceLetter checks a device letter: one capital letter A–Z.
func ValidDeviceLetter(s string) error {
	if len(s) != 1 || !isUpperAZ(s) {
		return Errf("device_letter", "err.device_letter.format", "device letter %q must be one capital letter A–Z", s)
	}
	return nil
}

// ---------------------------------------------------------------- helpers

// parseYYMMDD reads a 6-digit date of the 2000s at 00:00 UTC.
func parseYYMMDD(field, s string) (time.Time, error) {
	if len(s) == 6 && AllDigits(s) {
		y, _ := strconv.Atoi(s[0:2])
		m, _ := strconv.Atoi(s[2:4])
		d, _ := strconv.Atoi(s[4:6])
		if t, ok := calendarDate(2000+y, m, d, time.UTC); ok {
			return t, nil
		}
	}
	return time.Time{}, Errf(field, "err.code_date.invalid",
		"%q is not a real date written as yymmdd", s).WithArgs("Date", s)
}

// parseSeq reads a sequence of 4 to 9 digits that is not zero. When canonical,
// a number of 5 digits or more may not start with 0.
func parseSeq(s string, canonical bool) (int, bool) {
	if len(s) < 4 || len(s) > 9 || !AllDigits(s) {
		return 0, false
	}
	if canonical && len(s) > 4 && s[0] == '0' {
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, n > 0
}

// pad writes n with leading zeros to at least width digits.
func pad(n, width int) string {
	s := strconv.Itoa(n)
	if n >= 0 && len(s) < width {
		s = strings.Repeat("0", width-len(s)) + s
	}
	return s
}

// AllDigits reports whether s is one or more ASCII digits.
func AllDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isUpperAZ(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// upperASCII upper-cases a–z only, so that no other letter (ſ, ı) can turn
// into an ASCII capital and pass a code's shape check.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// stripChars removes every rune of cut from s.
func stripChars(s, cut string) string {
	if !strings.ContainsAny(s, cut) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(cut, r) {
			return -1
		}
		return r
	}, s)
}

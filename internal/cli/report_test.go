package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "300", "--seed", "3"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	out := filepath.Join(dir, "kpi.json")
	code, stdout, errs := run(t, "report", "kpi", "--db", db, "--from", "01/01/2020", "--to", "31/12/2030", "--format", "json", "--out", out)
	if code != 0 || !strings.Contains(stdout, "1. Thủ tục có phát sinh hồ sơ qua BCCI") || !strings.Contains(stdout, "chưa có số liệu tổng từ hệ thống một cửa") {
		t.Fatalf("report kpi: %d %q %q", code, stdout, errs)
	}
	var j struct {
		Figures []struct {
			Kind        string `json:"kind"`
			Numerator   int64  `json:"numerator"`
			Denominator *int64 `json:"denominator"`
		} `json:"figures"`
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &j); err != nil || len(j.Figures) != 3 || j.Figures[0].Numerator == 0 || j.Figures[1].Denominator != nil {
		t.Fatalf("kpi JSON: %v %s", err, b)
	}
	// a totals file with a negative number: every bad line listed, exit 1, nothing imported
	bad := filepath.Join(dir, "sai.csv")
	os.WriteFile(bad, []byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		"01/2026,01/2026,1.001193,000.01.50.H21,01/2026,-5,1\n01/2026,01/2026,9.999999,000.01.50.H21,02/2026,5,1\n"), 0o644)
	code, _, errs = run(t, "report", "totals", "import", "--db", db, bad)
	if code != 1 || !strings.Contains(errs, "nothing imported") || !strings.Contains(errs, "Dòng 2") || !strings.Contains(errs, "Dòng 3") {
		t.Fatalf("bad totals: %d %q", code, errs)
	}
	if code, stdout, _ := run(t, "report", "totals", "list", "--db", db); code != 0 || !strings.Contains(stdout, "no totals imported yet") {
		t.Fatalf("list after a refused import: %q", stdout)
	}
	good := filepath.Join(dir, "tong.csv")
	os.WriteFile(good, []byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		"01/2020,01/2020,1.001193,000.01.50.H21,01/2020,5,1\n"), 0o644)
	if code, stdout, errs := run(t, "report", "totals", "import", "--db", db, good); code != 0 || !strings.Contains(stdout, "import 1: 1 rows") {
		t.Fatalf("good totals: %d %q %q", code, stdout, errs)
	}
	// the formats, by extension and a quarter
	for _, ext := range []string{"csv", "xlsx", "pdf"} {
		p := filepath.Join(dir, "kpi."+ext)
		if code, _, errs := run(t, "report", "kpi", "--db", db, "--quarter", "1/2020", "--out", p); code != 0 {
			t.Fatalf("%s: %s", ext, errs)
		}
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Fatalf("%s not written", ext)
		}
	}
	if code, _, errs := run(t, "report", "kpi", "--db", db, "--year", "2026", "--month", "01/2026", "--out", out); code != 2 || !strings.Contains(errs, "give one of") {
		t.Fatalf("two periods: %d %q", code, errs)
	}
	if code, _, _ := run(t, "report", "kpi", "--db", db, "--out", filepath.Join(dir, "x.doc")); code != 2 {
		t.Fatal("an unknown format was accepted")
	}
	pdf := filepath.Join(dir, "niem-yet.pdf")
	if code, stdout, errs := run(t, "notice", "--db", db, "--out", pdf); code != 0 || !strings.Contains(stdout, "85 procedures open for BCCI, 21 not") {
		t.Fatalf("notice: %d %q %q", code, stdout, errs)
	}
}

func TestHubReportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "HUB.db")
	if code, _, errs := run(t, "hub", "token", "--db", db, "--post-point", "600900"); code != 0 { // sets the hub up
		t.Fatalf("hub token: %s", errs)
	}
	if code, _, errs := run(t, "hub", "status", "--db", db); code != 0 {
		t.Fatalf("hub status: %s", errs)
	}
	out := filepath.Join(dir, "tinh.xlsx")
	code, stdout, errs := run(t, "hub", "report", "kpi", "--db", db, "--year", "2026", "--by", "agency", "--out", out)
	if code != 0 || !strings.Contains(stdout, "Toàn tỉnh") || !strings.Contains(stdout, "units by agency") {
		t.Fatalf("hub report kpi: %d %q %q", code, stdout, errs)
	}
	if code, _, _ := run(t, "hub", "report", "kpi", "--db", db, "--by", "district", "--out", out); code != 2 {
		t.Fatal("--by district accepted")
	}
	if code, stdout, _ := run(t, "hub", "report", "targets", "--db", db, "--dossiers", "12"); code != 0 || !strings.Contains(stdout, "dossiers > 12%") {
		t.Fatalf("targets: %q", stdout)
	}
	communes := filepath.Join(dir, "xa.csv")
	os.WriteFile(communes, []byte("commune,post_point_code,agency_code\nIa O,600900,\nIa O,,000.01.50.H21\n"), 0o644)
	if code, stdout, errs := run(t, "hub", "report", "import-communes", "--db", db, communes); code != 0 || !strings.Contains(stdout, "1 post points, 1 agencies") {
		t.Fatalf("communes: %d %q %q", code, stdout, errs)
	}
	if code, _, errs := run(t, "hub", "report", "import-catalog", "--db", db, filepath.Join("..", "..", "assets", "catalog", "agencies.csv"),
		filepath.Join("..", "..", "assets", "catalog", "procedures.csv")); code != 0 {
		t.Fatalf("catalog: %s", errs)
	}
}

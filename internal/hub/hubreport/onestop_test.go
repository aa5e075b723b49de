package hubreport

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/report"
)

func TestExportDossiersPortalVocabulary(t *testing.T) {
	s, states := hubtest.OneStop(t)
	dir := t.TempDir()
	march, _ := domain.NewPeriod(time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Zone), time.Date(2026, 3, 31, 0, 0, 0, 0, domain.Zone))
	april, _ := domain.NewPeriod(time.Date(2026, 4, 1, 0, 0, 0, 0, domain.Zone), time.Date(2026, 4, 30, 0, 0, 0, 0, domain.Zone))
	check := func(format string, rows []map[string]string) {
		t.Helper()
		if len(rows) != len(states) {
			t.Fatalf("%s: %d rows, want %d", format, len(rows), len(states))
		}
		for _, r := range rows {
			st, ok := states[r["SoBienNhan"]]
			if !ok {
				t.Fatalf("%s: unknown row %v", format, r)
			}
			if want := fmt.Sprint(int(domain.PortalStatusOf(st).Status)); r["TrangThaiHoSo"] != want {
				t.Errorf("%s %s: TrangThaiHoSo %q, want %s (%s)", format, r["SoBienNhan"], r["TrangThaiHoSo"], want, st)
			}
			if r["KenhThucHien"] != "3" || r["HinhThucTra"] != "1" {
				t.Errorf("%s %s: KenhThucHien %q HinhThucTra %q", format, r["SoBienNhan"], r["KenhThucHien"], r["HinhThucTra"])
			}
			if len(r["NgayTiepNhan"]) != 14 || r["MaTTHC"] != "1.001193" || r["MaCoQuan"] != "000.00.20.H21" || r["MaBuuCuc"] != "600900" {
				t.Errorf("%s: row %v", format, r)
			}
			if st == domain.StateAccepted && (r["MaHoSo"] != "000.00.20.H21-260302-0001" || r["NgayHenTra"] != "20260316000000" || r["MaBuuGui"] != "RR473124829VN") {
				t.Errorf("%s: accepted row %v", format, r)
			}
		}
	}
	table := func(rows [][]string) []map[string]string {
		var out []map[string]string
		for _, r := range rows[1:] {
			m := map[string]string{}
			for i, h := range rows[0] {
				if i < len(r) {
					m[strings.TrimPrefix(h, "\uFEFF")] = r[i]
				}
			}
			out = append(out, m)
		}
		return out
	}
	for _, format := range []string{ExportJSON, ExportCSV, ExportXLSX} {
		path := filepath.Join(dir, "hoso."+format)
		n, err := ExportDossiersFile(ctx, s, march, format, path)
		if err != nil || n != len(states) {
			t.Fatalf("%s: %d %v", format, n, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		switch format {
		case ExportJSON:
			var doc struct{ Dossiers []map[string]any }
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			var rows []map[string]string
			for _, d := range doc.Dossiers {
				m := map[string]string{}
				for k, v := range d {
					if v != nil {
						m[k] = fmt.Sprint(v)
					}
				}
				rows = append(rows, m)
			}
			check(format, rows)
		case ExportCSV:
			rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			check(format, table(rows))
		case ExportXLSX:
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := f.GetRows("HoSo")
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			check(format, table(rows))
		}
	}
	// Another period holds none of them.
	if n, err := ExportDossiersFile(ctx, s, april, ExportCSV, filepath.Join(dir, "april.csv")); err != nil || n != 0 {
		t.Fatalf("April: %d %v", n, err)
	}
	if _, err := ExportDossiersFile(ctx, s, march, "pdf", filepath.Join(dir, "x.pdf")); err == nil {
		t.Fatal("pdf accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.pdf")); !os.IsNotExist(err) {
		t.Fatalf("a refused export left a file: %v", err)
	}
}

func TestPortalRoundTrip(t *testing.T) {
	s, states := hubtest.OneStop(t)
	march, _ := domain.NewPeriod(time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Zone), time.Date(2026, 3, 31, 0, 0, 0, 0, domain.Zone))
	dir := t.TempDir()
	before := hubtest.Snapshot(t, s) + fmt.Sprint(hubtest.CountRows(t, s, "updates"))
	for _, format := range []string{ExportCSV, ExportXLSX} {
		path := filepath.Join(dir, "hoso."+format)
		if _, err := ExportDossiersFile(ctx, s, march, format, path); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := hubstore.ParseOutcomeFile(f, path)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		res, err := s.QueueOutcomes(ctx, rows, filepath.Base(path))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if res.Rows != len(states) || res.Unchanged != len(states) || res.Queued != 0 {
			t.Fatalf("%s: %+v", format, res)
		}
	}
	if after := hubtest.Snapshot(t, s) + fmt.Sprint(hubtest.CountRows(t, s, "updates")); after != before {
		t.Fatalf("the round trip changed the hub: %s → %s", before, after)
	}
}

func TestReconcile(t *testing.T) {
	s, states := hubtest.OneStop(t) // four dossiers of March 2026; one cancelled before handover
	ids := map[domain.State]string{}
	for id, st := range states {
		ids[st] = id
	}
	s.Now = func() time.Time { return time.Date(2026, 4, 2, 9, 0, 0, 0, domain.Zone) }
	cat := &catalog.File{Name: "tinh.csv", SHA256: strings.Repeat("a", 64),
		Agencies:   []domain.Agency{{Code: "000.00.20.H21", Name: "UBND xã Ia O", Level: "cấp xã"}},
		Procedures: []domain.Procedure{{Code: "1.001193", Name: "Đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.00.20.H21", BCCIIntake: true}}}
	if _, err := s.ImportReportCatalog(ctx, cat); err != nil {
		t.Fatal(err)
	}
	tf, err := report.ParseTotalsCSV([]byte("MaTTHC,MaCoQuan,Thang,TuThang,DenThang,TongSoHoSo,TongSoKetQua\n"+
		"1.001193,000.00.20.H21,202603,202603,202603,10,0\n"), "tong.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportReportTotals(ctx, "tinh", tf); err != nil {
		t.Fatal(err)
	}
	march, _ := domain.NewPeriod(time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Zone), time.Date(2026, 3, 31, 0, 0, 0, 0, domain.Zone))

	// Without the one-stop list: counts only.
	rows, err := s.Reconcile(ctx, march)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Received != 3 || *rows[0].TotalDossiers != 10 || rows[0].ListBCCI != nil || len(rows[0].OnlyPostDesk) != 0 {
		t.Fatalf("without a list: %+v", rows)
	}
	checkReconcileFiles(t, march, rows) // the one-stop counts of no list: empty cells

	bad := "MaHoSo,MaCoQuan,NgayTiepNhan,KenhThucHien\n" +
		"000.00.20.H21-260302-0001,000.00.20.H21,20260302100000,3\n" +
		"000.00.20.H21-260303-0007,000.00.20.H21,30/02/2026,3\n" +
		"000.00.20.H21-260303-0008,000.00.20.H21,20260303100000,buu chinh\n"
	_, err = s.ImportOneStopList(ctx, strings.NewReader(bad), "motcua.csv")
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Field != "line 3: NgayTiepNhan" || errs[1].Field != "line 4: KenhThucHien" {
		t.Fatalf("bad list: %v", err)
	}
	if n := hubtest.CountRows(t, s, "onestop_dossiers"); n != 0 {
		t.Fatalf("a refused list stored %d rows", n)
	}
	list := "MaHoSo,MaCoQuan,NgayTiepNhan,KenhThucHien,SoBienNhan\n" +
		"000.00.20.H21-260302-0001,000.00.20.H21,20260302100000,3,\n" + // the accepted one, by its code
		"000.00.20.H21-260302-0002,000.00.20.H21,20260302110000,3," + ids[domain.StateRejected] + "\n" + // by receipt number
		"000.00.20.H21-260303-0007,000.00.20.H21,03/03/2026,3,\n" + // by post, unknown to PostDesk
		"000.00.20.H21-260303-0008,000.00.20.H21,20260303100000,1,\n" // at the desk: not BCCI
	if n, err := s.ImportOneStopList(ctx, strings.NewReader(list), "motcua.csv"); err != nil || n != 4 {
		t.Fatalf("list: %d %v", n, err)
	}
	rows, err = s.Reconcile(ctx, march)
	if err != nil {
		t.Fatal(err)
	}
	r := rows[0]
	if len(rows) != 1 || r.Received != 3 || *r.ListBCCI != 3 || len(r.Problems) != 0 ||
		strings.Join(r.OnlyPostDesk, ",") != ids[domain.StateReceived] || strings.Join(r.OnlyOneStop, ",") != "000.00.20.H21-260303-0007" {
		t.Fatalf("with the list: %+v", r)
	}
	checkReconcileFiles(t, march, rows)

	// On the hub's page, in Vietnamese.
	ts := httptest.NewServer(hubweb.NewServer(s, hubweb.Options{Pages: []hubweb.ExtraPage{StaffPage(), ReconcilePage()}}))
	defer ts.Close()
	s.AddUser(ctx, "tinh", "mat-khau-dai")
	b := hubtest.NewBrowser(t, ts.URL)
	b.Login("tinh", "mat-khau-dai")
	_, body := b.Get("/reconcile?from=01/03/2026&to=31/03/2026")
	vi, _ := i18n.New("vi")
	for _, want := range []string{vi.T("hub.reconcile.title"), `id="reconcile"`, ids[domain.StateReceived], "000.00.20.H21-260303-0007", "03/2026"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

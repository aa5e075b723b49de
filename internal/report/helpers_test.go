package report

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

var ctx = context.Background()

// seedNow is the demo seed's "today": its twelve months run from
// 25/11/2025 to 25/11/2026.
var seedNow = time.Date(2026, 11, 25, 12, 0, 0, 0, domain.Zone)

func vi(t testing.TB) *i18n.Catalog {
	t.Helper()
	c, err := i18n.New("vi")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newPoint opens a real database in a temporary folder with the demo post
// point and the sample catalog, and seeds n demo dossiers (none when 0).
func newPoint(t testing.TB, n int) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "postdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return seedNow }
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCatalog(ctx, "admin", store.CatalogImport{FileName: f.Name, SHA256: f.SHA256, Agencies: f.Agencies, Procedures: f.Procedures}); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		if _, err := demo.Seed(ctx, s, demo.Options{Dossiers: n, Seed: 7, Now: seedNow}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// needTool skips a test when a poppler tool is missing, or fails it under
// CI (see internal/testtool).
func needTool(t testing.TB, name string) {
	t.Helper()
	testtool.Need(t, name)
}

// pdfText is the text of a PDF as pdftotext reads it (reading order).
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	needTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-raw", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(bytes.ToValidUTF8(out, nil))
}

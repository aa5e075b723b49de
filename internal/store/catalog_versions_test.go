package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/store"
)

// TestCatalogVersions: each import is listed newest first with when, who,
// the file and its counts.
func TestCatalogVersions(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := seedNow
	s.Now = func() time.Time { return at }
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	imp := store.CatalogImport{FileName: "tthc-2026.xlsx", SHA256: f.SHA256, Agencies: f.Agencies, Procedures: f.Procedures}
	if _, err := s.ImportCatalog(bg, "truong", imp); err != nil {
		t.Fatal(err)
	}
	at = at.Add(48 * time.Hour)
	imp.FileName = "tthc-2026-bo-sung.csv"
	imp.Procedures = f.Procedures[:3]
	if _, err := s.ImportCatalog(bg, "kiemsoat", imp); err != nil {
		t.Fatal(err)
	}
	vs, err := s.CatalogVersions(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 {
		t.Fatalf("%d versions, want 2: %+v", len(vs), vs)
	}
	newest, first := vs[0], vs[1]
	if newest.Version != 2 || newest.FileName != "tthc-2026-bo-sung.csv" || newest.Staff != "kiemsoat" ||
		newest.Procedures != 3 || newest.Added != 0 || newest.Updated != 3 || !newest.ImportedAt.Equal(seedNow.Add(48*time.Hour)) {
		t.Errorf("newest version %+v", newest)
	}
	if first.Version != 1 || first.Staff != "truong" || first.Added != len(f.Procedures) || first.Agencies != len(f.Agencies) ||
		!first.ImportedAt.Equal(seedNow) {
		t.Errorf("first version %+v", first)
	}
}

package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
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

// TestKnownVillages: the villages of the newest dossiers, most used first.
func TestKnownVillages(t *testing.T) {
	s := seedStore(t, filepath.Join(t.TempDir(), "v.db"), 60)
	defer s.Close()
	all, err := s.KnownVillages(bg, 1000, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 {
		t.Fatalf("villages of 60 demo dossiers: %q", all)
	}
	counts := map[string]int{}
	rows, err := testtool.DB(t, s.Path()).Query("SELECT json_extract(data, '$.applicant.address') FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		rows.Scan(&a)
		counts[a]++
	}
	rows.Close()
	for i := 1; i < len(all); i++ {
		if counts[all[i-1]] < counts[all[i]] {
			t.Errorf("%q (%d) before %q (%d): not most used first", all[i-1], counts[all[i-1]], all[i], counts[all[i]])
		}
	}
	if few, _ := s.KnownVillages(bg, 1000, 2); len(few) != 2 || few[0] != all[0] {
		t.Errorf("limit 2: %q", few)
	}
	if none, _ := s.KnownVillages(bg, 0, 10); len(none) != 0 {
		t.Errorf("from no dossier: %q", none)
	}
}

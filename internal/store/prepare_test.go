package store_test

import (
	"testing"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

func prepare(tb testing.TB, s *store.Store) {
	tb.Helper()
	if err := s.Setup(bctx, domain.PostPoint{Code: "600900", Name: "Bench"}, "A"); err != nil {
		tb.Fatal(err)
	}
	f, err := catalog.Sample()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ImportCatalog(bctx, "bench", store.CatalogImport{FileName: f.Name, Agencies: f.Agencies, Procedures: f.Procedures}); err != nil {
		tb.Fatal(err)
	}
}

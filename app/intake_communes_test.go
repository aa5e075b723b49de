package app

import (
	"strings"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// The intake form offers the shipped commune list until the province's
// comes down from the hub with its catalog, and then the province's, in
// its order.
func TestIntakeOffersTheProvinceCommunes(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	labels := func() string {
		t.Helper()
		f, err := newIntakeForm(u)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range f.communes {
			out = append(out, c.Label())
		}
		return strings.Join(out, ", ")
	}
	shipped := labels()
	if shipped == "" {
		t.Fatal("no shipped commune list")
	}
	province := []domain.Commune{{Name: "Ia Hrú", Type: "xã", Province: "Gia Lai"}, {Name: "Thống Nhất", Type: "phường", Province: "Gia Lai"},
		{Name: "Ia Băng", Type: "xã", Province: "Gia Lai"}}
	if _, err := u.Store.ImportCatalog(u.Ctx, store.HubStaff, store.CatalogImport{FileName: "tinh.csv", SHA256: strings.Repeat("c", 64),
		HubVersion: 1, Communes: province}); err != nil {
		t.Fatal(err)
	}
	if got := labels(); got != "xã Ia Hrú, phường Thống Nhất, xã Ia Băng" {
		t.Fatalf("after the province's list: %s", got)
	}
	// An import without a list (a catalog file at the post point) keeps it.
	if _, err := u.Store.ImportCatalog(u.Ctx, "gdv1", store.CatalogImport{FileName: "xa.csv", SHA256: strings.Repeat("d", 64)}); err != nil {
		t.Fatal(err)
	}
	if got := labels(); got != "xã Ia Hrú, phường Thống Nhất, xã Ia Băng" {
		t.Fatalf("after a catalog without communes: %s", got)
	}
}

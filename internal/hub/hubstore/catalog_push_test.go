package hubstore_test

import (
	"encoding/json"
	"errors"
	"testing"

	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// The hub keeps the province's communes with its catalog: a version carries
// the list given, or the one before when none is given; the same list
// again is no new version; a list with a bad commune is refused with its
// place and column, and nothing is stored or queued.
func TestPushCatalogKeepsCommunes(t *testing.T) {
	s := hubtest.Open(t)
	f, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	lastChange := func() syncproto.CatalogChange {
		t.Helper()
		var payload []byte
		if err := hubtest.DB(t, s).QueryRow("SELECT payload FROM updates WHERE kind = ? ORDER BY id DESC LIMIT 1", syncproto.UpdateCatalog).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		var cc syncproto.CatalogChange
		if err := json.Unmarshal(payload, &cc); err != nil {
			t.Fatal(err)
		}
		return cc
	}
	list := []domain.Commune{{Name: "Ia Hrú", Type: "xã", Province: "Gia Lai"}, {Name: "Thống Nhất", Type: "phường", Province: "Gia Lai"}}
	res, err := s.PushCatalog(ctx, f, list, "so-tttt")
	if err != nil || res.Version != 1 || res.Communes != 2 || res.Same {
		t.Fatalf("v1: %+v %v", res, err)
	}
	if cc := lastChange(); cc.Version != 1 || len(cc.Communes) != 2 || cc.Communes[1] != list[1] || len(cc.Procedures) != len(f.Procedures) {
		t.Fatalf("queued v1: version %d, communes %+v", cc.Version, cc.Communes)
	}
	for _, again := range [][]domain.Commune{nil, list} { // nil keeps the list: the same content
		if res, err := s.PushCatalog(ctx, f, again, "so-tttt"); err != nil || !res.Same || res.Version != 1 || res.Communes != 2 {
			t.Fatalf("the same again (%d communes given): %+v %v", len(again), res, err)
		}
	}
	updates := hubtest.CountRows(t, s, "updates")
	bad := append(append([]domain.Commune{}, list...), domain.Commune{Name: "Plei Ơi", Type: "thôn"}, domain.Commune{Name: "Ia Hrú", Type: "xã", Province: "Gia Lai"})
	_, err = s.PushCatalog(ctx, f, bad, "so-tttt")
	var errs domain.Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Field != "commune 3: type" || errs[1].Field != "commune 4: name" {
		t.Fatalf("bad communes: %v", err)
	}
	if n := hubtest.CountRows(t, s, "updates"); n != updates {
		t.Fatalf("a refused list queued %d updates", n-updates)
	}
	if v, _, _ := s.ProvinceCatalog(ctx); v != 1 {
		t.Fatalf("a refused list made version %d", v)
	}
	// A new list is a new version; a catalog change without one keeps it.
	list2 := append(list, domain.Commune{Name: "Ia Băng", Type: "xã", Province: "Gia Lai"})
	if res, err := s.PushCatalog(ctx, f, list2, "so-tttt"); err != nil || res.Version != 2 || res.Communes != 3 {
		t.Fatalf("v2: %+v %v", res, err)
	}
	f.Procedures[0].Fee++
	f.SHA256 = "another file"
	if res, err := s.PushCatalog(ctx, f, nil, "so-tttt"); err != nil || res.Version != 3 || res.Communes != 3 {
		t.Fatalf("v3: %+v %v", res, err)
	}
	if cc := lastChange(); cc.Version != 3 || len(cc.Communes) != 3 || cc.Communes[2].Name != "Ia Băng" {
		t.Fatalf("queued v3: %+v", cc.Communes)
	}
}

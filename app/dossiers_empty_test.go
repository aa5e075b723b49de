package app

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/store"
)

// TestEmptyDossierTableSaysWhy: an empty table says why — a filter nothing
// matches (and how to see everything), a scan that found nothing, a post
// point with no dossier yet — and says nothing while there are rows.
func TestEmptyDossierTableSaysWhy(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	if got := ds.EmptyText(); got != "" {
		t.Fatalf("a table with rows says %q", got)
	}
	ds.text.SetText("Không Có Ai Tên Này")
	ds.apply()
	settle(ds)
	if ds.rowCount() != 0 || ds.EmptyText() != i18n.T("dossiers.empty.filter") {
		t.Errorf("filter matching nothing: %d rows, %q", ds.rowCount(), ds.EmptyText())
	}
	ds.resetFilters()
	settle(ds)
	if ds.EmptyText() != "" {
		t.Errorf("after clearing the filter: %q", ds.EmptyText())
	}
	ds.showResults("RR000000000VN", nil)
	if want := i18n.Tf("dossiers.empty.scan", map[string]string{"Query": "RR000000000VN"}); ds.EmptyText() != want {
		t.Errorf("a scan with nothing found says %q", ds.EmptyText())
	}

	// A new post point: nothing yet, and where to start.
	s, err := store.Open(filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := desk.New(s).PrepareDemo(u.Ctx); err != nil {
		t.Fatal(err)
	}
	u2, err := Open(test.NewTempApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	defer u2.Close()
	if err := u2.SignInAs("gdv1", desk.DemoPIN); err != nil {
		t.Fatal(err)
	}
	ds2 := openDossiers(t, u2)
	if ds2.EmptyText() != i18n.T("dossiers.empty.none") {
		t.Errorf("a post point with no dossier says %q", ds2.EmptyText())
	}
}

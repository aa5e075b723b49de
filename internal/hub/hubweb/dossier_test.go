package hubweb

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubtest"
)

// TestWebDossierPageIsLogged: a hub user opens a dossier on the web page
// and sees its personal data; the view is in the hub's access log under
// that user; an unknown number shows an error and logs nothing; a stranger
// is sent to the sign-in page.
func TestWebDossierPageIsLogged(t *testing.T) {
	s, _, ids := hubtest.WithDossiers(t, 2)
	if err := s.Project(ctx); err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, s)
	s.AddUser(ctx, "tinh", "mat-khau-dai")
	b := hubtest.NewBrowser(t, ts.URL)
	if code, body := b.Get("/dossier?id=" + url.QueryEscape(ids[0])); code != 200 || !strings.Contains(body, `id="login"`) ||
		strings.Contains(body, "064301000123") {
		t.Fatalf("a stranger's GET /dossier: %d", code)
	}
	if code, _ := b.Login("tinh", "mat-khau-dai"); code != 200 {
		t.Fatal("sign-in failed")
	}
	code, body := b.Get("/dossier?id=" + url.QueryEscape(ids[0]))
	if code != 200 || !strings.Contains(body, "064301000123") || !strings.Contains(body, "Rơ Mah H&#39;Bích") {
		t.Fatalf("dossier page: %d\n%s", code, body)
	}
	log, err := s.AccessLog(ctx, ids[0], "tinh", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].What != domain.AccessView || log[0].Via != "web" {
		t.Fatalf("the view is not logged: %+v", log)
	}
	if log, _ := s.AccessLog(ctx, ids[1], "", 0); len(log) != 0 {
		t.Fatalf("a dossier not opened has log lines: %+v", log)
	}
	if code, body := b.Get("/dossier?id=600900A-260302-9999"); code != http.StatusNotFound || !strings.Contains(body, `id="error"`) {
		t.Fatalf("unknown dossier: %d", code)
	}
	if log, _ := s.AccessLog(ctx, "", "tinh", 0); len(log) != 1 {
		t.Fatalf("an unknown dossier was logged: %+v", log)
	}
}

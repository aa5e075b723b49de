package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
)

// TestDossierViewIsLogged: opening a dossier's detail records a view; a
// supervisor's "who looked" lists it with the clerk's name; a clerk has no
// such button; the scan box's search by ID is logged too.
func TestDossierViewIsLogged(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	settle(ds)
	r, ok := ds.row(0)
	if !ok {
		t.Fatal("no dossier")
	}
	ds.openDetail(r.ID, "")
	for _, o := range test.LaidOutObjects(ds.stack) {
		if b := asButton(o); b != nil && b.Text == i18n.T("access.open") {
			t.Fatal("a clerk sees the access log button")
		}
	}
	d, err := u.Store.Dossier(u.Ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	runScan(u, d.Applicant.IDNumber)
	log, err := u.Store.AccessLog(u.Ctx, r.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) < 2 || log[len(log)-1].What != domain.AccessView || log[len(log)-1].Staff != "gdv1" ||
		log[len(log)-2].What != domain.AccessSearchID {
		t.Fatalf("log %+v, want the view then the search by ID", log)
	}

	u.Lock()
	if err := u.SignInAs("truong", desk.DemoPIN); err != nil {
		t.Fatal(err)
	}
	boss := u
	bds := openDossiers(t, boss)
	settle(bds)
	bds.openDetail(r.ID, "")
	test.Tap(findButton(t, bds.stack, i18n.T("access.open")))
	top := boss.topDialog()
	if top == nil {
		t.Fatal("no access log dialog")
	}
	var text []string
	for _, o := range test.LaidOutObjects(boss.Win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all := strings.Join(text, "\n")
	if !strings.Contains(all, "gdv1") || !strings.Contains(all, i18n.T("access.what.view")) || !strings.Contains(all, i18n.T("access.what.search_id")) {
		t.Fatalf("the dialog shows:\n%s", all)
	}
}

// TestStaffAccessLog: the staff screen shows a staff member's access log.
func TestStaffAccessLog(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	ds := openDossiers(t, u)
	settle(ds)
	r, _ := ds.row(0)
	if err := u.Store.RecordAccess(u.Ctx, "gdv2", domain.AccessPayload{What: domain.AccessExport, Dossiers: []string{r.ID}, Detail: "test"}); err != nil {
		t.Fatal(err)
	}
	u.Show("staff")
	s := u.session.staff
	s.list.Select(staffIndex(s, "gdv2"))
	test.Tap(findButton(t, s.detail, i18n.T("access.open_staff")))
	var text []string
	for _, o := range test.LaidOutObjects(u.Win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			text = append(text, l.Text)
		}
	}
	all := strings.Join(text, "\n")
	if !strings.Contains(all, i18n.T("access.what.export")) || !strings.Contains(all, r.ID) {
		t.Fatalf("gdv2's log shows:\n%s", all)
	}
}

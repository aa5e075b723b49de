package desk_test

import (
	"context"
	"path/filepath"
	"testing"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestAccessLogRecordsViewsSearchesAndReprints: opening a dossier, searching
// by its citizen's ID and phone, and reprinting its receipt are each in the
// log, per dossier and per staff member; a name search is not; a clerk may
// not read the log; the events keep check passing.
func TestAccessLogRecordsViewsSearchesAndReprints(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(filepath.Join(t.TempDir(), "pd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dk := desk.New(s)
	if err := dk.PrepareDemo(ctx); err != nil {
		t.Fatal(err)
	}
	clerk := desk.Actor{Username: "gdv1", Role: domain.RoleClerk}
	boss := desk.Actor{Username: "truong", Role: domain.RoleSupervisor}
	d, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: "1.001193",
		ProcedureName: "Đăng ký khai sinh", AgencyCode: "000.00.20.H21",
		Applicant: domain.Person{FullName: "Rơ Mah H'Bích", IDNumber: "064301000045", IDType: domain.IDCCCD, Phone: "0356789012"},
		Place:     domain.PlaceCounter, Postage: 15000, ReturnMethod: domain.ReturnByPost,
		Documents: []domain.DocumentItem{{Name: "Tờ khai", Required: true, Received: true, Original: true, Count: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dk.ViewDossier(ctx, clerk, d.ID); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"064301000045", "0356 789 012", "ro mah"} {
		if _, err := dk.Lookup(ctx, clerk, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Record(ctx, "gdv2", domain.KindReceiptPrint, d.ID, domain.ReceiptPrintPayload{Reprint: true, Layout: "a5"}); err != nil {
		t.Fatal(err)
	}
	if _, err := dk.AccessLog(ctx, clerk, d.ID, "", 0); err == nil {
		t.Fatal("a clerk read the access log")
	}
	log, err := dk.AccessLog(ctx, boss, d.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var whats []domain.AccessWhat
	for _, e := range log {
		whats = append(whats, e.What)
	}
	want := []domain.AccessWhat{domain.AccessReprint, domain.AccessSearchPhone, domain.AccessSearchID, domain.AccessView}
	if len(whats) != len(want) {
		t.Fatalf("the dossier's log: %v, want %v", whats, want)
	}
	for i := range want {
		if whats[i] != want[i] || (i > 0 && log[i].Staff != "gdv1") || log[i].Dossiers[0] != d.ID {
			t.Fatalf("the dossier's log: %+v, want %v", log, want)
		}
	}
	if byStaff, _ := dk.AccessLog(ctx, boss, "", "gdv2", 0); len(byStaff) != 1 || byStaff[0].What != domain.AccessReprint {
		t.Fatalf("gdv2's log: %+v", byStaff)
	}
	if other, _ := dk.AccessLog(ctx, boss, "600900A-010101-0001", "", 0); len(other) != 0 {
		t.Fatalf("another dossier's log: %+v", other)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("check after access events: %v", err)
	}
	if _, err := dk.Lookup(ctx, desk.Actor{}, "064301000045"); err == nil {
		t.Fatal("a search without a signed-in actor ran")
	}
}

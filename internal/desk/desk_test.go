package desk

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"postdesk/internal/calendar"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/report"
	"postdesk/internal/store"
)

var ctx = context.Background()

// now is the test clock: a Tuesday morning in Vietnam.
var now = time.Date(2026, 11, 24, 9, 30, 0, 0, domain.Zone)

var (
	clerk      = Actor{Username: "gdv1", Role: domain.RoleClerk}
	postman    = Actor{Username: "buuta1", Role: domain.RolePostalWorker}
	supervisor = Actor{Username: "truong", Role: domain.RoleSupervisor}
)

// demoDesk is a fresh demo post point (staff, sample catalog) on a real
// SQLite file, with the clock at now.
func demoDesk(t *testing.T) *Desk {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return now }
	d := New(s)
	if err := d.PrepareDemo(ctx); err != nil {
		t.Fatal(err)
	}
	return d
}

// sendProcedure is a catalog procedure open for BCCI intake with a
// processing time, so an intake gets an appointment date.
func sendProcedure(t *testing.T, d *Desk) domain.Procedure {
	t.Helper()
	procs, err := d.Store.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if p.ProcessingDays > 0 && domain.IntakeProcedureError(p, domain.OptionSendAndReturn) == nil {
			return p
		}
	}
	t.Fatal("no procedure in the sample catalog fits")
	return domain.Procedure{}
}

func slip(p domain.Procedure) domain.Dossier {
	return domain.Dossier{
		Option:        domain.OptionSendAndReturn,
		ProcedureCode: p.Code,
		Applicant: domain.Person{FullName: "  Siu   Thị Hằng ", IDType: domain.IDCCCD, IDNumber: "064190000123",
			Phone: "0905 123 456", Commune: "Ia O"},
		Place:         domain.PlaceCounter,
		ReturnMethod:  domain.ReturnByPost,
		ReturnAddress: "thôn Plei Ia Rê, xã Ia O",
		FeePayment:    domain.PayNow,
		Documents:     []domain.DocumentItem{{Name: "Tờ khai", Required: true, Received: true, Original: true, Count: 1}},
	}
}

func countEvents(t *testing.T, d *Desk) int64 {
	t.Helper()
	dev, _, err := d.Store.Device(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Store.LastSeq(ctx, dev.ID())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestIntakeValidatesDatesPricesWrites: one call tidies the slip, dates it,
// prices it from the tariff and the procedure, and writes it.
func TestIntakeValidatesDatesPricesWrites(t *testing.T) {
	d := demoDesk(t)
	p := sendProcedure(t, d)
	st, err := d.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.Intake(ctx, clerk, slip(p), FromTariff)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID == "" || got.State != domain.StateReceived || got.ReceivedBy != clerk.Username {
		t.Fatalf("saved %+v", got)
	}
	if got.Applicant.FullName != "Siu Thị Hằng" || got.Applicant.Phone != "0905123456" {
		t.Errorf("not tidied: %q %q", got.Applicant.FullName, got.Applicant.Phone)
	}
	if !got.ReceivedAt.Equal(now) {
		t.Errorf("received at %v, want %v", got.ReceivedAt, now)
	}
	cal, err := calendar.LoadLocal("", st.Holidays)
	if err != nil {
		t.Fatal(err)
	}
	due := cal.Appointment(now, p.ProcessingDays, st.TransitDays).Date
	if got.ExpectedDate == nil || !got.ExpectedDate.Equal(due) {
		t.Errorf("appointment %v, want %v", got.ExpectedDate, due)
	}
	wantPostage := TariffPostage(st, domain.OptionSendAndReturn, domain.ReturnByPost, domain.PlaceCounter)
	if wantPostage == 0 || got.Postage != wantPostage {
		t.Errorf("postage %d, want the tariff's %d", got.Postage, wantPostage)
	}
	if p.FeeKnown && got.Fee != p.Fee {
		t.Errorf("fee %d, want the procedure's %d", got.Fee, p.Fee)
	}
	// as typed, what the clerk confirmed is kept, a waived postage too
	for _, postage := range []domain.Money{1000, 0} {
		typed := slip(p)
		typed.Postage = postage
		got2, err := d.Intake(ctx, clerk, typed, AsTyped)
		if err != nil || got2.Postage != postage {
			t.Fatalf("typed postage %d: %v %+v", postage, err, got2)
		}
	}
	if stored, err := d.Store.Dossier(ctx, got.ID); err != nil || stored.Postage != got.Postage {
		t.Fatalf("stored: %v %+v", err, stored)
	}
}

// TestIntakeRefusesBadSlip: field errors name the fields; nothing is written.
func TestIntakeRefusesBadSlip(t *testing.T) {
	d := demoDesk(t)
	p := sendProcedure(t, d)
	before := countEvents(t, d)
	bad := slip(p)
	bad.Applicant.Phone = "12"
	bad.ProcedureCode = "no.such.code"
	_, err := d.Intake(ctx, clerk, bad, FromTariff)
	var errs domain.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want field errors, got %v", err)
	}
	fields := map[string]bool{}
	for _, e := range errs {
		fields[e.Field] = true
	}
	if !fields["applicant.phone"] || !fields["procedure"] {
		t.Errorf("errors %v do not name applicant.phone and procedure", errs)
	}
	if countEvents(t, d) != before {
		t.Fatal("a refused intake wrote an event")
	}
}

func wantForbidden(t *testing.T, what string, err error) {
	t.Helper()
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Key != "err.desk.forbidden" {
		t.Errorf("%s: want err.desk.forbidden, got %v", what, err)
	}
}

// TestRolesCheckedAtTheDesk: a clerk or a postal worker calling a
// supervisor's operation is refused and nothing changes; the supervisor
// may; an actor with no name or role may do nothing.
func TestRolesCheckedAtTheDesk(t *testing.T) {
	d := demoDesk(t)
	st, err := d.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	changed := st
	changed.TransitDays = st.TransitDays + 3
	sample, err := catalog.Sample()
	if err != nil {
		t.Fatal(err)
	}
	newcomer := domain.Staff{Username: "gdv9", FullName: "Nguyễn Văn Chín", Role: domain.RoleSupervisor, Active: true}
	before := countEvents(t, d)
	for _, a := range []Actor{clerk, postman, {}, {Username: "x", Role: "boss"}} {
		wantForbidden(t, string(a.Role)+" SaveSettings", d.SaveSettings(ctx, a, changed))
		_, err := d.ImportCatalog(ctx, a, sample)
		wantForbidden(t, string(a.Role)+" ImportCatalog", err)
		wantForbidden(t, string(a.Role)+" AddStaff", d.AddStaff(ctx, a, newcomer, "4321"))
		wantForbidden(t, string(a.Role)+" SetStaffRole", d.SetStaffRole(ctx, a, clerk.Username, domain.RoleSupervisor))
		wantForbidden(t, string(a.Role)+" SetStaffActive", d.SetStaffActive(ctx, a, "gdv2", false))
		wantForbidden(t, string(a.Role)+" ResetStaffSecret", d.ResetStaffSecret(ctx, a, "gdv2", "9999"))
		wantForbidden(t, string(a.Role)+" CloseFeedback", d.CloseFeedback(ctx, a, domain.FeedbackClosePayload{}))
		_, err = d.ImportTotals(ctx, a, &report.TotalsFile{})
		wantForbidden(t, string(a.Role)+" ImportTotals", err)
	}
	if got := countEvents(t, d); got != before {
		t.Fatalf("refused operations wrote %d events", got-before)
	}
	if got, _ := d.Settings(ctx); got.TransitDays != st.TransitDays {
		t.Fatal("a refused SaveSettings changed the settings")
	}
	if _, err := d.Store.StaffMember(ctx, newcomer.Username); err == nil {
		t.Fatal("a refused AddStaff added the account")
	}
	// an actor with no role may not take a dossier in either
	_, err = d.Intake(ctx, Actor{Username: "nobody"}, slip(sendProcedure(t, d)), FromTariff)
	wantForbidden(t, "no role Intake", err)

	// the supervisor may
	if err := d.SaveSettings(ctx, supervisor, changed); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Settings(ctx); got.TransitDays != changed.TransitDays {
		t.Fatal("the supervisor's settings were not saved")
	}
	if err := d.AddStaff(ctx, supervisor, newcomer, "4321"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.StaffMember(ctx, newcomer.Username); err != nil {
		t.Fatalf("added account: %v", err)
	}
}

// TestCancelAndPrint: cancel and receipt printing go through the desk and
// leave their events; a reprint leaves the clerk's name out.
func TestCancelAndPrint(t *testing.T) {
	d := demoDesk(t)
	p := sendProcedure(t, d)
	dos, err := d.Intake(ctx, clerk, slip(p), FromTariff)
	if err != nil {
		t.Fatal(err)
	}
	path, err := d.PrintReceipt(ctx, clerk, dos.ID, "Nguyễn Thị Lan", false)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != d.ReceiptDir() {
		t.Errorf("receipt at %s, not in %s", path, d.ReceiptDir())
	}
	if _, err := d.PrintReceipt(ctx, clerk, dos.ID, "Nguyễn Thị Lan", true); err != nil {
		t.Fatal(err)
	}
	evs, err := d.Store.DossierEvents(ctx, dos.ID)
	if err != nil {
		t.Fatal(err)
	}
	prints := 0
	for _, e := range evs {
		if e.Kind == domain.KindReceiptPrint {
			prints++
		}
	}
	if prints != 2 {
		t.Errorf("%d receipt_printed events, want 2", prints)
	}
	cancelled, err := d.Cancel(ctx, clerk, dos.ID, "công dân rút hồ sơ")
	if err != nil {
		t.Fatal(err)
	}
	if cancelled.State != domain.StateCancelled {
		t.Fatalf("after cancel: %s", cancelled.State)
	}
}

// BenchmarkDeskIntake is one intake through the desk: the catalog and
// settings read, the checks, the date and the store's one-transaction write
// (compare store BenchmarkIntake, the write alone).
func BenchmarkDeskIntake(b *testing.B) {
	s, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	s.Now = func() time.Time { return now }
	d := New(s)
	if err := d.PrepareDemo(ctx); err != nil {
		b.Fatal(err)
	}
	procs, err := s.Procedures(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var p domain.Procedure
	for _, pr := range procs {
		if pr.ProcessingDays > 0 && domain.IntakeProcedureError(pr, domain.OptionSendAndReturn) == nil {
			p = pr
			break
		}
	}
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := d.Intake(ctx, clerk, slip(p), FromTariff); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
}

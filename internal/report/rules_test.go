package report

import (
	"testing"
	"time"

	"postdesk/internal/domain"
)

// TestCountingRulesAtPostPoint walks real dossiers through a post point's
// database and checks each counting rule of the package doc by hand:
//
//	A 10/03 taken in, cancelled the same day before handover  → not received
//	B 11/03 taken in, handed over, supplement asked and brought back,
//	        handed over again                                  → 1 received (not 2)
//	C 12/03 taken in, handed over, supplement asked, cancelled → 1 received
//	D 31/03 taken in, cancelled 02/04 before handover          → received in a
//	        March report made on 31/03, gone from one made after 02/04
//	E 13/03 result-only registration, delivered 20/03          → not received;
//	        its procedure active, its delivery returned
func TestCountingRulesAtPostPoint(t *testing.T) {
	s := newPoint(t, 0)
	procs, err := s.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var p domain.Procedure
	for _, x := range procs {
		if x.BCCIIntake && x.BCCIReturn && x.AgencyCode != "" {
			p = x
			break
		}
	}
	if p.Code == "" {
		t.Fatal("the sample catalog has no procedure open for intake and return")
	}
	at := func(d, m, h int) time.Time { return time.Date(2026, time.Month(m), d, h, 0, 0, 0, domain.Zone) }
	clock := at(10, 3, 8)
	s.Now = func() time.Time { return clock }
	dossier := func(opt domain.ServiceOption, name string) *domain.Dossier {
		t.Helper()
		d, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: opt, ProcedureCode: p.Code, ProcedureName: p.Name, AgencyCode: p.AgencyCode,
			Applicant:    domain.Person{FullName: name, IDNumber: "064190000123", IDType: domain.IDCCCD, Phone: "0905123456", Commune: "Ia O"},
			Place:        domain.PlaceCounter,
			ReturnMethod: domain.ReturnByPost,
			Documents:    []domain.DocumentItem{{Name: "Tờ khai", Required: true, Received: true, Original: true, Count: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	handover := func(id string) {
		t.Helper()
		h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, p.AgencyCode, []string{id})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
			t.Fatal(err)
		}
	}
	record := func(kind domain.Kind, id string, payload any) {
		t.Helper()
		if _, _, err := s.Record(ctx, "gdv1", kind, id, payload); err != nil {
			t.Fatalf("%s %s: %v", kind, id, err)
		}
	}
	a := dossier(domain.OptionSendAndReturn, "Nguyễn Văn A")
	record(domain.KindCancel, a.ID, domain.ReasonPayload{Reason: "Công dân xin rút hồ sơ"})
	clock = at(11, 3, 8)
	b := dossier(domain.OptionSendAndReturn, "Trần Thị B")
	handover(b.ID)
	if _, err := s.RequestSupplement(ctx, "gdv1", b.ID, domain.SupplementPayload{Papers: []string{"Bản sao sổ hộ khẩu"}}); err != nil {
		t.Fatal(err)
	}
	record(domain.KindSupplementTaken, b.ID, domain.SupplementTakenPayload{})
	handover(b.ID)
	clock = at(12, 3, 8)
	c := dossier(domain.OptionSend, "Rơ Mah H'Bích")
	handover(c.ID)
	if _, err := s.RequestSupplement(ctx, "gdv1", c.ID, domain.SupplementPayload{Papers: []string{"Giấy xác nhận"}}); err != nil {
		t.Fatal(err)
	}
	record(domain.KindCancel, c.ID, domain.ReasonPayload{Reason: "Không bổ sung được"})
	clock = at(13, 3, 8)
	e := dossier(domain.OptionReturnOnly, "Ksor Y E")
	clock = at(20, 3, 9)
	in, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", []string{e.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", in.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Deliver(ctx, "gdv1", e.ID, domain.DeliverPayload{RecipientID: e.Applicant.IDNumber}); err != nil {
		t.Fatal(err)
	}
	clock = at(31, 3, 16)
	d := dossier(domain.OptionSendAndReturn, "Siu H'Dung")

	// every figure over hand-typed totals: 40 dossiers, 30 results
	clock = at(31, 3, 17)
	tf, err := ParseTotalsCSV([]byte("period_from,period_to,procedure_code,agency_code,month,dossiers_total,results_total\n"+
		"03/2026,03/2026,"+p.Code+","+p.AgencyCode+",03/2026,40,30\n"), "tong-so.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ImportPoint(ctx, s, "truong", tf); err != nil {
		t.Fatal(err)
	}
	march := domain.MonthPeriod(2026, time.March)
	check := func(when string, received int64) {
		t.Helper()
		r, err := PointReport(ctx, s, march)
		if err != nil {
			t.Fatal(err)
		}
		var row ProcedureRow
		for _, x := range r.Procedures {
			if x.Code == p.Code {
				row = x
			}
		}
		if row.Received != received || row.Registered != 1 || row.Returned != 1 {
			t.Errorf("%s: received %d registered %d returned %d, want %d, 1, 1", when, row.Received, row.Registered, row.Returned, received)
		}
		// figure 2: received over the 40 dossiers; figure 3: E's delivery over the same 40
		wantFigure(t, when, r.Total.Figure(domain.FigureDossiers), received, 40, 100*float64(received)/40, float64(received)/40 > 0.10)
		wantFigure(t, when, r.Total.Figure(domain.FigureResults), 1, 40, 2.5, false)
		if f := r.Total.Figure(domain.FigureProcedures); f.Numerator != 1 {
			t.Errorf("%s: figure 1 counts %d procedures, want 1", when, f.Numerator)
		}
	}
	// B once, C (cancelled after a handover), D (not yet cancelled); not A, not E
	check("on 31/03", 3)
	clock = at(2, 4, 9)
	record(domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "Công dân xin rút hồ sơ"})
	// D, cancelled in April before any handover, leaves March
	check("after D's cancellation on 02/04", 2)
}

package store

import (
	"errors"
	"os"
	"testing"
	"time"

	"postdesk/internal/domain"
)

const rtAgency = "000.00.20.H21"

func countEvents(t testing.TB, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func countHandovers(t testing.TB, s *Store) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM handovers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func intakeN(t testing.TB, s *Store, n int) []*domain.Dossier {
	t.Helper()
	names := []string{"Siu Thị Hằng", "Ksor Y Bhin", "Nguyễn Văn An", "Rơ Mah H'Bích", "Đinh Thị Blơm"}
	out := make([]*domain.Dossier, n)
	for i := range out {
		d := sampleDossier(names[i%len(names)], "0641900"+pad5(i), "0905123456")
		d.Fee, d.FeePayment, d.FeePaid = 8000, domain.PayNow, true
		got, err := s.Intake(ctx, "gdv1", d)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = got
	}
	return out
}

func pad5(i int) string {
	b := []byte("00000")
	for p := 4; p >= 0 && i > 0; p-- {
		b[p] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}

func wantFieldKey(t *testing.T, err error, key string) {
	t.Helper()
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Key != key {
		t.Fatalf("want FieldError %s, got %v", key, err)
	}
}

func wantMoveError(t *testing.T, err error, dossier string, st domain.State) {
	t.Helper()
	var me *domain.MoveError
	if !errors.As(err, &me) || me.Dossier != dossier || me.State != st {
		t.Fatalf("want MoveError naming %s in %s, got %v", dossier, st, err)
	}
}

func mustCheck(t *testing.T, s *Store) {
	t.Helper()
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
}

func ids(ds []*domain.Dossier) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func TestHandoverDraftCancelAndConfirm(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 3)
	before := countEvents(t, s)

	draft, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, ids(ds[:2]))
	if err != nil {
		t.Fatal(err)
	}
	if draft.ID != "BG-553140A-261125-01" || draft.Status() != domain.HandoverDraft || len(draft.Dossiers) != 2 {
		t.Fatalf("draft %+v", draft)
	}
	if countEvents(t, s) != before {
		t.Fatal("a draft must not record events")
	}
	// A dossier can be on one open draft only.
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, ids(ds[1:]))
	wantFieldKey(t, err, "err.handover.in_draft")

	// Cancelling changes nothing but the record.
	if _, err := s.CancelHandover(ctx, "buuta1", draft.ID); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		got, _ := s.Dossier(ctx, d.ID)
		if got.State != domain.StateReceived || got.Version != 1 {
			t.Fatalf("cancelled draft moved %s: %+v", d.ID, got)
		}
	}
	if countEvents(t, s) != before {
		t.Fatal("cancelling a draft must not record events")
	}
	_, err = s.ConfirmHandover(ctx, "buuta1", draft.ID, "Lê Thị Thu")
	wantFieldKey(t, err, "err.handover.not_draft")

	// A new draft with all three, confirmed: all at the agency in one go.
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, ids(ds))
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != "BG-553140A-261125-02" {
		t.Fatalf("second record of the day: %s", h.ID)
	}
	_, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "  ")
	wantFieldKey(t, err, "err.handover.officer")
	h, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu")
	if err != nil {
		t.Fatal(err)
	}
	if h.Status() != domain.HandoverConfirmed || h.Officer != "Lê Thị Thu" {
		t.Fatalf("confirmed %+v", h)
	}
	for _, d := range ds {
		got, _ := s.Dossier(ctx, d.ID)
		if got.State != domain.StateAtAgency || got.HandoverID != h.ID || got.AgencyOfficer != "Lê Thị Thu" {
			t.Fatalf("%s after confirm: %+v", d.ID, got)
		}
	}
	if countEvents(t, s) != before+3 {
		t.Fatalf("events %d, want %d", countEvents(t, s), before+3)
	}
	back, err := s.Handover(ctx, h.ID)
	if err != nil || back.Status() != domain.HandoverConfirmed || len(back.Dossiers) != 3 || back.Dossiers[2] != ds[2].ID {
		t.Fatalf("read back %+v %v", back, err)
	}
	list, err := s.Handovers(ctx, HandoverFilter{Direction: domain.HandoverOut})
	if err != nil || len(list) != 2 || list[0].ID != h.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	mustCheck(t, s)
}

func TestHandoverRefusalsChangeNothing(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 3)
	if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, ds[2].ID, domain.ReasonPayload{Reason: "rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	other := sampleDossier("Nay H'Mai", "064301000099", "0905123456")
	other.AgencyCode = "000.00.21.H21"
	od, err := s.Intake(ctx, "gdv1", other)
	if err != nil {
		t.Fatal(err)
	}
	events, handovers := countEvents(t, s), countHandovers(t, s)

	// Not "received".
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, []string{ds[0].ID, ds[2].ID})
	wantMoveError(t, err, ds[2].ID, domain.StateCancelled)
	// Another agency's dossier.
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, []string{ds[0].ID, od.ID})
	wantFieldKey(t, err, "err.handover.other_agency")
	// Unknown dossier, empty list.
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, []string{"553140A-261125-0999"})
	wantFieldKey(t, err, "err.dossier.unknown")
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, nil)
	wantFieldKey(t, err, "err.handover.empty")
	if countEvents(t, s) != events || countHandovers(t, s) != handovers {
		t.Fatal("a refused draft left a trace")
	}

	// A dossier that can no longer move aborts the whole confirmation.
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, ids(ds[:2]))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, ds[1].ID, domain.ReasonPayload{Reason: "rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	events = countEvents(t, s)
	_, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu")
	wantMoveError(t, err, ds[1].ID, domain.StateCancelled)
	if countEvents(t, s) != events {
		t.Fatal("an aborted confirmation recorded events")
	}
	if d, _ := s.Dossier(ctx, ds[0].ID); d.State != domain.StateReceived {
		t.Fatalf("the first dossier moved although the handover aborted: %s", d.State)
	}
	if back, _ := s.Handover(ctx, h.ID); back.Status() != domain.HandoverDraft {
		t.Fatal("an aborted confirmation confirmed the record")
	}
	mustCheck(t, s)
}

// toAgency hands ds over in one confirmed record.
func toAgency(t *testing.T, s *Store, ds []*domain.Dossier) *domain.Handover {
	t.Helper()
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, ids(ds))
	if err != nil {
		t.Fatal(err)
	}
	if h, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAgencyOutcomes(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 4)
	toAgency(t, s, ds)
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, domain.Zone)
	events := countEvents(t, s)

	// An official code in the wrong shape is refused, nothing changed.
	_, err := s.Accept(ctx, "gdv1", ds[0].ID, domain.AcceptPayload{OfficialCode: "H21-0975", DueDate: due})
	wantFieldKey(t, err, "err.official_code.format")
	if countEvents(t, s) != events {
		t.Fatal("a refused acceptance recorded an event")
	}
	d, err := s.Accept(ctx, "gdv1", ds[0].ID, domain.AcceptPayload{OfficialCode: "000.00.20.h21-261125-0975", DueDate: due})
	if err != nil {
		t.Fatal(err)
	}
	if d.State != domain.StateAccepted || d.OfficialCode != "000.00.20.H21-261125-0975" || !d.DueDate.Equal(due) {
		t.Fatalf("accepted %+v", d)
	}
	// The same official code on another dossier is a typing mistake.
	_, err = s.Accept(ctx, "gdv1", ds[1].ID, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0975", DueDate: due})
	wantFieldKey(t, err, "err.official_code.taken")

	// Supplement requested: back to the citizen, then to the counter queue.
	d, err = s.RequestSupplement(ctx, "gdv1", ds[1].ID, domain.SupplementPayload{Papers: []string{"Bản sao giấy xác nhận cư trú"}})
	if err != nil || d.State != domain.StateSupplementRequested || len(d.Supplement) != 1 {
		t.Fatalf("%+v %v", d, err)
	}
	_, err = s.RequestSupplement(ctx, "gdv1", ds[2].ID, domain.SupplementPayload{})
	wantFieldKey(t, err, "err.supplement.papers")
	if _, d, err = s.Record(ctx, "gdv1", domain.KindSupplementTaken, ds[1].ID, domain.SupplementTakenPayload{}); err != nil || d.State != domain.StateReceived {
		t.Fatalf("%+v %v", d, err)
	}
	// Rejected with a reason; the papers come back like a result.
	_, err = s.Reject(ctx, "gdv1", ds[2].ID, domain.ReasonPayload{})
	wantFieldKey(t, err, "err.reject.reason")
	if d, err = s.Reject(ctx, "gdv1", ds[2].ID, domain.ReasonPayload{Reason: "Không đủ điều kiện"}); err != nil || d.RejectReason == "" {
		t.Fatalf("%+v %v", d, err)
	}
	if d, err = s.ResultReady(ctx, "gdv1", ds[0].ID); err != nil || d.State != domain.StateResultReady {
		t.Fatalf("%+v %v", d, err)
	}
	_, err = s.ResultReady(ctx, "gdv1", ds[1].ID) // back at the counter, not at the agency
	wantMoveError(t, err, ds[1].ID, domain.StateReceived)
	mustCheck(t, s)
}

func TestInboundHandoverAndDelivery(t *testing.T) {
	s := newTestStore(t)
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk) // opens the proof key
	ds := intakeN(t, s, 3)
	toAgency(t, s, ds)
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, domain.Zone)
	if _, err := s.Accept(ctx, "gdv1", ds[0].ID, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0001", DueDate: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, "gdv1", ds[1].ID, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0002", DueDate: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, "gdv1", ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindSetItemCode, ds[1].ID, domain.ItemCodePayload{ItemCode: domain.MakeItemCode("RR", 47312482, "VN")}); err != nil {
		t.Fatal(err)
	}
	// Scanning finds dossiers by receipt number, official code or S10 code.
	for code, want := range map[string]string{
		ds[0].ID: ds[0].ID, "000.00.20.h21-261125-0001": ds[0].ID, domain.MakeItemCode("RR", 47312482, "VN"): ds[1].ID,
	} {
		d, err := s.FindByCode(ctx, code)
		if err != nil || d.ID != want {
			t.Fatalf("scan %s: %v %v", code, d, err)
		}
	}
	_, err := s.FindByCode(ctx, "RR000000000VN")
	wantFieldKey(t, err, "err.scan.unknown")

	// ds[2] is still at the agency without a result: it can come back too;
	// a received dossier cannot.
	events := countEvents(t, s)
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", ids(ds))
	if err != nil {
		t.Fatal(err)
	}
	if h.AgencyCode != rtAgency || h.ID != "BN-553140A-261125-01" {
		t.Fatalf("inbound %+v", h)
	}
	if _, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	// ds[1] and ds[2] were not marked ready: each gets result_ready then result_handover.
	if got := countEvents(t, s) - events; got != 5 {
		t.Fatalf("inbound recorded %d events, want 5", got)
	}
	for _, d := range ds {
		got, _ := s.Dossier(ctx, d.ID)
		if got.State != domain.StateResultAtPost || got.ResultAtPostAt == nil {
			t.Fatalf("%s: %+v", d.ID, got)
		}
	}

	// Delivery: the wrong ID is refused and nothing changes; the right one delivers.
	events = countEvents(t, s)
	_, err = s.Deliver(ctx, "gdv1", ds[0].ID, domain.DeliverPayload{RecipientID: "064190099999"},
		Proof{Kind: "signature", Ext: ".png", Data: []byte("\x89PNG fake")})
	wantFieldKey(t, err, "err.delivery.id_mismatch")
	if countEvents(t, s) != events {
		t.Fatal("a refused delivery recorded an event")
	}
	if entries, _ := os.ReadDir(s.ProofsDir()); len(entries) != 0 {
		t.Fatalf("a refused delivery left proof files: %v", entries)
	}
	d, err := s.Deliver(ctx, "gdv1", ds[0].ID, domain.DeliverPayload{RecipientID: ds[0].Applicant.IDNumber},
		Proof{Kind: "signature", Ext: ".png", Data: []byte("\x89PNG fake")})
	if err != nil {
		t.Fatal(err)
	}
	if d.State != domain.StateDelivered || d.Delivery.SignatureFile == "" || d.Delivery.RecipientName != ds[0].Applicant.FullName {
		t.Fatalf("delivered %+v", d.Delivery)
	}
	if b, err := s.ReadProof(d.Delivery.SignatureFile); err != nil || string(b) != "\x89PNG fake" {
		t.Fatalf("signature file: %v", err)
	}
	// Twice: refused, naming the state.
	events = countEvents(t, s)
	_, err = s.Deliver(ctx, "gdv1", ds[0].ID, domain.DeliverPayload{RecipientID: ds[0].Applicant.IDNumber})
	wantMoveError(t, err, ds[0].ID, domain.StateDelivered)
	if countEvents(t, s) != events {
		t.Fatal("a second delivery recorded an event")
	}
	// A dossier that is not back yet cannot be delivered.
	fresh := intakeN(t, s, 1)[0]
	events = countEvents(t, s)
	_, err = s.Deliver(ctx, "gdv1", fresh.ID, domain.DeliverPayload{RecipientID: fresh.Applicant.IDNumber})
	wantMoveError(t, err, fresh.ID, domain.StateReceived)
	_, err = s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", []string{fresh.ID})
	wantMoveError(t, err, fresh.ID, domain.StateReceived)
	if countEvents(t, s) != events {
		t.Fatal("refusals recorded events")
	}

	// The delivery round groups by commune and village; counter pickups apart.
	door, counter, err := s.DeliveryRound(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(counter) != 0 || len(door) != 1 || len(door[0].Dossiers) != 2 || door[0].Commune != "Ia Grai" {
		t.Fatalf("round %+v / %+v", door, counter)
	}
	if err := s.TakeOutForDelivery(ctx, "buuta1", []string{ds[1].ID, ds[2].ID}); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeOutForDelivery(ctx, "buuta1", []string{ds[0].ID}); err == nil {
		t.Fatal("a delivered result cannot go out again")
	}
	mustCheck(t, s)
}

func TestFailedAttemptsReturnToAgency(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 2)
	toAgency(t, s, ds)
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, rtAgency, ids(ds))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	if err := s.TakeOutForDelivery(ctx, "buuta1", ids(ds)); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.FailDelivery(ctx, "buuta1", ds[0].ID, domain.FailedPayload{Reason: "lost"})
	wantFieldKey(t, err, "err.delivery.fail_reason")
	for i, r := range []domain.FailReason{domain.FailNotHome, domain.FailWrongAddress} {
		d, ret, err := s.FailDelivery(ctx, "buuta1", ds[0].ID, domain.FailedPayload{Reason: r})
		if err != nil || ret != nil || d.State != domain.StateDeliveryFailed || d.FailedAttempts != i+1 {
			t.Fatalf("attempt %d: %+v %v %v", i+1, d, ret, err)
		}
	}
	// The third failure (Settings.MaxFailedAttempts = 3) returns it, with a record.
	d, ret, err := s.FailDelivery(ctx, "buuta1", ds[0].ID, domain.FailedPayload{Reason: domain.FailNotHome})
	if err != nil || d.State != domain.StateReturnedToAgency || ret == nil || ret.Direction != domain.HandoverReturn {
		t.Fatalf("third failure: %+v %+v %v", d, ret, err)
	}
	// A refusal returns at once, on the same open return record.
	d2, ret2, err := s.FailDelivery(ctx, "buuta1", ds[1].ID, domain.FailedPayload{Reason: domain.FailRefused})
	if err != nil || d2.State != domain.StateReturnedToAgency || ret2.ID != ret.ID || len(ret2.Dossiers) != 2 {
		t.Fatalf("refusal: %+v %+v %v", d2, ret2, err)
	}
	timeline, _ := s.DossierEvents(ctx, ds[1].ID)
	last := timeline[len(timeline)-1]
	if last.Kind != domain.KindReturnToAgency || string(last.Payload) != `{"reason":"refused","handover_id":"`+ret.ID+`"}` {
		t.Fatalf("return event %s %s", last.Kind, last.Payload)
	}
	_, err = s.CancelHandover(ctx, "truong", ret.ID)
	wantFieldKey(t, err, "err.handover.return_cancel")
	if _, err := s.ConfirmHandover(ctx, "buuta1", ret.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	// After the return no more attempts.
	_, _, err = s.FailDelivery(ctx, "buuta1", ds[0].ID, domain.FailedPayload{Reason: domain.FailNotHome})
	wantMoveError(t, err, ds[0].ID, domain.StateReturnedToAgency)
	mustCheck(t, s)
}

func TestResultOnlyRegistration(t *testing.T) {
	s := newTestStore(t)
	proc := domain.Procedure{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", AgencyCode: rtAgency, BCCIIntake: true}
	d := domain.Dossier{
		Applicant: domain.Person{FullName: "Kpă H'Lâm", IDNumber: "064301000777", IDType: domain.IDCCCD, Phone: "0905123456",
			Commune: "Ia Grai", Address: "Thôn 2"},
		ReturnMethod: domain.ReturnByPost, ReturnAddress: "Thôn 2, Ia Grai", OfficialCode: "000.00.20.H21-261120-0042",
	}
	got, err := s.RegisterResultOnly(ctx, "gdv1", d, proc)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != domain.StateResultReady || got.Option != domain.OptionReturnOnly {
		t.Fatalf("%+v", got)
	}
	tl, _ := s.DossierEvents(ctx, got.ID)
	if len(tl) != 1 || tl[0].Kind != domain.KindRegisterResult {
		t.Fatalf("timeline %+v", tl)
	}
	_, err = s.RegisterResultOnly(ctx, "gdv1", d, proc)
	wantFieldKey(t, err, "err.official_code.taken")
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", []string{got.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	if back, _ := s.Dossier(ctx, got.ID); back.State != domain.StateResultAtPost {
		t.Fatalf("state %s", back.State)
	}
	mustCheck(t, s)
}

func TestTodo(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 6)
	toAgency(t, s, ds[:5]) // ds[5] waits for a handover
	future := time.Date(2026, 12, 24, 0, 0, 0, 0, domain.Zone)
	// ds[0] and ds[1] accepted, due in a month.
	for i, due := range []time.Time{future, future} {
		code := domain.OfficialCode{Agency: rtAgency, Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Seq: i + 1}.String()
		if _, err := s.Accept(ctx, "gdv1", ds[i].ID, domain.AcceptPayload{OfficialCode: code, DueDate: due}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RequestSupplement(ctx, "gdv1", ds[2].ID, domain.SupplementPayload{Papers: []string{"Tờ khai"}}); err != nil {
		t.Fatal(err)
	}
	h, _ := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", []string{ds[3].ID, ds[4].ID})
	if _, err := s.ConfirmHandover(ctx, "buuta1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.FailDelivery(ctx, "buuta1", ds[4].ID, domain.FailedPayload{Reason: domain.FailNotHome}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordFeedback(ctx, "gdv1", "", domain.FeedbackPayload{Topic: domain.FeedbackSuggestion, Text: "Mở cửa sớm hơn"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, []string{ds[5].ID}); err != nil {
		t.Fatal(err)
	}

	// Today: nothing overdue, nothing waiting too long.
	now := time.Date(2026, 11, 25, 15, 0, 0, 0, domain.Zone)
	td, err := s.Todo(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(td.ToHandOver) != 1 || td.ToHandOver[0].Count != 1 || td.ToHandOver[0].Agency.Code != rtAgency {
		t.Fatalf("to hand over %+v", td.ToHandOver)
	}
	if len(td.Drafts) != 1 || len(td.Overdue) != 0 || len(td.Waiting) != 0 || td.OpenFeedback != 1 {
		t.Fatalf("today %+v", td)
	}
	if len(td.Supplement) != 1 || td.Supplement[0].Applicant.Phone == "" || len(td.Retry) != 1 || td.Retry[0].ID != ds[4].ID {
		t.Fatalf("supplement/retry %+v %+v", td.Supplement, td.Retry)
	}
	// A month later: both accepted dossiers are past their date; ds[3] has waited too long.
	td, err = s.Todo(ctx, now.AddDate(0, 1, 0))
	if err != nil {
		t.Fatal(err)
	}
	if td.Counts["overdue"] != 2 || len(td.Overdue) != 2 || td.Counts["waiting"] != 1 || td.Waiting[0].ID != ds[3].ID {
		t.Fatalf("a month later %+v %+v", td.Counts, td.Waiting)
	}
}

func TestFeedbackRecordAndClose(t *testing.T) {
	s := newTestStore(t)
	d := intakeN(t, s, 1)[0]
	general, err := s.RecordFeedback(ctx, "gdv1", "", domain.FeedbackPayload{Topic: domain.FeedbackComplaint,
		Text: "Phải chờ lâu", ContactName: "Siu Thị Hằng", ContactPhone: "0905 123 456"})
	if err != nil {
		t.Fatal(err)
	}
	about, err := s.RecordFeedback(ctx, "buuta1", d.ID, domain.FeedbackPayload{Topic: domain.FeedbackPraise, Text: "Bưu tá nhiệt tình", Place: domain.PlaceHome})
	if err != nil {
		t.Fatal(err)
	}
	events := countEvents(t, s)
	_, err = s.RecordFeedback(ctx, "gdv1", "553140A-261125-0999", domain.FeedbackPayload{Topic: domain.FeedbackPraise, Text: "x"})
	wantFieldKey(t, err, "err.dossier.unknown")
	_, err = s.RecordFeedback(ctx, "gdv1", "", domain.FeedbackPayload{Topic: domain.FeedbackPraise})
	if err == nil || countEvents(t, s) != events {
		t.Fatal("an empty feedback must be refused, nothing recorded")
	}
	open, err := s.Feedbacks(ctx, true)
	if err != nil || len(open) != 2 || open[0].ID != about.ID || open[1].ContactPhone != "0905123456" {
		t.Fatalf("open %+v %v", open, err)
	}
	// The dossier's timeline shows it.
	tl, _ := s.DossierEvents(ctx, d.ID)
	if tl[len(tl)-1].Kind != domain.KindFeedback {
		t.Fatal("feedback about a dossier must be in its timeline")
	}
	if err := s.CloseFeedback(ctx, "truong", domain.FeedbackClosePayload{Feedback: general.ID, Action: "Đã bố trí thêm người trực giờ cao điểm"}); err != nil {
		t.Fatal(err)
	}
	err = s.CloseFeedback(ctx, "truong", domain.FeedbackClosePayload{Feedback: general.ID, Action: "lần nữa"})
	wantFieldKey(t, err, "err.feedback.closed")
	err = s.CloseFeedback(ctx, "truong", domain.FeedbackClosePayload{Feedback: "553140-A/999", Action: "x"})
	wantFieldKey(t, err, "err.feedback.unknown")
	open, _ = s.Feedbacks(ctx, true)
	all, _ := s.Feedbacks(ctx, false)
	if len(open) != 1 || len(all) != 2 || all[1].ClosedBy != "truong" || all[1].Action == "" {
		t.Fatalf("after close: open %+v all %+v", open, all)
	}
	if err := s.CloseFeedback(ctx, "truong", domain.FeedbackClosePayload{Feedback: about.ID, Action: "Đã cảm ơn"}); err != nil {
		t.Fatal(err)
	}
	if tl, _ := s.DossierEvents(ctx, d.ID); tl[len(tl)-1].Kind != domain.KindFeedbackClose {
		t.Fatal("closing a dossier's feedback shows in its timeline")
	}
	mustCheck(t, s)
}

// Record numbers stay unique and ordered past the 99th of a day.
func TestHandoverNumbersPast99(t *testing.T) {
	s := newTestStore(t)
	d := intakeN(t, s, 1)[0]
	var last string
	for i := 1; i <= 101; i++ {
		h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverOut, rtAgency, []string{d.ID})
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if _, err := s.CancelHandover(ctx, "buuta1", h.ID); err != nil {
			t.Fatal(err)
		}
		last = h.ID
	}
	if last != "BG-553140A-261125-101" {
		t.Fatalf("101st record of the day: %s", last)
	}
}

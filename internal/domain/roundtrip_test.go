package domain

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

const testAgency = "000.00.20.H21"

func rtDossier(id string, st State) *Dossier {
	return &Dossier{
		ID: id, State: st, Option: OptionSendAndReturn, AgencyCode: testAgency,
		Applicant: Person{FullName: "Rơ Mah H'Bích", IDNumber: "064301000045", IDType: IDCCCD, Phone: "0356789012"},
		Documents: []DocumentItem{
			{Name: "Tờ khai", Required: true, Received: true, Count: 2},
			{Name: "Bản sao CCCD", Received: true, Count: 1},
			{Name: "Giấy tờ không mang", Required: false, Received: false, Count: 1},
		},
		Fee: 8000, FeePayment: PayNow, FeePaid: true,
	}
}

// wantKey asserts err is a FieldError with the given key.
func wantKey(t *testing.T, err error, key string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != key {
		t.Fatalf("want FieldError %s, got %v", key, err)
	}
}

// wantMove asserts err is a MoveError naming the dossier and the state.
func wantMove(t *testing.T, err error, dossier string, st State) {
	t.Helper()
	var me *MoveError
	if !errors.As(err, &me) || me.Dossier != dossier || me.State != st {
		t.Fatalf("want MoveError for %s in %s, got %v", dossier, st, err)
	}
}

func TestCheckHandoverOut(t *testing.T) {
	a, b := rtDossier("A1", StateReceived), rtDossier("B2", StateReceived)
	if err := CheckHandoverOut(testAgency, []*Dossier{a, b}); err != nil {
		t.Fatal(err)
	}
	wantKey(t, CheckHandoverOut(testAgency, nil), "err.handover.empty")
	wantKey(t, CheckHandoverOut(testAgency, []*Dossier{a, a}), "err.handover.duplicate")
	at := rtDossier("C3", StateAtAgency)
	wantMove(t, CheckHandoverOut(testAgency, []*Dossier{a, at}), "C3", StateAtAgency)
	other := rtDossier("D4", StateReceived)
	other.AgencyCode = "000.00.21.H21"
	err := CheckHandoverOut(testAgency, []*Dossier{a, other})
	wantKey(t, err, "err.handover.other_agency")
	if fe := err.(*FieldError); fe.Args["Dossier"] != "D4" || fe.Args["Agency"] != "000.00.21.H21" {
		t.Fatalf("the error must name the dossier and its agency: %+v", fe.Args)
	}
}

func TestInboundMoves(t *testing.T) {
	cases := []struct {
		st   State
		opt  ServiceOption
		want []Kind
		bad  bool
	}{
		{StateResultReady, OptionSendAndReturn, []Kind{KindResultHandover}, false},
		{StateRejected, OptionSendAndReturn, []Kind{KindResultHandover}, false},
		{StateAccepted, OptionSendAndReturn, []Kind{KindResultReady, KindResultHandover}, false},
		{StateAtAgency, OptionSendAndReturn, []Kind{KindResultReady, KindResultHandover}, false},
		{StateResultReady, OptionReturnOnly, []Kind{KindResultHandover}, false},
		{StateReceived, OptionSendAndReturn, nil, true},
		{StateResultAtPost, OptionSendAndReturn, nil, true},
		{StateAccepted, OptionSend, nil, true}, // the citizen did not choose return by post
	}
	for _, c := range cases {
		d := rtDossier("X1", c.st)
		d.Option = c.opt
		got, err := InboundMoves(d)
		if c.bad {
			wantMove(t, err, "X1", c.st)
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Fatalf("%s/%s: got %v %v, want %v", c.st, c.opt, got, err, c.want)
		}
	}
	wantKey(t, CheckHandoverIn("000.00.99.H21", []*Dossier{rtDossier("Y", StateResultReady)}), "err.handover.other_agency")
	if err := CheckHandoverIn("", []*Dossier{rtDossier("Y", StateResultReady)}); err != nil {
		t.Fatal(err)
	}
}

func TestHandoverNumberAndTotals(t *testing.T) {
	dev := Device{PostPointCode: "553140", Letter: "A"}
	at := time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC) // already the 26th in Vietnam
	if got := HandoverNumber(HandoverOut, dev, at, 3); got != "BG-553140A-261126-03" {
		t.Fatalf("number %s", got)
	}
	if got := HandoverNumber(HandoverIn, dev, at, 12); got != "BN-553140A-261126-12" {
		t.Fatalf("number %s", got)
	}
	a, b := rtDossier("A", StateReceived), rtDossier("B", StateReceived)
	b.FeePayment, b.FeePaid = PayOnDelivery, false
	tot := TotalHandover([]*Dossier{a, b})
	if tot.Dossiers != 2 || tot.Papers != 6 || tot.Fees != 8000 {
		t.Fatalf("totals %+v", tot)
	}
	h := &Handover{}
	if h.Status() != HandoverDraft {
		t.Fatal("a new record is a draft")
	}
	now := time.Now()
	h.ConfirmedAt = &now
	if h.Status() != HandoverConfirmed {
		t.Fatal("confirmed")
	}
	if _, err := CheckOfficer("  "); err == nil {
		t.Fatal("an empty officer's name must be refused")
	}
	if n, err := CheckOfficer(" Lê  Thị Thu "); err != nil || n != "Lê Thị Thu" {
		t.Fatalf("officer %q %v", n, err)
	}
}

func TestPrepareAccept(t *testing.T) {
	d := rtDossier("A", StateAtAgency)
	handed := time.Date(2026, 11, 25, 10, 0, 0, 0, Zone)
	d.HandedOverAt = &handed
	due := time.Date(2026, 12, 2, 15, 0, 0, 0, Zone)
	p, err := PrepareAccept(d, AcceptPayload{OfficialCode: " 000.00.20.h21-261125-0975 ", DueDate: due})
	if err != nil {
		t.Fatal(err)
	}
	if p.OfficialCode != "000.00.20.H21-261125-0975" || !p.DueDate.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, Zone)) {
		t.Fatalf("normalised %+v", p)
	}
	_, err = PrepareAccept(d, AcceptPayload{OfficialCode: "H21-261125", DueDate: due})
	wantKey(t, err, "err.official_code.format")
	_, err = PrepareAccept(d, AcceptPayload{OfficialCode: "000.00.20.H21-261125-0975"})
	wantKey(t, err, "err.accept.due_missing")
	_, err = PrepareAccept(d, AcceptPayload{OfficialCode: "000.00.20.H21-261125-0975", DueDate: handed.AddDate(0, 0, -1)})
	wantKey(t, err, "err.accept.due_before")
	_, err = PrepareAccept(rtDossier("R", StateReceived), AcceptPayload{OfficialCode: "000.00.20.H21-261125-0975", DueDate: due})
	wantMove(t, err, "R", StateReceived)
}

func TestPrepareSupplementAndReject(t *testing.T) {
	d := rtDossier("A", StateAccepted)
	p, err := PrepareSupplement(d, SupplementPayload{Papers: []string{" Bản sao sổ hộ khẩu \nGiấy xác nhận cư trú", ""}})
	if err != nil || !reflect.DeepEqual(p.Papers, []string{"Bản sao sổ hộ khẩu", "Giấy xác nhận cư trú"}) {
		t.Fatalf("%+v %v", p, err)
	}
	_, err = PrepareSupplement(d, SupplementPayload{Papers: []string{" "}})
	wantKey(t, err, "err.supplement.papers")
	_, err = PrepareReject(d, ReasonPayload{Reason: "  "})
	wantKey(t, err, "err.reject.reason")
	if r, err := PrepareReject(d, ReasonPayload{Reason: " Không đủ điều kiện "}); err != nil || r.Reason != "Không đủ điều kiện" {
		t.Fatalf("%+v %v", r, err)
	}
	_, err = PrepareReject(rtDossier("B", StateResultReady), ReasonPayload{Reason: "x"})
	wantMove(t, err, "B", StateResultReady)
}

func TestPrepareResultOnly(t *testing.T) {
	proc := Procedure{Code: "1.001193", Name: "Đăng ký khai sinh", AgencyCode: testAgency, BCCIIntake: true}
	d := Dossier{
		Applicant: Person{FullName: "Ksor Y Bhin", IDNumber: "064090001234", IDType: IDCCCD, Phone: "0905123456",
			Commune: "Ia O", Address: "Làng Mrông Yố"},
		ReturnMethod: ReturnByPost, ReturnAddress: "Làng Mrông Yố, Ia O",
	}
	_, errs := PrepareResultOnly(d, proc)
	if !hasField(errs, "official_code") {
		t.Fatalf("a result-only registration needs the official code: %v", errs)
	}
	d.OfficialCode = "000.00.20.H21-261120-0042"
	out, errs := PrepareResultOnly(d, proc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if out.Option != OptionReturnOnly || out.ProcedureCode != proc.Code || out.Place != PlaceCounter {
		t.Fatalf("%+v", out)
	}
}

func TestPrepareDelivery(t *testing.T) {
	d := rtDossier("A", StateResultAtPost)
	// The applicant, ID typed with spaces.
	p, err := PrepareDelivery(d, DeliverPayload{RecipientID: "064 301 000 045"})
	if err != nil || p.RecipientName != "Rơ Mah H'Bích" || p.RecipientID != "064301000045" {
		t.Fatalf("%+v %v", p, err)
	}
	// The ID card's QR code scanned into the field.
	p, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000045|231234567|Rơ Mah H'Bích|01011990|Nữ|Làng Mrông Yố|15082021"})
	if err != nil || p.RecipientID != "064301000045" || p.RecipientName != "Rơ Mah H'Bích" {
		t.Fatalf("card QR: %+v %v", p, err)
	}
	// Someone else's card QR, authorised, takes the name from the card.
	p, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000046||Siu Thị Hằng|02021992|Nữ|Thôn 1|01012022",
		Authorised: true, LetterNote: "Giấy ủy quyền số 3"})
	if err != nil || p.RecipientName != "Siu Thị Hằng" || !p.Authorised {
		t.Fatalf("authorised card QR: %+v %v", p, err)
	}
	// Someone else, not authorised.
	_, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000046", RecipientName: "Siu Thị Hằng"})
	wantKey(t, err, "err.delivery.id_mismatch")
	// Authorised without the letter, then with it.
	_, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000046", RecipientName: "Siu Thị Hằng", Authorised: true})
	wantKey(t, err, "err.delivery.no_letter")
	if _, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000046", RecipientName: "Siu Thị Hằng", Authorised: true,
		LetterNote: "Giấy ủy quyền số 12 ngày 20/11/2026"}); err != nil {
		t.Fatal(err)
	}
	_, err = PrepareDelivery(d, DeliverPayload{})
	wantKey(t, err, "err.delivery.no_id")
	// Not deliverable: not back yet, already delivered.
	_, err = PrepareDelivery(rtDossier("R", StateReceived), DeliverPayload{RecipientID: "064301000045"})
	wantMove(t, err, "R", StateReceived)
	_, err = PrepareDelivery(rtDossier("D", StateDelivered), DeliverPayload{RecipientID: "064301000045"})
	wantMove(t, err, "D", StateDelivered)
	// Fee still due on delivery must be collected in full.
	due := rtDossier("F", StateOutForDelivery)
	due.FeePayment, due.FeePaid = PayOnDelivery, false
	if AmountDue(due) != 8000 {
		t.Fatalf("due %v", AmountDue(due))
	}
	_, err = PrepareDelivery(due, DeliverPayload{RecipientID: "064301000045"})
	wantKey(t, err, "err.delivery.fee")
	if p, err := PrepareDelivery(due, DeliverPayload{RecipientID: "064301000045", FeeCollected: 8000, ByTransfer: true}); err != nil || !p.ByTransfer {
		t.Fatalf("%+v %v", p, err)
	}
	_, err = PrepareDelivery(d, DeliverPayload{RecipientID: "064301000045", FeeCollected: 5000})
	wantKey(t, err, "err.delivery.fee") // nothing was due
}

func TestFailurePolicy(t *testing.T) {
	d := rtDossier("A", StateOutForDelivery)
	p, back, err := PrepareFailure(d, FailedPayload{Reason: FailNotHome}, 3)
	if err != nil || back || p.Attempt != 1 {
		t.Fatalf("%+v %v %v", p, back, err)
	}
	d.State, d.FailedAttempts = StateDeliveryFailed, 2
	if _, back, _ = PrepareFailure(d, FailedPayload{Reason: FailMoved}, 3); !back {
		t.Fatal("the third failure sends the result back")
	}
	d.FailedAttempts = 0
	if _, back, _ = PrepareFailure(d, FailedPayload{Reason: FailRefused}, 3); !back {
		t.Fatal("a refusal sends the result back at once")
	}
	_, _, err = PrepareFailure(d, FailedPayload{Reason: "dog"}, 3)
	wantKey(t, err, "err.delivery.fail_reason")
	_, _, err = PrepareFailure(rtDossier("X", StateDelivered), FailedPayload{Reason: FailNotHome}, 3)
	wantMove(t, err, "X", StateDelivered)
	if MustReturn(1, FailNotHome, 0) || !MustReturn(3, FailNotHome, 0) {
		t.Fatal("0 means the default of 3 attempts")
	}
	for _, r := range FailReasons {
		if !r.Valid() || r.Key() != "delivery.fail."+string(r) {
			t.Fatalf("reason %s", r)
		}
	}
}

func TestFeedback(t *testing.T) {
	p, errs := PrepareFeedback(FeedbackPayload{Topic: FeedbackComplaint, Text: "  Chờ lâu quá ", ContactPhone: "0905 123 456"})
	if len(errs) > 0 || p.Text != "Chờ lâu quá" || p.ContactPhone != "0905123456" || p.Place != PlaceCounter {
		t.Fatalf("%+v %v", p, errs)
	}
	_, errs = PrepareFeedback(FeedbackPayload{Topic: "rant", Text: " ", ContactPhone: "12"})
	if len(errs) != 3 {
		t.Fatalf("want topic, text and phone errors, got %v", errs)
	}
	if _, err := PrepareFeedbackClose(FeedbackClosePayload{Feedback: "553140-A/3"}); err == nil {
		t.Fatal("closing needs what was done")
	}
	// A feedback about a dossier annotates it without moving it.
	d := rtDossier("A", StateAtAgency)
	raw, _ := json.Marshal(p)
	e := &Event{DeviceID: "553140-A", Seq: 9, Kind: KindFeedback, Dossier: "A", At: time.Now(), Payload: raw}
	next, err := Apply(d, e)
	if err != nil || next.State != StateAtAgency || next.Version != d.Version+1 {
		t.Fatalf("%+v %v", next, err)
	}
	if _, err := Apply(nil, e); err == nil {
		t.Fatal("feedback about a dossier that does not exist must be refused")
	}
	if FeedbackID(e) != "553140-A/9" {
		t.Fatal(FeedbackID(e))
	}
}

package domain

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// legal is the round trip of DESIGN.md written out move by move, independently
// of the lifecycle table: from state, move → to state, and which options allow it.
var legal = []struct {
	from    State
	move    Kind
	to      State
	options []ServiceOption
}{
	{"", KindIntake, StateReceived, []ServiceOption{OptionSend, OptionSendAndReturn}},
	{"", KindRegisterResult, StateResultReady, []ServiceOption{OptionReturnOnly}},
	{StateReceived, KindCancel, StateCancelled, sendOptions},
	{StateSupplementRequested, KindCancel, StateCancelled, sendOptions},
	{StateReceived, KindHandover, StateAtAgency, sendOptions},
	{StateAtAgency, KindAccept, StateAccepted, sendOptions},
	{StateAtAgency, KindRequestSupplement, StateSupplementRequested, sendOptions},
	{StateAccepted, KindRequestSupplement, StateSupplementRequested, sendOptions},
	{StateSupplementRequested, KindSupplementTaken, StateReceived, sendOptions},
	{StateAtAgency, KindReject, StateRejected, sendOptions},
	{StateAccepted, KindReject, StateRejected, sendOptions},
	{StateAtAgency, KindResultReady, StateResultReady, sendOptions},
	{StateAccepted, KindResultReady, StateResultReady, sendOptions},
	{StateRejected, KindResultReady, StateResultReady, sendOptions},
	{StateResultReady, KindResultHandover, StateResultAtPost, returnOptions},
	{StateRejected, KindResultHandover, StateResultAtPost, returnOptions},
	{StateResultAtPost, KindOutForDelivery, StateOutForDelivery, returnOptions},
	{StateDeliveryFailed, KindOutForDelivery, StateOutForDelivery, returnOptions},
	{StateResultAtPost, KindDeliver, StateDelivered, returnOptions},
	{StateOutForDelivery, KindDeliver, StateDelivered, returnOptions},
	{StateDeliveryFailed, KindDeliver, StateDelivered, returnOptions},
	{StateResultAtPost, KindDeliveryFailed, StateDeliveryFailed, returnOptions},
	{StateOutForDelivery, KindDeliveryFailed, StateDeliveryFailed, returnOptions},
	{StateDeliveryFailed, KindDeliveryFailed, StateDeliveryFailed, returnOptions},
	{StateResultAtPost, KindReturnToAgency, StateReturnedToAgency, returnOptions},
	{StateOutForDelivery, KindReturnToAgency, StateReturnedToAgency, returnOptions},
	{StateDeliveryFailed, KindReturnToAgency, StateReturnedToAgency, returnOptions},
}

var (
	sendOptions   = []ServiceOption{OptionSend, OptionSendAndReturn}
	returnOptions = []ServiceOption{OptionSendAndReturn, OptionReturnOnly}
	allOptions    = []ServiceOption{OptionSend, OptionSendAndReturn, OptionReturnOnly}
)

// TestEveryMove tries every move from every state (and from no dossier) under
// every service option: the legal ones lead where DESIGN.md says, every other
// one is a *MoveError naming the state and the move.
func TestEveryMove(t *testing.T) {
	expect := map[State]map[Kind]map[ServiceOption]State{}
	for _, l := range legal {
		if expect[l.from] == nil {
			expect[l.from] = map[Kind]map[ServiceOption]State{}
		}
		if expect[l.from][l.move] == nil {
			expect[l.from][l.move] = map[ServiceOption]State{}
		}
		for _, o := range l.options {
			expect[l.from][l.move][o] = l.to
		}
	}
	froms := append([]State{""}, States...)
	legalCount, illegalCount := 0, 0
	for _, from := range froms {
		for _, move := range Moves() {
			for _, opt := range allOptions {
				got, err := Next("X-1", from, opt, move)
				want, ok := expect[from][move][opt]
				if ok {
					legalCount++
					if err != nil || got != want {
						t.Errorf("%q --%s--> (%s): got %q, %v; want %q", from, move, opt, got, err, want)
					}
					continue
				}
				illegalCount++
				var me *MoveError
				if !errors.As(err, &me) {
					t.Errorf("%q --%s--> (%s): allowed (to %q), want a MoveError", from, move, opt, got)
					continue
				}
				if me.State != from || me.Move != move || !strings.Contains(err.Error(), string(move)) {
					t.Errorf("%q --%s-->: error does not name the state and move: %v", from, move, err)
				}
				if from != "" && !strings.Contains(err.Error(), string(from)) {
					t.Errorf("%q --%s-->: error does not name the state: %v", from, move, err)
				}
			}
		}
	}
	if legalCount < 50 || illegalCount < 300 {
		t.Fatalf("suspiciously few cases: %d legal, %d illegal", legalCount, illegalCount)
	}
	if _, err := Next("X-1", StateReceived, OptionSend, KindNote); err == nil {
		t.Error("an annotation passed as a lifecycle move")
	}
}

func TestAllowedMatchesNext(t *testing.T) {
	got := Allowed(StateReceived, OptionSend)
	want := []Kind{KindCancel, KindHandover}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Allowed(received, send) = %v, want %v", got, want)
	}
	if len(Allowed(StateDelivered, OptionSendAndReturn)) != 0 || len(Allowed(StateCancelled, OptionSend)) != 0 {
		t.Fatal("a final state allows moves")
	}
}

func event(seq int64, kind Kind, dossier string, payload any) *Event {
	e := &Event{DeviceID: "600900-A", Seq: seq, Kind: kind, Dossier: dossier, Staff: "gdv1",
		At: time.Date(2026, 11, 25, 2, 0, int(seq), 0, time.UTC)}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	return e
}

func TestApplyRecipientAndCodes(t *testing.T) {
	d := Dossier{ID: "600900A-261125-0001", Option: OptionSendAndReturn,
		Applicant: Person{FullName: "Siu Thị Hằng", IDNumber: "064190000123"}}
	cur, err := Apply(nil, event(1, KindIntake, d.ID, d))
	if err != nil || cur.State != StateReceived || cur.Version != 1 || cur.ReceivedBy != "gdv1" {
		t.Fatalf("intake: %+v %v", cur, err)
	}
	if _, err := Apply(cur, event(2, KindIntake, d.ID, d)); err == nil {
		t.Fatal("a second intake of the same dossier was accepted")
	}
	cur, _ = Apply(cur, event(2, KindHandover, d.ID, HandoverPayload{HandoverID: "BG-1", Officer: "Lê Văn Tám"}))
	// An official code in the wrong shape is refused and the dossier is unchanged.
	before := *cur
	if _, err := Apply(cur, event(3, KindAccept, d.ID, AcceptPayload{OfficialCode: "H21-2610-1"})); err == nil {
		t.Fatal("a malformed official code was accepted")
	}
	if cur.State != before.State || cur.OfficialCode != "" {
		t.Fatal("Apply changed the dossier it was given")
	}
	cur, err = Apply(cur, event(3, KindAccept, d.ID, AcceptPayload{OfficialCode: "000.00.20.H21-261008-0975"}))
	if err != nil || cur.OfficialCode != "000.00.20.H21-261008-0975" {
		t.Fatalf("accept: %v", err)
	}
	for i, k := range []Kind{KindResultReady, KindResultHandover} {
		if cur, err = Apply(cur, event(int64(4+i), k, d.ID, nil)); err != nil {
			t.Fatal(err)
		}
	}
	// Delivery: a stranger, an authorised person without a letter, then the applicant.
	if _, err := Apply(cur, event(6, KindDeliver, d.ID, DeliverPayload{RecipientName: "X", RecipientID: "064190000999"})); err == nil {
		t.Fatal("delivered to someone whose ID matches nobody allowed")
	}
	if _, err := Apply(cur, event(6, KindDeliver, d.ID, DeliverPayload{RecipientName: "Ksor Y Bhin", RecipientID: "064090000111", Authorised: true})); err == nil {
		t.Fatal("delivered to an authorised person without a letter")
	}
	got, err := Apply(cur, event(6, KindDeliver, d.ID, DeliverPayload{RecipientName: "Ksor Y Bhin", RecipientID: "064090000111",
		Authorised: true, LetterNote: "Giấy ủy quyền ngày 20/11/2026"}))
	if err != nil || got.State != StateDelivered || !got.Delivery.Authorised {
		t.Fatalf("authorised delivery: %v", err)
	}
	got, err = Apply(cur, event(6, KindDeliver, d.ID, DeliverPayload{RecipientName: "Siu Thị Hằng", RecipientID: "064190000123"}))
	if err != nil || got.Delivery == nil || got.Delivery.By != "gdv1" {
		t.Fatalf("delivery to the applicant: %v", err)
	}
	if _, err := Apply(got, event(7, KindDeliver, d.ID, DeliverPayload{RecipientID: "064190000123"})); err == nil {
		t.Fatal("delivered twice")
	}
}

func TestChain(t *testing.T) {
	var events []Event
	prev := ""
	for i := int64(1); i <= 3; i++ {
		e := event(i, KindNote, "D", NotePayload{Text: "ghi chú"})
		e.Seal(prev)
		prev = e.Hash
		events = append(events, *e)
	}
	if err := VerifyChain("", events); err != nil {
		t.Fatal(err)
	}
	forged := append([]Event(nil), events...)
	forged[1].Staff = "mallory"
	if err := VerifyChain("", forged); err == nil || !strings.Contains(err.Error(), "event 2") {
		t.Fatalf("a changed staff name went unnoticed: %v", err)
	}
	gap := []Event{events[0], events[2]}
	if err := VerifyChain("", gap); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("a gap went unnoticed: %v", err)
	}
	reordered := []Event{events[1], events[0]}
	if err := VerifyChain("", reordered); err == nil {
		t.Fatal("reordered events verified")
	}
	// The canonical form is unambiguous: moving bytes between fields changes the hash.
	a := Event{DeviceID: "A", Staff: "BC"}
	b := Event{DeviceID: "AB", Staff: "C"}
	if a.ComputeHash() == b.ComputeHash() {
		t.Fatal("hash ignores field boundaries")
	}
}

package domain

import (
	"errors"
	"fmt"
)

// State is where a dossier stands in its round trip.
type State string

const (
	StateReceived            State = "received"             // taken at the counter or at home
	StateCancelled           State = "cancelled"            // cancelled before handover
	StateAtAgency            State = "at_agency"            // handed over to the agency
	StateAccepted            State = "accepted"             // agency accepted: official code, due date
	StateSupplementRequested State = "supplement_requested" // agency asks for more papers
	StateRejected            State = "rejected"             // agency refused; papers still go back
	StateResultReady         State = "result_ready"         // result ready at the agency
	StateResultAtPost        State = "result_at_post"       // result brought back to the post point
	StateOutForDelivery      State = "out_for_delivery"     // with the postal worker
	StateDeliveryFailed      State = "delivery_failed"      // last attempt failed; to retry
	StateDelivered           State = "delivered"            // in the citizen's hands
	StateReturnedToAgency    State = "returned_to_agency"   // undeliverable, sent back
)

// States lists every state in round-trip order, for filters and reports.
var States = []State{
	StateReceived, StateAtAgency, StateAccepted, StateSupplementRequested, StateRejected,
	StateResultReady, StateResultAtPost, StateOutForDelivery, StateDeliveryFailed,
	StateDelivered, StateReturnedToAgency, StateCancelled,
}

// Kind is the type of an event. Dossier kinds are moves of the lifecycle;
// other kinds (staff, catalog, settings…) are recorded but move nothing.
type Kind string

const (
	KindIntake            Kind = "dossier.intake"
	KindRegisterResult    Kind = "dossier.register_result_only"
	KindCancel            Kind = "dossier.cancel"
	KindHandover          Kind = "dossier.handover"
	KindAccept            Kind = "dossier.accept"
	KindRequestSupplement Kind = "dossier.request_supplement"
	KindSupplementTaken   Kind = "dossier.supplement_received"
	KindReject            Kind = "dossier.reject"
	KindResultReady       Kind = "dossier.result_ready"
	KindResultHandover    Kind = "dossier.result_handover"
	KindOutForDelivery    Kind = "dossier.out_for_delivery"
	KindDeliver           Kind = "dossier.deliver"
	KindDeliveryFailed    Kind = "dossier.delivery_failed"
	KindReturnToAgency    Kind = "dossier.return_to_agency"
	// Kinds that annotate a dossier without moving it.
	KindSetItemCode   Kind = "dossier.set_item_code"
	KindReceiptPrint  Kind = "dossier.receipt_printed"
	KindNote          Kind = "dossier.note"
	KindResolve       Kind = "dossier.conflict_resolved" // a supervisor settles a conflict (order.go)
	KindFeedback      Kind = "feedback.recorded"
	KindFeedbackClose Kind = "feedback.closed"
	// Kinds about the post point rather than a dossier.
	KindCatalogImported Kind = "catalog.imported"
	KindStaffAdded      Kind = "staff.added"
	KindStaffChanged    Kind = "staff.changed"
	KindSettingsChanged Kind = "settings.changed"
	KindCatalogShared   Kind = "catalog.shared" // a catalog imported on a device, for its peers (parts)
	KindTotalsShared    Kind = "totals.shared"  // all-channel totals imported on a device, for its peers (parts)
	// Sign-in kinds (the desk): a sign-in and an account locked after too many wrong PINs.
	KindStaffSignedIn Kind = "staff.signed_in"
	KindStaffLocked   Kind = "staff.locked"
)

// move is one row of the lifecycle table.
type move struct {
	from []State // empty: the move creates the dossier
	to   State
	// needs, when set, is a rule about the service option.
	needs func(ServiceOption) bool
	why   string // reason shown when needs fails
}

// lifecycle is the one table of legal moves. Every change of state goes through it.
var lifecycle = map[Kind]move{
	KindIntake:         {to: StateReceived, needs: sends, why: "return-only dossiers are registered, not taken in"},
	KindRegisterResult: {to: StateResultReady, needs: returnOnly, why: "only return-only dossiers are registered from an agency's list"},
	// The dossier's way to the agency and back with its outcome.
	KindCancel:            {from: []State{StateReceived, StateSupplementRequested}, to: StateCancelled, needs: sends, why: notSent},
	KindHandover:          {from: []State{StateReceived}, to: StateAtAgency, needs: sends, why: notSent},
	KindAccept:            {from: []State{StateAtAgency}, to: StateAccepted, needs: sends, why: notSent},
	KindRequestSupplement: {from: []State{StateAtAgency, StateAccepted}, to: StateSupplementRequested, needs: sends, why: notSent},
	KindSupplementTaken:   {from: []State{StateSupplementRequested}, to: StateReceived, needs: sends, why: notSent},
	KindReject:            {from: []State{StateAtAgency, StateAccepted}, to: StateRejected, needs: sends, why: notSent},
	KindResultReady:       {from: []State{StateAtAgency, StateAccepted, StateRejected}, to: StateResultReady, needs: sends, why: notSent},
	// The result's way back to the citizen (a rejection's papers go back too).
	KindResultHandover: {from: []State{StateResultReady, StateRejected}, to: StateResultAtPost, needs: returns, why: notReturned},
	KindOutForDelivery: {from: []State{StateResultAtPost, StateDeliveryFailed}, to: StateOutForDelivery, needs: returns, why: notReturned},
	KindDeliver:        {from: []State{StateResultAtPost, StateOutForDelivery, StateDeliveryFailed}, to: StateDelivered, needs: returns, why: notReturned},
	KindDeliveryFailed: {from: []State{StateResultAtPost, StateOutForDelivery, StateDeliveryFailed}, to: StateDeliveryFailed, needs: returns, why: notReturned},
	KindReturnToAgency: {from: []State{StateResultAtPost, StateOutForDelivery, StateDeliveryFailed}, to: StateReturnedToAgency, needs: returns, why: notReturned},
}

var (
	sends       = ServiceOption.Sends
	returns     = ServiceOption.Returns
	returnOnly  = func(o ServiceOption) bool { return o == OptionReturnOnly }
	notSent     = "the citizen did not choose to send the dossier by post"
	notReturned = "the citizen did not choose return by post"
)

// annotations may be recorded on a dossier in any state.
// Feedback about a dossier annotates it (its timeline shows it); general
// feedback is recorded without a dossier.
var annotations = map[Kind]bool{KindSetItemCode: true, KindReceiptPrint: true, KindNote: true,
	KindResolve: true, KindFeedback: true, KindFeedbackClose: true}

// IsDossierMove reports whether k changes a dossier's state.
func IsDossierMove(k Kind) bool { _, ok := lifecycle[k]; return ok }

// IsAnnotation reports whether k annotates a dossier without moving it.
func IsAnnotation(k Kind) bool { return annotations[k] }

// Creates reports whether k starts a new dossier.
func Creates(k Kind) bool { m, ok := lifecycle[k]; return ok && len(m.from) == 0 }

// MoveError is an illegal move: it names the state and the move.
type MoveError struct {
	Dossier string
	State   State // "" when the dossier does not exist
	Move    Kind
	Reason  string
	// First is the move that must happen before Move can (FirstStep), when
	// the state is the reason; Closed says the dossier's road has ended.
	First  Kind
	Closed bool
}

// Key is the i18n key of the message to show for this refusal.
func (e *MoveError) Key() string {
	switch e.Reason {
	case notReturned:
		return "err.move.no_return"
	case notSent:
		return "err.move.not_sent"
	}
	if e.Reason == "" && e.First != "" {
		return "err.move.first"
	}
	if e.Reason == "" && e.Closed {
		return "err.move.closed"
	}
	return "err.move.illegal"
}

func (e *MoveError) Error() string {
	state := string(e.State)
	if state == "" {
		state = "(none)"
	}
	msg := fmt.Sprintf("dossier %s: cannot %s from state %s", e.Dossier, e.Move, state)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Next returns the state a move leads to from the given state, or a
// *MoveError naming the state and the move.
func Next(dossier string, from State, option ServiceOption, k Kind) (State, error) {
	to, err := step(dossier, from, option, k)
	var me *MoveError
	if err != nil && errors.As(err, &me) && me.Reason == "" && from != "" {
		me.First, _ = FirstStep(from, option, k)
		me.Closed = Closed(from)
	}
	return to, err
}

// Closed reports whether a dossier in state s has ended its road.
func Closed(s State) bool {
	return s == StateDelivered || s == StateCancelled || s == StateReturnedToAgency
}

// step is Next without the next step named.
func step(dossier string, from State, option ServiceOption, k Kind) (State, error) {
	m, ok := lifecycle[k]
	if !ok {
		return "", &MoveError{Dossier: dossier, State: from, Move: k, Reason: "not a lifecycle move"}
	}
	if len(m.from) == 0 {
		if from != "" {
			return "", &MoveError{Dossier: dossier, State: from, Move: k, Reason: "dossier already exists"}
		}
	} else if !contains(m.from, from) {
		return "", &MoveError{Dossier: dossier, State: from, Move: k}
	}
	if m.needs != nil && !m.needs(option) {
		return "", &MoveError{Dossier: dossier, State: from, Move: k, Reason: m.why}
	}
	return m.to, nil
}

// Allowed lists the moves possible from a state for a service option, for menus.
func Allowed(from State, option ServiceOption) []Kind {
	var out []Kind
	for _, k := range moveOrder {
		if _, err := Next("", from, option, k); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// moveOrder keeps Allowed stable.
var moveOrder = []Kind{
	KindIntake, KindRegisterResult, KindCancel, KindHandover, KindAccept, KindRequestSupplement,
	KindSupplementTaken, KindReject, KindResultReady, KindResultHandover, KindOutForDelivery,
	KindDeliver, KindDeliveryFailed, KindReturnToAgency,
}

// Moves lists every lifecycle move, in round-trip order.
func Moves() []Kind { return append([]Kind(nil), moveOrder...) }

func contains(states []State, s State) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// Payloads of the dossier events. The intake and result-only registration
// carry a whole Dossier; the other moves carry only what they add.

// HandoverPayload: the dossier went to the agency in a handover record.
type HandoverPayload struct {
	HandoverID string `json:"handover_id"`
	Officer    string `json:"officer"` // the agency officer who signed
}

// AcceptPayload: the agency accepted the dossier.
type AcceptPayload struct {
	OfficialCode string    `json:"official_code"`
	DueDate      time.Time `json:"due_date"`
}

// SupplementPayload: the agency asks for more papers.
type SupplementPayload struct {
	Papers []string `json:"papers"`
	Note   string   `json:"note,omitempty"`
}

// SupplementTakenPayload: the citizen brought the missing papers.
type SupplementTakenPayload struct {
	Documents []DocumentItem `json:"documents"`
}

// ReasonPayload carries a reason: reject, cancel, failed attempt, return to agency.
type ReasonPayload struct {
	Reason string `json:"reason"`
}

// ResultHandoverPayload: the result came back from the agency in an inbound handover.
type ResultHandoverPayload struct {
	HandoverID string `json:"handover_id"`
}

// DeliverPayload: the result was handed to the applicant or an authorised person.
type DeliverPayload struct {
	RecipientName string `json:"recipient_name"`
	RecipientID   string `json:"recipient_id"`
	Authorised    bool   `json:"authorised"`
	LetterNote    string `json:"letter_note,omitempty"`
	FeeCollected  Money  `json:"fee_collected"`
	ByTransfer    bool   `json:"by_transfer,omitempty"`
	SignatureFile string `json:"signature_file,omitempty"`
	PhotoFile     string `json:"photo_file,omitempty"`
	// Redacted: the retention removed the recipient's data (purge.go), so
	// the recipient check that held when it was recorded is not replayed.
	Redacted bool `json:"redacted,omitempty"`
}

// ItemCodePayload: the S10 code of the envelope label.
type ItemCodePayload struct {
	ItemCode string `json:"item_code"`
}

// ReceiptPrintPayload: the receipt was printed (or printed again); the
// province can tell a first print from reprints.
type ReceiptPrintPayload struct {
	Reprint bool   `json:"reprint,omitempty"`
	Layout  string `json:"layout"`
}

// NotePayload: free text added to a dossier.
type NotePayload struct {
	Text string `json:"text"`
}

// Apply returns the dossier after event e. cur is nil when the dossier does
// not exist yet. Apply never changes cur. It is the one place where events
// become state, so the store's projection and a replay always agree.
func Apply(cur *Dossier, e *Event) (*Dossier, error) {
	var d Dossier
	var from State
	if cur != nil {
		d = *cur
		from = cur.State
	}
	if IsAnnotation(e.Kind) {
		if cur == nil {
			return nil, &MoveError{Dossier: e.Dossier, Move: e.Kind, Reason: "no such dossier"}
		}
		if err := annotate(&d, e); err != nil {
			return nil, err
		}
		return finish(&d, e), nil
	}
	if Creates(e.Kind) {
		if cur != nil {
			return nil, &MoveError{Dossier: e.Dossier, State: from, Move: e.Kind, Reason: "dossier already exists"}
		}
		if err := decode(e, &d); err != nil {
			return nil, err
		}
		if d.ID != e.Dossier {
			return nil, fmt.Errorf("event %d: payload dossier %q differs from event dossier %q", e.Seq, d.ID, e.Dossier)
		}
		if d.ReceivedAt.IsZero() {
			d.ReceivedAt = e.At
		}
		d.ReceivedBy = e.Staff
		if d.DeviceID == "" {
			d.DeviceID = e.DeviceID
		}
	} else if cur == nil {
		return nil, &MoveError{Dossier: e.Dossier, Move: e.Kind, Reason: "no such dossier"}
	}
	to, err := Next(e.Dossier, from, d.Option, e.Kind)
	if err != nil {
		return nil, err
	}
	if err := applyMove(&d, e); err != nil {
		return nil, err
	}
	d.State = to
	return finish(&d, e), nil
}

func finish(d *Dossier, e *Event) *Dossier {
	d.UpdatedAt = e.At
	d.Version++
	return d
}

func decode(e *Event, v any) error {
	if len(e.Payload) == 0 {
		return fmt.Errorf("event %d (%s): empty payload", e.Seq, e.Kind)
	}
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return fmt.Errorf("event %d (%s): bad payload: %w", e.Seq, e.Kind, err)
	}
	return nil
}

func timePtr(t time.Time) *time.Time { return &t }

// applyMove copies what a move adds onto the dossier. Rules that depend on
// the dossier (an ID matching, a code's shape) are checked here too.
func applyMove(d *Dossier, e *Event) error {
	switch e.Kind {
	case KindIntake, KindRegisterResult:
		if e.Kind == KindRegisterResult {
			d.ResultReadyAt = timePtr(e.At)
		}
	case KindCancel:
		var p ReasonPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		d.CancelReason = p.Reason
	case KindHandover:
		var p HandoverPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		d.HandoverID, d.AgencyOfficer, d.HandedOverAt = p.HandoverID, p.Officer, timePtr(e.At)
	case KindAccept:
		var p AcceptPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		if _, err := ParseOfficialCode(p.OfficialCode); err != nil {
			return err
		}
		d.OfficialCode, d.DueDate = p.OfficialCode, timePtr(p.DueDate)
	case KindRequestSupplement:
		var p SupplementPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		d.Supplement = p.Papers
	case KindSupplementTaken:
		var p SupplementTakenPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		if len(p.Documents) > 0 {
			d.Documents = p.Documents
		}
		d.Supplement, d.HandoverID, d.HandedOverAt = nil, "", nil
	case KindReject:
		var p ReasonPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		d.RejectReason = p.Reason
	case KindResultReady:
		d.ResultReadyAt = timePtr(e.At)
	case KindResultHandover:
		d.ResultAtPostAt = timePtr(e.At)
	case KindOutForDelivery:
	case KindDeliver:
		var p DeliverPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		if !p.Redacted {
			if err := CheckRecipient(d, p); err != nil {
				return err
			}
		}
		d.Delivery = &DeliveryProof{
			RecipientName: p.RecipientName, RecipientID: p.RecipientID, Authorised: p.Authorised,
			LetterNote: p.LetterNote, FeeCollected: p.FeeCollected, SignatureFile: p.SignatureFile,
			PhotoFile: p.PhotoFile, At: e.At, By: e.Staff, PaymentByCredit: p.ByTransfer,
		}
		if p.FeeCollected > 0 || d.FeePayment == PayOnDelivery {
			d.FeePaid = true
		}
	case KindDeliveryFailed:
		var p ReasonPayload
		if err := decode(e, &p); err != nil {
			return err
		}
		d.FailedAttempts++
		d.LastFailReason = p.Reason
	case KindReturnToAgency:
	}
	return nil
}

func annotate(d *Dossier, e *Event) error {
	switch e.Kind {
	case KindSetItemCode:
		var p ItemCodePayload
		if err := decode(e, &p); err != nil {
			return err
		}
		code, err := ParseItemCode(p.ItemCode)
		if err != nil {
			return err
		}
		d.ItemCode = code
	case KindResolve:
		var p ResolvePayload
		if err := decode(e, &p); err != nil {
			return err
		}
		// Two supervisors settling at once both settle: never a conflict of its own.
		d.ConflictsResolved = len(d.Conflicts)
	case KindNote:
		var p NotePayload
		if err := decode(e, &p); err != nil {
			return err
		}
		if p.Text == "" { // a note the retention emptied
			break
		}
		if d.Notes != "" {
			d.Notes += "\n"
		}
		d.Notes += p.Text
	}
	return nil
}

// CheckRecipient refuses a delivery to anyone but the applicant (matching ID)
// or an authorised person with a name, an ID and a letter noted.
func CheckRecipient(d *Dossier, p DeliverPayload) error {
	id := Clean(p.RecipientID)
	if id == "" {
		return Errf("recipient_id", "err.delivery.no_id", "the recipient's ID number is required")
	}
	if !p.Authorised {
		if id != d.Applicant.IDNumber {
			return Errf("recipient_id", "err.delivery.id_mismatch",
				"ID %s is not the applicant's; an authorised person needs a letter", id)
		}
		return nil
	}
	if Clean(p.RecipientName) == "" {
		return Errf("recipient_name", "err.delivery.no_name", "the authorised person's name is required")
	}
	if Clean(p.LetterNote) == "" {
		return Errf("letter_note", "err.delivery.no_letter", "the authorisation letter must be noted")
	}
	return nil
}

package domain

import (
	"strconv"
	"strings"
	"time"
)

// The round trip's rules beyond the lifecycle table: which dossiers may go in
// one handover record, what an agency's answer must hold, who may receive a
// result, what a failed attempt leads to, and what a citizen's feedback is.
// The store applies them before it records anything, so a refused action
// leaves no trace.

// ---------------------------------------------------------------- handover records

// HandoverDirection says which way a handover record (biên bản giao nhận) goes.
type HandoverDirection string

const (
	HandoverOut    HandoverDirection = "out"    // dossiers from the post point to the agency
	HandoverIn     HandoverDirection = "in"     // results from the agency to the post point
	HandoverReturn HandoverDirection = "return" // undeliverable results back to the agency
)

// Valid reports whether d is a known direction.
func (d HandoverDirection) Valid() bool {
	return d == HandoverOut || d == HandoverIn || d == HandoverReturn
}

// Prefix is the first part of a record's number: BG (biên bản giao),
// BN (biên bản nhận), BT (biên bản trả lại).
func (d HandoverDirection) Prefix() string {
	switch d {
	case HandoverIn:
		return "BN"
	case HandoverReturn:
		return "BT"
	}
	return "BG"
}

// Handover is a handover record: a list of dossiers (or results) that change
// hands between the post point and one agency, signed by both sides. It is a
// draft until confirmed; a draft may be cancelled and then changes nothing.
type Handover struct {
	ID          string            `json:"id"` // e.g. BG-553140A-261125-01
	Direction   HandoverDirection `json:"direction"`
	AgencyCode  string            `json:"agency_code"`
	Officer     string            `json:"officer,omitempty"` // the agency's officer who signed
	Staff       string            `json:"staff"`             // who drew it up
	ConfirmedBy string            `json:"confirmed_by,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	ConfirmedAt *time.Time        `json:"confirmed_at,omitempty"`
	CancelledAt *time.Time        `json:"cancelled_at,omitempty"`
	Dossiers    []string          `json:"dossiers"` // receipt numbers, in the order listed
}

// HandoverStatus is where a record stands.
type HandoverStatus string

const (
	HandoverDraft     HandoverStatus = "draft"
	HandoverConfirmed HandoverStatus = "confirmed"
	HandoverCancelled HandoverStatus = "cancelled"
)

// Status says whether h is a draft, confirmed or cancelled.
func (h *Handover) Status() HandoverStatus {
	switch {
	case h.CancelledAt != nil:
		return HandoverCancelled
	case h.ConfirmedAt != nil:
		return HandoverConfirmed
	}
	return HandoverDraft
}

// HandoverNumber makes a record's number: direction prefix, device, local
// date, daily sequence — unique across devices without asking anyone.
func HandoverNumber(dir HandoverDirection, dev Device, day time.Time, seq int) string {
	return dir.Prefix() + "-" + dev.PostPointCode + dev.Letter + "-" + day.In(Zone).Format("060102") + "-" + pad(seq, 2)
}

// CheckHandoverOut checks that ds can go to agency in one handover record:
// at least one, no dossier twice, each "received" and bound for that agency.
// The first offending dossier is named.
func CheckHandoverOut(agency string, ds []*Dossier) error {
	if err := checkList(ds); err != nil {
		return err
	}
	for _, d := range ds {
		if err := CheckHandoverOutOne(agency, d); err != nil {
			return err
		}
	}
	return nil
}

// CheckHandoverOutOne checks one dossier scanned or ticked for an outbound record.
func CheckHandoverOutOne(agency string, d *Dossier) error {
	if _, err := Next(d.ID, d.State, d.Option, KindHandover); err != nil {
		return err
	}
	if agency != "" && d.AgencyCode != agency {
		return Errf("dossier", "err.handover.other_agency", "dossier %s goes to agency %s, not %s", d.ID, d.AgencyCode, agency).
			WithArgs("Dossier", d.ID, "Agency", d.AgencyCode, "Want", agency)
	}
	return nil
}

// InboundMoves are the events that bring d's result back to the post point.
// A result handed over by the agency is ready even if nobody said so before:
// a dossier still "at agency" or "accepted" is first marked result ready.
func InboundMoves(d *Dossier) ([]Kind, error) {
	var kinds []Kind
	state := d.State
	if state == StateAtAgency || state == StateAccepted {
		kinds = append(kinds, KindResultReady)
		state = StateResultReady
	}
	if _, err := Next(d.ID, state, d.Option, KindResultHandover); err != nil {
		if len(kinds) > 0 { // name the dossier's real state
			err.(*MoveError).State = d.State
		}
		return nil, err
	}
	return append(kinds, KindResultHandover), nil
}

// CheckHandoverIn checks that the results of ds can come back from agency in
// one record ("" for any agency).
func CheckHandoverIn(agency string, ds []*Dossier) error {
	if err := checkList(ds); err != nil {
		return err
	}
	for _, d := range ds {
		if err := CheckHandoverInOne(agency, d); err != nil {
			return err
		}
	}
	return nil
}

// CheckHandoverInOne checks one result scanned for an inbound record.
func CheckHandoverInOne(agency string, d *Dossier) error {
	if _, err := InboundMoves(d); err != nil {
		return err
	}
	if agency != "" && d.AgencyCode != agency {
		return Errf("dossier", "err.handover.other_agency", "dossier %s comes from agency %s, not %s", d.ID, d.AgencyCode, agency).
			WithArgs("Dossier", d.ID, "Agency", d.AgencyCode, "Want", agency)
	}
	return nil
}

// CheckHandoverReturn checks one result listed on a return record: it must
// have been returned to the agency (after failed attempts or a refusal).
func CheckHandoverReturn(agency string, d *Dossier) error {
	if d.State != StateReturnedToAgency {
		return Errf("dossier", "err.handover.not_returned", "dossier %s is %s, not returned to the agency", d.ID, d.State).
			WithArgs("Dossier", d.ID, "State", string(d.State))
	}
	if agency != "" && d.AgencyCode != agency {
		return Errf("dossier", "err.handover.other_agency", "dossier %s belongs to agency %s, not %s", d.ID, d.AgencyCode, agency).
			WithArgs("Dossier", d.ID, "Agency", d.AgencyCode, "Want", agency)
	}
	return nil
}

func checkList(ds []*Dossier) error {
	if len(ds) == 0 {
		return Errf("dossiers", "err.handover.empty", "the handover record lists no dossier")
	}
	seen := make(map[string]bool, len(ds))
	for _, d := range ds {
		if seen[d.ID] {
			return Errf("dossiers", "err.handover.duplicate", "dossier %s is listed twice", d.ID).WithArgs("Dossier", d.ID)
		}
		seen[d.ID] = true
	}
	return nil
}

// CheckOfficer checks the agency officer's name a confirmation records.
func CheckOfficer(name string) (string, error) {
	name = Clean(name)
	if name == "" {
		return "", Errf("officer", "err.handover.officer", "the agency officer's name is required to confirm")
	}
	if len([]rune(name)) > MaxNameLength {
		return "", Errf("officer", "err.intake.too_long", "the name is longer than %d characters", MaxNameLength).
			WithArgs("Max", strconv.Itoa(MaxNameLength))
	}
	return name, nil
}

// PapersCounted is the number of paper copies received with a dossier.
func PapersCounted(d *Dossier) int {
	n := 0
	for _, doc := range d.Documents {
		if doc.Received {
			n += max(doc.Count, 1)
		}
	}
	return n
}

// FeesOnBehalf is the procedure fee the post point collected for the agency
// and hands over with the dossier (zero when paid on delivery or not yet).
func FeesOnBehalf(d *Dossier) Money {
	if d.FeePaid {
		return d.Fee
	}
	return 0
}

// HandoverTotals sums a record's lines.
type HandoverTotals struct {
	Dossiers int
	Papers   int
	Fees     Money
}

// TotalHandover sums the dossiers of a record.
func TotalHandover(ds []*Dossier) HandoverTotals {
	t := HandoverTotals{Dossiers: len(ds)}
	for _, d := range ds {
		t.Papers += PapersCounted(d)
		t.Fees += FeesOnBehalf(d)
	}
	return t
}

// ---------------------------------------------------------------- agency outcomes

// PrepareAccept tidies and checks an agency's appointment slip for d: a
// well-formed official code and a due date not before the handover day.
func PrepareAccept(d *Dossier, p AcceptPayload) (AcceptPayload, error) {
	if _, err := Next(d.ID, d.State, d.Option, KindAccept); err != nil {
		return p, err
	}
	oc, err := ParseOfficialCode(p.OfficialCode)
	if err != nil {
		return p, err
	}
	p.OfficialCode = oc.String()
	if p.DueDate.IsZero() {
		return p, Errf("due_date", "err.accept.due_missing", "the appointment date is required")
	}
	y, m, dd := p.DueDate.In(Zone).Date()
	p.DueDate = time.Date(y, m, dd, 0, 0, 0, 0, Zone)
	if d.HandedOverAt != nil {
		hy, hm, hd := d.HandedOverAt.In(Zone).Date()
		if p.DueDate.Before(time.Date(hy, hm, hd, 0, 0, 0, 0, Zone)) {
			return p, Errf("due_date", "err.accept.due_before", "the appointment date %s is before the handover on %s",
				FormatDate(p.DueDate), FormatDate(*d.HandedOverAt)).
				WithArgs("Date", FormatDate(p.DueDate), "Handover", FormatDate(*d.HandedOverAt))
		}
	}
	return p, nil
}

// PrepareSupplement checks an agency's request for more papers: at least
// one paper named. The dossier then waits for the citizen.
func PrepareSupplement(d *Dossier, p SupplementPayload) (SupplementPayload, error) {
	if _, err := Next(d.ID, d.State, d.Option, KindRequestSupplement); err != nil {
		return p, err
	}
	var papers []string
	for _, s := range p.Papers {
		for _, line := range strings.Split(s, "\n") {
			if line = Clean(line); line != "" {
				papers = append(papers, line)
			}
		}
	}
	if len(papers) == 0 {
		return p, Errf("papers", "err.supplement.papers", "name at least one paper the agency asks for")
	}
	p.Papers, p.Note = papers, Clean(p.Note)
	return p, nil
}

// PrepareReject checks an agency's refusal: the reason is required (the
// papers still go back to the citizen, who must be told why).
func PrepareReject(d *Dossier, p ReasonPayload) (ReasonPayload, error) {
	if _, err := Next(d.ID, d.State, d.Option, KindReject); err != nil {
		return p, err
	}
	p.Reason = Clean(p.Reason)
	if p.Reason == "" {
		return p, Errf("reason", "err.reject.reason", "the agency's reason for refusing is required")
	}
	return p, nil
}

// PrepareResultOnly tidies and checks a result-only registration made from an
// agency's list: the intake rules for the "return" option, plus the official
// code, which is how the result envelope will be recognised.
func PrepareResultOnly(d Dossier, p Procedure) (Dossier, Errors) {
	d.Option = OptionReturnOnly
	if d.Place == "" {
		d.Place = PlaceCounter
	}
	out, errs := PrepareIntake(d, p)
	if out.OfficialCode == "" && !hasField(errs, "official_code") {
		errs = append(errs, Errf("official_code", "err.official_code.empty", "official dossier code is missing"))
	}
	return out, errs
}

func hasField(errs Errors, field string) bool {
	for _, e := range errs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- delivery

// FailReason is why a delivery attempt failed.
type FailReason string

const (
	FailNotHome      FailReason = "not_home"
	FailRefused      FailReason = "refused"
	FailWrongAddress FailReason = "wrong_address"
	FailMoved        FailReason = "moved"
)

// FailReasons lists the reasons in the order a form shows them.
var FailReasons = []FailReason{FailNotHome, FailRefused, FailWrongAddress, FailMoved}

// Valid reports whether r is a known reason.
func (r FailReason) Valid() bool {
	for _, x := range FailReasons {
		if r == x {
			return true
		}
	}
	return false
}

// Key is the i18n key of the reason's label.
func (r FailReason) Key() string { return "delivery.fail." + string(r) }

// ReturnTooManyAttempts is the return reason after the configured number of failures.
const ReturnTooManyAttempts = "too_many_attempts"

// ReturnPayload: the result goes back to the agency. It extends
// ReasonPayload (same "reason" field) with the return record.
type ReturnPayload struct {
	Reason     string `json:"reason"` // a FailReason or ReturnTooManyAttempts
	HandoverID string `json:"handover_id,omitempty"`
}

// FailedPayload: a delivery attempt failed. It extends ReasonPayload.
type FailedPayload struct {
	Reason  FailReason `json:"reason"`
	Note    string     `json:"note,omitempty"`
	Attempt int        `json:"attempt"` // 1 for the first failure
}

// PrepareFailure checks a failed attempt on d and says whether, with it, the
// result must go back to the agency: after maxAttempts failures, or at once
// when the citizen refused it.
func PrepareFailure(d *Dossier, p FailedPayload, maxAttempts int) (FailedPayload, bool, error) {
	if _, err := Next(d.ID, d.State, d.Option, KindDeliveryFailed); err != nil {
		return p, false, err
	}
	if !p.Reason.Valid() {
		return p, false, Errf("reason", "err.delivery.fail_reason", "choose why the delivery failed")
	}
	p.Note = Clean(p.Note)
	p.Attempt = d.FailedAttempts + 1
	return p, MustReturn(p.Attempt, p.Reason, maxAttempts), nil
}

// MustReturn is the failed-attempt policy: a refusal, or the maxAttempts-th
// failure, sends the result back to the agency.
func MustReturn(attempts int, last FailReason, maxAttempts int) bool {
	if maxAttempts <= 0 {
		maxAttempts = DefaultSettings().MaxFailedAttempts
	}
	return last == FailRefused || attempts >= maxAttempts
}

// AmountDue is what the recipient still has to pay at delivery: the
// procedure fee when it was left to be paid on delivery.
func AmountDue(d *Dossier) Money {
	if d.FeePayment == PayOnDelivery && !d.FeePaid {
		return d.Fee
	}
	return 0
}

// CheckOutForDelivery checks that d's result may leave with the postal worker.
func CheckOutForDelivery(d *Dossier) error {
	_, err := Next(d.ID, d.State, d.Option, KindOutForDelivery)
	return err
}

// PrepareDelivery tidies and checks a delivery of d: a state that allows it
// (not twice), the recipient (applicant's ID, or an authorised person with
// name, ID and letter), and the fee still due collected in full.
func PrepareDelivery(d *Dossier, p DeliverPayload) (DeliverPayload, error) {
	if _, err := Next(d.ID, d.State, d.Option, KindDeliver); err != nil {
		return p, err
	}
	p.RecipientName, p.LetterNote = Clean(p.RecipientName), Clean(p.LetterNote)
	// The QR code on a chip citizen ID card reads "ID|old ID|name|birth date|…":
	// scanned into the ID field, it gives the number (and the name).
	if id, rest, ok := strings.Cut(Clean(p.RecipientID), "|"); ok {
		p.RecipientID = id
		if parts := strings.Split(rest, "|"); len(parts) > 1 && p.RecipientName == "" {
			p.RecipientName = Clean(parts[1])
		}
	}
	p.RecipientID = strings.ToUpper(stripChars(Clean(p.RecipientID), " .-"))
	if !p.Authorised && p.RecipientName == "" {
		p.RecipientName = d.Applicant.FullName
	}
	if !p.Authorised {
		p.LetterNote = ""
	}
	if err := CheckRecipient(d, p); err != nil {
		return p, err
	}
	if p.Authorised && p.RecipientID == d.Applicant.IDNumber {
		p.Authorised, p.LetterNote = false, "" // the applicant in person after all
	}
	if len([]rune(p.RecipientName)) > MaxNameLength || len([]rune(p.LetterNote)) > MaxNotesLength {
		return p, Errf("recipient_name", "err.intake.too_long", "text too long").WithArgs("Max", strconv.Itoa(MaxNameLength))
	}
	due := AmountDue(d)
	if p.FeeCollected != due {
		return p, Errf("fee_collected", "err.delivery.fee", "%s is due; %s was entered", FormatMoney(due), FormatMoney(p.FeeCollected)).
			WithArgs("Due", FormatMoney(due), "Got", FormatMoney(p.FeeCollected))
	}
	if due == 0 {
		p.ByTransfer = false
	}
	return p, nil
}

// ---------------------------------------------------------------- feedback

// FeedbackTopic is what a citizen's feedback is about.
type FeedbackTopic string

const (
	FeedbackComplaint  FeedbackTopic = "complaint"
	FeedbackSuggestion FeedbackTopic = "suggestion"
	FeedbackPraise     FeedbackTopic = "praise"
)

// FeedbackTopics lists the topics in the order a form shows them.
var FeedbackTopics = []FeedbackTopic{FeedbackComplaint, FeedbackSuggestion, FeedbackPraise}

// FeedbackPayload: a citizen's complaint or suggestion, recorded at the
// counter or at the door, about a dossier (the event's dossier) or in general.
type FeedbackPayload struct {
	Topic        FeedbackTopic `json:"topic"`
	Text         string        `json:"text"`
	Place        Place         `json:"place"` // counter or home (at the door)
	ContactName  string        `json:"contact_name,omitempty"`
	ContactPhone string        `json:"contact_phone,omitempty"`
}

// FeedbackClosePayload: a supervisor marks what was done about a feedback.
type FeedbackClosePayload struct {
	Feedback string `json:"feedback"` // FeedbackID of the recording event
	Action   string `json:"action"`
}

// Feedback is one citizen's feedback with what was done about it.
type Feedback struct {
	ID      string // FeedbackID of its event
	Dossier string // "" when general
	FeedbackPayload
	At       time.Time
	Staff    string
	ClosedAt *time.Time
	ClosedBy string
	Action   string
}

// FeedbackID names a feedback by the event that recorded it ("553140-A/17"),
// which is unique across devices and travels to the province with it.
func FeedbackID(e *Event) string { return e.DeviceID + "/" + strconv.FormatInt(e.Seq, 10) }

// MaxFeedbackLength bounds a feedback's text.
const MaxFeedbackLength = 2000

// PrepareFeedback tidies and checks a feedback before it is recorded.
func PrepareFeedback(p FeedbackPayload) (FeedbackPayload, Errors) {
	var errs Errors
	valid := false
	for _, t := range FeedbackTopics {
		valid = valid || p.Topic == t
	}
	if !valid {
		errs = append(errs, Errf("topic", "err.feedback.topic", "choose a complaint, a suggestion or a praise"))
	}
	p.Text = strings.TrimSpace(Clean(p.Text))
	if p.Text == "" {
		errs = append(errs, Errf("text", "err.feedback.text", "write what the citizen said"))
	} else if len([]rune(p.Text)) > MaxFeedbackLength {
		errs = append(errs, Errf("text", "err.intake.too_long", "longer than %d characters", MaxFeedbackLength).
			WithArgs("Max", strconv.Itoa(MaxFeedbackLength)))
	}
	if p.Place != PlaceCounter && p.Place != PlaceHome {
		p.Place = PlaceCounter
	}
	p.ContactName = Clean(p.ContactName)
	if len([]rune(p.ContactName)) > MaxNameLength {
		errs = append(errs, Errf("contact_name", "err.intake.too_long", "longer than %d characters", MaxNameLength).
			WithArgs("Max", strconv.Itoa(MaxNameLength)))
	}
	if phone := Clean(p.ContactPhone); phone == "" {
		p.ContactPhone = ""
	} else if n, err := NormalizePhone(phone); err != nil {
		errs = append(errs, err.(*FieldError).In("contact_phone"))
	} else {
		p.ContactPhone = n
	}
	return p, errs
}

// PrepareFeedbackClose checks a supervisor's closing note.
func PrepareFeedbackClose(p FeedbackClosePayload) (FeedbackClosePayload, error) {
	p.Feedback, p.Action = Clean(p.Feedback), strings.TrimSpace(Clean(p.Action))
	if p.Feedback == "" {
		return p, Errf("feedback", "err.feedback.unknown", "which feedback?")
	}
	if p.Action == "" {
		return p, Errf("action", "err.feedback.action", "write what was done")
	}
	if len([]rune(p.Action)) > MaxFeedbackLength {
		return p, Errf("action", "err.intake.too_long", "longer than %d characters", MaxFeedbackLength).
			WithArgs("Max", strconv.Itoa(MaxFeedbackLength))
	}
	return p, nil
}

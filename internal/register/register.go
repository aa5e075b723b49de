// Package register computes the daily register (sổ theo dõi) of a post
// point's device: the day's intakes, handovers, deliveries and failed
// attempts, and the money collected — postage and fees on behalf of the
// agencies, cash and transfer — per staff member with totals, for the
// end-of-day cash count. It reads the day's EVENTS, not the dossiers' current
// state, so a register printed tomorrow says what happened today.
//
// The PDF is drawn by internal/receipt (RegisterPDF); the XLSX is written here.
package register

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Kinds are the events the register reads.
var Kinds = []domain.Kind{
	domain.KindIntake, domain.KindRegisterResult, domain.KindCancel, domain.KindHandover,
	domain.KindAccept, domain.KindRequestSupplement, domain.KindSupplementTaken, domain.KindReject,
	domain.KindResultReady, domain.KindResultHandover, domain.KindOutForDelivery, domain.KindDeliver,
	domain.KindDeliveryFailed, domain.KindReturnToAgency, domain.KindFeedback,
}

// Totals are one staff member's (or the day's) counts and money.
type Totals struct {
	Intakes    int // dossiers taken in (counter or home)
	ResultOnly int // result-only registrations
	Cancelled  int
	HandedOver int // dossiers handed to an agency
	Outcomes   int // agency outcomes entered (accepted, supplement, rejected, result ready)
	ResultsIn  int // results received from an agency
	Delivered  int
	Failed     int // failed delivery attempts
	Returned   int // results returned to the agency
	Feedback   int

	Postage  domain.Money // postage collected at intake
	Fees     domain.Money // procedure fees collected on behalf of the agencies
	Cash     domain.Money // of which in cash
	Transfer domain.Money // of which by bank transfer
}

// Collected is all the money taken in.
func (t Totals) Collected() domain.Money { return t.Postage + t.Fees }

func (t *Totals) add(o Totals) {
	t.Intakes += o.Intakes
	t.ResultOnly += o.ResultOnly
	t.Cancelled += o.Cancelled
	t.HandedOver += o.HandedOver
	t.Outcomes += o.Outcomes
	t.ResultsIn += o.ResultsIn
	t.Delivered += o.Delivered
	t.Failed += o.Failed
	t.Returned += o.Returned
	t.Feedback += o.Feedback
	t.Postage += o.Postage
	t.Fees += o.Fees
	t.Cash += o.Cash
	t.Transfer += o.Transfer
}

// StaffTotals are the totals of one staff member.
type StaffTotals struct {
	Username string
	FullName string
	Totals
}

// Line is one event of the day as the register lists it.
type Line struct {
	At       time.Time
	Staff    string
	Kind     domain.Kind
	Dossier  string
	Detail   string // applicant's name, reason, recipient…
	Postage  domain.Money
	Fee      domain.Money
	Transfer bool // the money came by transfer
}

// Register is one day's register of one device.
type Register struct {
	Date      time.Time // local midnight (domain.Zone)
	PostPoint domain.PostPoint
	Device    string
	Staff     []StaffTotals // by username
	Total     Totals
	Lines     []Line // in the order recorded
	Generated time.Time
}

// DayBounds are the instants a local date starts and ends (domain.Zone).
func DayBounds(date time.Time) (from, to time.Time) {
	y, m, d := date.In(domain.Zone).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
	return from, from.AddDate(0, 0, 1)
}

// Compute reads the register of the local date of date from s: the events
// this device recorded that day.
func Compute(ctx context.Context, s *store.Store, date time.Time) (*Register, error) {
	dev, pp, err := s.Device(ctx)
	if err != nil {
		return nil, err
	}
	from, to := DayBounds(date)
	events, err := s.EventsBetween(ctx, dev.ID(), from, to, Kinds...)
	if err != nil {
		return nil, err
	}
	staff, err := s.StaffList(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(staff))
	for _, st := range staff {
		names[st.Username] = st.FullName
	}
	r, err := FromEvents(from, events, names)
	if err != nil {
		return nil, err
	}
	r.PostPoint, r.Device, r.Generated = pp, dev.ID(), s.Now()
	return r, nil
}

// FromEvents builds the register of the local day starting at date from its
// events; names maps usernames to full names.
func FromEvents(date time.Time, events []domain.Event, names map[string]string) (*Register, error) {
	from, _ := DayBounds(date)
	r := &Register{Date: from}
	per := map[string]*Totals{}
	for i := range events {
		e := &events[i]
		line, t, err := account(e)
		if err != nil {
			return nil, fmt.Errorf("register: event %s/%d (%s): %w", e.DeviceID, e.Seq, e.Kind, err)
		}
		if per[e.Staff] == nil {
			per[e.Staff] = &Totals{}
		}
		per[e.Staff].add(t)
		r.Total.add(t)
		r.Lines = append(r.Lines, line)
	}
	for u, t := range per {
		r.Staff = append(r.Staff, StaffTotals{Username: u, FullName: names[u], Totals: *t})
	}
	sort.Slice(r.Staff, func(a, b int) bool { return r.Staff[a].Username < r.Staff[b].Username })
	return r, nil
}

// account turns one event into its register line and what it adds to the totals.
func account(e *domain.Event) (Line, Totals, error) {
	l := Line{At: e.At, Staff: e.Staff, Kind: e.Kind, Dossier: e.Dossier}
	var t Totals
	switch e.Kind {
	case domain.KindIntake, domain.KindRegisterResult:
		var d domain.Dossier
		if err := json.Unmarshal(e.Payload, &d); err != nil {
			return l, t, err
		}
		l.Detail = d.Applicant.FullName
		if e.Kind == domain.KindRegisterResult {
			t.ResultOnly = 1
			break
		}
		t.Intakes = 1
		// What the clerk took at the counter: the postage, and the fee when
		// paid now. The intake records no payment method: it is cash.
		l.Postage = d.Postage
		if d.FeePaid {
			l.Fee = d.Fee
		}
		t.Postage, t.Fees, t.Cash = l.Postage, l.Fee, l.Postage+l.Fee
	case domain.KindCancel:
		t.Cancelled = 1
		l.Detail = reason(e)
	case domain.KindHandover:
		t.HandedOver = 1
		var p domain.HandoverPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return l, t, err
		}
		l.Detail = p.HandoverID
	case domain.KindAccept, domain.KindRequestSupplement, domain.KindReject, domain.KindResultReady, domain.KindSupplementTaken:
		if e.Kind != domain.KindSupplementTaken {
			t.Outcomes = 1
		}
		if e.Kind == domain.KindAccept {
			var p domain.AcceptPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return l, t, err
			}
			l.Detail = p.OfficialCode
		} else if e.Kind == domain.KindReject {
			l.Detail = reason(e)
		}
	case domain.KindResultHandover:
		t.ResultsIn = 1
		var p domain.ResultHandoverPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return l, t, err
		}
		l.Detail = p.HandoverID
	case domain.KindOutForDelivery:
	case domain.KindDeliver:
		t.Delivered = 1
		var p domain.DeliverPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return l, t, err
		}
		l.Detail = p.RecipientName
		l.Fee, l.Transfer = p.FeeCollected, p.ByTransfer
		t.Fees = p.FeeCollected
		if p.ByTransfer {
			t.Transfer = p.FeeCollected
		} else {
			t.Cash = p.FeeCollected
		}
	case domain.KindDeliveryFailed:
		t.Failed = 1
		l.Detail = reason(e)
	case domain.KindReturnToAgency:
		t.Returned = 1
		l.Detail = reason(e)
	case domain.KindFeedback:
		t.Feedback = 1
	}
	return l, t, nil
}

func reason(e *domain.Event) string {
	var p domain.ReasonPayload
	if len(e.Payload) > 0 {
		_ = json.Unmarshal(e.Payload, &p) // a reason is informative; a bad one is left blank
	}
	return p.Reason
}

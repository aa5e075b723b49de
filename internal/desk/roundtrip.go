package desk

import (
	"context"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// The round trip of a dossier after intake: handover records with the
// agency, the agency's outcomes, delivery of the result, and the citizen's
// feedback. The lifecycle (domain) and the store refuse a move the dossier's
// state does not allow; the desk checks who may ask.

// CreateHandover draws up a draft handover record of dossiers ids for one
// agency (see store.CreateHandover).
func (d *Desk) CreateHandover(ctx context.Context, a Actor, dir domain.HandoverDirection, agency string, ids []string) (*domain.Handover, error) {
	if err := allow(a, "draw up handover records", anyone); err != nil {
		return nil, err
	}
	return d.Store.CreateHandover(ctx, a.Username, dir, agency, ids)
}

// ConfirmHandover records that the agency's officer signed the record: its
// dossiers move.
func (d *Desk) ConfirmHandover(ctx context.Context, a Actor, id, officer string) (*domain.Handover, error) {
	if err := allow(a, "confirm handover records", anyone); err != nil {
		return nil, err
	}
	return d.Store.ConfirmHandover(ctx, a.Username, id, officer)
}

// CancelHandover drops a draft handover record.
func (d *Desk) CancelHandover(ctx context.Context, a Actor, id string) (*domain.Handover, error) {
	if err := allow(a, "cancel handover records", anyone); err != nil {
		return nil, err
	}
	return d.Store.CancelHandover(ctx, a.Username, id)
}

// Accept records that the agency accepted a dossier, with its official
// code and due date.
func (d *Desk) Accept(ctx context.Context, a Actor, id string, p domain.AcceptPayload) (*domain.Dossier, error) {
	if err := allow(a, "record the agency's outcomes", anyone); err != nil {
		return nil, err
	}
	return d.Store.Accept(ctx, a.Username, id, p)
}

// RequestSupplement records that the agency asks for more papers.
func (d *Desk) RequestSupplement(ctx context.Context, a Actor, id string, p domain.SupplementPayload) (*domain.Dossier, error) {
	if err := allow(a, "record the agency's outcomes", anyone); err != nil {
		return nil, err
	}
	return d.Store.RequestSupplement(ctx, a.Username, id, p)
}

// SupplementTaken records that the citizen brought the papers the agency
// asked for: the dossier goes in the next handover again.
func (d *Desk) SupplementTaken(ctx context.Context, a Actor, id string) (*domain.Dossier, error) {
	if err := allow(a, "record the agency's outcomes", anyone); err != nil {
		return nil, err
	}
	_, out, err := d.Store.Record(ctx, a.Username, domain.KindSupplementTaken, id, domain.SupplementTakenPayload{})
	return out, err
}

// Reject records that the agency refused a dossier.
func (d *Desk) Reject(ctx context.Context, a Actor, id string, p domain.ReasonPayload) (*domain.Dossier, error) {
	if err := allow(a, "record the agency's outcomes", anyone); err != nil {
		return nil, err
	}
	return d.Store.Reject(ctx, a.Username, id, p)
}

// ResultReady records that the agency says the result is ready to collect.
func (d *Desk) ResultReady(ctx context.Context, a Actor, id string) (*domain.Dossier, error) {
	if err := allow(a, "record the agency's outcomes", anyone); err != nil {
		return nil, err
	}
	return d.Store.ResultReady(ctx, a.Username, id)
}

// RegisterResultOnly registers a result the citizen asked to receive by
// post though they applied elsewhere.
func (d *Desk) RegisterResultOnly(ctx context.Context, a Actor, dos domain.Dossier, p domain.Procedure) (*domain.Dossier, error) {
	if err := allow(a, "register results", anyone); err != nil {
		return nil, err
	}
	return d.Store.RegisterResultOnly(ctx, a.Username, dos, p)
}

// TakeOutForDelivery records that the postal worker leaves with these
// results, all or none.
func (d *Desk) TakeOutForDelivery(ctx context.Context, a Actor, ids []string) error {
	if err := allow(a, "take results out for delivery", anyone); err != nil {
		return err
	}
	return d.Store.TakeOutForDelivery(ctx, a.Username, ids)
}

// Deliver records that the result was handed over, with the signature or
// photo as proof.
func (d *Desk) Deliver(ctx context.Context, a Actor, id string, p domain.DeliverPayload, proofs ...store.Proof) (*domain.Dossier, error) {
	if err := allow(a, "deliver results", anyone); err != nil {
		return nil, err
	}
	return d.Store.Deliver(ctx, a.Username, id, p, proofs...)
}

// FailDelivery records a failed attempt; after the last one the result
// goes back to the agency in a new handover record.
func (d *Desk) FailDelivery(ctx context.Context, a Actor, id string, p domain.FailedPayload) (*domain.Dossier, *domain.Handover, error) {
	if err := allow(a, "record failed deliveries", anyone); err != nil {
		return nil, nil, err
	}
	return d.Store.FailDelivery(ctx, a.Username, id, p)
}

// RecordFeedback records a citizen's feedback, about a dossier or not.
func (d *Desk) RecordFeedback(ctx context.Context, a Actor, dossier string, p domain.FeedbackPayload) (*domain.Feedback, error) {
	if err := allow(a, "record feedback", anyone); err != nil {
		return nil, err
	}
	return d.Store.RecordFeedback(ctx, a.Username, dossier, p)
}

// CloseFeedback records how a feedback was answered (supervisors only).
func (d *Desk) CloseFeedback(ctx context.Context, a Actor, p domain.FeedbackClosePayload) error {
	if err := allow(a, "close feedback", supervisors); err != nil {
		return err
	}
	return d.Store.CloseFeedback(ctx, a.Username, p)
}

// ReadProof decrypts one of a delivered dossier's proofs (its signature or
// photo, the path its delivery recorded) for a signed-in staff member; the
// view of the dossier's detail that shows it is in the access log.
func (d *Desk) ReadProof(ctx context.Context, a Actor, id, rel string) ([]byte, error) {
	if err := allow(a, "see a delivery proof", anyone); err != nil {
		return nil, err
	}
	dos, err := d.Store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if p := dos.Delivery; p == nil || rel == "" || (rel != p.SignatureFile && rel != p.PhotoFile) {
		return nil, domain.Errf("proof", "err.proof.not_of_dossier", "%s is not a proof of dossier %s", rel, id).
			WithArgs("Path", rel, "ID", id)
	}
	return d.Store.ReadProof(rel)
}

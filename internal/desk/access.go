package desk

import (
	"context"

	"postdesk/internal/domain"
	"postdesk/internal/lookup"
	"postdesk/internal/store"
)

// Who looked: every view of a dossier's detail, every search by ID number
// or phone and every export of personal data goes through here and is
// recorded as an access event (domain.KindAccess), which syncs to the hub;
// reprints are their own receipt_printed events. A supervisor reads the
// log per dossier and per staff member.

// ViewDossier returns a dossier and its events for its detail screen, and
// records that a staff member opened it.
func (d *Desk) ViewDossier(ctx context.Context, a Actor, id string) (*domain.Dossier, []domain.Event, error) {
	if err := allow(a, "view a dossier", anyone); err != nil {
		return nil, nil, err
	}
	dos, err := d.Store.Dossier(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	evs, err := d.Store.DossierEvents(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := d.Store.RecordAccess(ctx, a.Username, domain.AccessPayload{What: domain.AccessView, Dossiers: []string{id}}); err != nil {
		return nil, nil, err
	}
	return dos, evs, nil
}

// Lookup runs a scan or a typed search (internal/lookup); a search by ID
// number or phone is recorded with the dossiers it found (not the number
// typed), even when it found none.
func (d *Desk) Lookup(ctx context.Context, a Actor, text string) (lookup.Result, error) {
	if err := allow(a, "search", anyone); err != nil {
		return lookup.Result{}, err
	}
	res, err := lookup.Lookup(ctx, d.Store, text)
	if err != nil {
		return res, err
	}
	if what, ok := domain.SearchAccess(res.Query); ok && res.Kind == lookup.KindSearch {
		ids := make([]string, 0, len(res.Dossiers))
		for _, r := range res.Dossiers {
			ids = append(ids, r.ID)
		}
		if err := d.Store.RecordAccess(ctx, a.Username, domain.AccessPayload{What: what, Dossiers: ids}); err != nil {
			return res, err
		}
	}
	return res, nil
}

// RecordExport records that personal data of these dossiers was written
// out (detail: what, e.g. "citizen export pdf").
func (d *Desk) RecordExport(ctx context.Context, a Actor, detail string, dossiers []string) error {
	return d.Store.RecordAccess(ctx, a.Username, domain.AccessPayload{What: domain.AccessExport, Dossiers: dossiers, Detail: detail})
}

// AccessLog is the access log for a supervisor: one dossier's, one staff
// member's, or everything ("" is any), newest first.
func (d *Desk) AccessLog(ctx context.Context, a Actor, dossier, staff string, limit int) ([]store.AccessEntry, error) {
	if err := allow(a, "read the access log", supervisors); err != nil {
		return nil, err
	}
	return d.Store.AccessLog(ctx, dossier, staff, limit)
}

package desk

import (
	"context"

	"postdesk/internal/store"
)

// Purge removes the personal data of the dossiers done longer ago than the
// retention (store.Purge); dry lists them. Supervisors only, and the
// app's automatic run at start and daily (the "system" actor).
func (d *Desk) Purge(ctx context.Context, a Actor, dry bool) (store.PurgeReport, error) {
	if err := allow(a, "purge personal data", supervisors); err != nil {
		return store.PurgeReport{}, err
	}
	return d.Store.Purge(ctx, a.Username, dry)
}

// SetRetentionDays sets how long a done dossier keeps its personal fields
// on this device (supervisors only).
func (d *Desk) SetRetentionDays(ctx context.Context, a Actor, days int) error {
	if err := allow(a, "change the retention", supervisors); err != nil {
		return err
	}
	return d.Store.SetRetentionDays(ctx, a.Username, days)
}

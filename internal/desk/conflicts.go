package desk

import (
	"context"

	"postdesk/internal/domain"
)

// ResolveConflict settles a dossier the ordering rule marked in conflict
// (two devices moved it incompatibly while apart): a supervisor records
// dossier.conflict_resolved with a note saying what was done. The kept
// events stay in the log; the resolution reaches the other devices and the
// hub like any event.
func (d *Desk) ResolveConflict(ctx context.Context, a Actor, id, note string) (*domain.Dossier, error) {
	if err := allow(a, "resolve conflicts", supervisors); err != nil {
		return nil, err
	}
	note = domain.Clean(note)
	if note == "" {
		return nil, domain.Errors{domain.Errf("note", "err.conflict.note", "say what was done to settle the conflict")}
	}
	cur, err := d.Store.Dossier(ctx, id)
	if err != nil {
		return nil, err
	}
	if !cur.InConflict() {
		return nil, domain.Errors{domain.Errf("dossier", "err.conflict.none", "dossier %s has no conflict to resolve", id).WithArgs("Dossier", id)}
	}
	_, out, err := d.Store.Record(ctx, a.Username, domain.KindResolve, id, domain.ResolvePayload{Note: note})
	return out, err
}

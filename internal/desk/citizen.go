package desk

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/receipt"
)

// CitizenData is everything this device holds about one ID number: each
// dossier (its current state, as the projection has it) with every event
// about it — what a citizen may ask to see (Law 91/2025/QH15).
type CitizenData struct {
	IDNumber  string           `json:"id_number"`
	PostPoint domain.PostPoint `json:"post_point"`
	MadeAt    time.Time        `json:"made_at"`
	MadeBy    string           `json:"made_by"`
	Dossiers  []CitizenDossier `json:"dossiers"`
}

// CitizenDossier is one dossier of a citizen's export.
type CitizenDossier struct {
	Dossier *domain.Dossier `json:"dossier"`
	Events  []domain.Event  `json:"events"`
}

// CitizenExport gathers a citizen's data (supervisors only: it is given
// to the citizen on request) and records the export in the access log.
func (d *Desk) CitizenExport(ctx context.Context, a Actor, idNumber, format string) (*CitizenData, error) {
	if err := allow(a, "export a citizen's data", supervisors); err != nil {
		return nil, err
	}
	if what, ok := domain.SearchAccess(idNumber); !ok || what != domain.AccessSearchID {
		return nil, domain.Errf("id_number", "err.citizen_export.id", "the ID number must be 12 digits (CCCD) or 9 (old ID card)")
	}
	_, pp, err := d.Store.Device(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := d.Store.CitizenDossiers(ctx, idNumber)
	if err != nil {
		return nil, err
	}
	out := &CitizenData{IDNumber: idNumber, PostPoint: pp, MadeAt: d.now(), MadeBy: a.Username, Dossiers: []CitizenDossier{}}
	for _, id := range ids {
		dos, err := d.Store.Dossier(ctx, id)
		if err != nil {
			return nil, err
		}
		evs, err := d.Store.DossierEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		out.Dossiers = append(out.Dossiers, CitizenDossier{Dossier: dos, Events: evs})
	}
	if err := d.RecordExport(ctx, a, "citizen export "+format, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// WritePDF writes the export as a PDF (internal/receipt).
func (c *CitizenData) WritePDF(path string) error {
	in := receipt.CitizenInput{IDNumber: c.IDNumber, PostPoint: c.PostPoint, MadeAt: c.MadeAt, MadeBy: c.MadeBy}
	for _, d := range c.Dossiers {
		in.Dossiers = append(in.Dossiers, d.Dossier)
		in.Events = append(in.Events, d.Events)
	}
	return receipt.RenderCitizenFile(path, in)
}

// WriteJSON writes the export as indented JSON.
func (c *CitizenData) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

package desk

import (
	"context"
	"os"
	"path/filepath"

	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
)

// CitizenData is everything this device holds about one ID number
// (receipt.CitizenExport: written as JSON or PDF there).
type CitizenData = receipt.CitizenExport

// CitizenDossier is one dossier of a citizen's export.
type CitizenDossier = receipt.CitizenDossier

// CitizenExport gathers a citizen's data (supervisors only: it is given
// to the citizen on request) and records the export in the access log.
func (d *Desk) CitizenExport(ctx context.Context, a Actor, idNumber, format string) (*CitizenData, error) {
	out, err := d.citizenData(ctx, a, idNumber)
	if err != nil {
		return nil, err
	}
	if err := d.RecordExport(ctx, a, "citizen export "+format, out.DossierIDs()); err != nil {
		return nil, err
	}
	return out, nil
}

// CitizenFiles are the two files of a citizen's export written to a folder.
type CitizenFiles struct {
	PDF, JSON string
	Dossiers  int
}

// ExportCitizenFiles writes a citizen's data export as PDF and JSON into
// dir (the app's export): both files, each written whole, then one access
// log entry; when the log cannot be written the files are removed, so no
// export leaves without its record.
func (d *Desk) ExportCitizenFiles(ctx context.Context, a Actor, idNumber, dir string) (CitizenFiles, error) {
	data, err := d.citizenData(ctx, a, idNumber)
	if err != nil {
		return CitizenFiles{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return CitizenFiles{}, domain.Errf("folder", "err.citizen_export.folder", "the folder %s cannot be made: %v", dir, err).
			WithArgs("Folder", dir, "Reason", err.Error())
	}
	base := filepath.Join(dir, "cong-dan-"+idNumber+"-"+data.MadeAt.In(domain.Zone).Format("20060102-150405"))
	f := CitizenFiles{PDF: base + ".pdf", JSON: base + ".json", Dossiers: len(data.Dossiers)}
	if err := data.WritePDF(f.PDF); err != nil {
		return CitizenFiles{}, err
	}
	if err := atomicfile.Write(f.JSON, 0o600, data.WriteJSON); err != nil {
		os.Remove(f.PDF)
		return CitizenFiles{}, err
	}
	if err := d.RecordExport(ctx, a, "citizen export pdf+json", data.DossierIDs()); err != nil {
		os.Remove(f.PDF)
		os.Remove(f.JSON)
		return CitizenFiles{}, err
	}
	return f, nil
}

// citizenData reads a citizen's dossiers and events, without logging.
func (d *Desk) citizenData(ctx context.Context, a Actor, idNumber string) (*CitizenData, error) {
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
	return out, nil
}

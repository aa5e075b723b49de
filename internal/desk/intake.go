package desk

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

// Intake takes a dossier in at the counter or at the citizen's home (or
// registers a result-only one), in one call:
//
//  1. validate: the procedure is looked up in the catalog and the dossier
//     tidied and checked against it (domain.PrepareIntake); any problem is
//     returned as field errors and nothing is written;
//  2. date: received now (the store's clock), and when it goes to the
//     agency the appointment date from the procedure's processing days and
//     the settings' transit days, in working days of internal/calendar;
//  3. price: with FromTariff, the postage from the settings' tariff and the
//     fee from the procedure (when the catalog knows it); with AsTyped, the
//     postage and fee the clerk confirmed on the slip (the form shows the
//     same figures, and the clerk may change them: a waiver, an exemption);
//  4. write: store.Intake allocates the receipt number and writes the event
//     and the projection in one transaction.
func (d *Desk) Intake(ctx context.Context, a Actor, dos domain.Dossier, pricing Pricing) (*domain.Dossier, error) {
	if err := allow(a, "take dossiers in", anyone); err != nil {
		return nil, err
	}
	var proc domain.Procedure
	if dos.ProcedureCode != "" {
		p, err := d.Store.Procedure(ctx, dos.ProcedureCode)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		proc = p // not in the catalog: PrepareIntake names the field
	}
	st, err := d.Store.Settings(ctx)
	if err != nil {
		return nil, err
	}
	// price
	if pricing == FromTariff {
		dos.Postage = TariffPostage(st, dos.Option, dos.ReturnMethod, dos.Place)
		if proc.FeeKnown {
			dos.Fee = proc.Fee
		}
	}
	// validate
	tidy, errs := domain.PrepareIntake(dos, proc)
	if len(errs) > 0 {
		return nil, errs
	}
	// date
	now := d.now()
	tidy.ReceivedAt = now
	tidy.ExpectedDate = nil
	if tidy.Option.Sends() && proc.ProcessingDays > 0 {
		// the official calendar (shipped and installed year files) with the
		// settings' local days off; a broken year file is said, not skipped
		cal, err := calendar.LoadLocal(d.Store.CalendarDir(), st.Holidays)
		if err != nil {
			return nil, err
		}
		due := cal.Appointment(now, proc.ProcessingDays, st.TransitDays).Date
		tidy.ExpectedDate = &due
	}
	// write
	return d.Store.Intake(ctx, a.Username, tidy)
}

// Pricing says where an intake's postage and fee come from.
type Pricing int

const (
	// AsTyped keeps the postage and fee on the slip.
	AsTyped Pricing = iota
	// FromTariff sets the postage from the settings' tariff and the fee
	// from the procedure.
	FromTariff
)

// TariffPostage is the postage the settings' tariff asks for a service
// option, a way of return and a place of intake.
func TariffPostage(st domain.Settings, opt domain.ServiceOption, ret domain.ReturnMethod, place domain.Place) domain.Money {
	price := map[string]domain.Money{}
	for _, t := range st.Tariff {
		price[t.Code] = t.Postage
	}
	var m domain.Money
	if opt.Sends() {
		m += price["send"]
	}
	if opt.Returns() && ret != domain.ReturnAtCounter {
		m += price["return"]
	}
	if place == domain.PlaceHome {
		m += price["home_pickup"]
	}
	return m
}

// Cancel cancels a dossier before it goes to the agency; the lifecycle
// refuses it later.
func (d *Desk) Cancel(ctx context.Context, a Actor, id, reason string) (*domain.Dossier, error) {
	if err := allow(a, "cancel dossiers", anyone); err != nil {
		return nil, err
	}
	_, out, err := d.Store.Record(ctx, a.Username, domain.KindCancel, id, domain.ReasonPayload{Reason: reason})
	return out, err
}

// ReceiptDir is where receipt PDFs are written: beside the database, so a
// backup of the folder keeps them.
func (d *Desk) ReceiptDir() string {
	return filepath.Join(filepath.Dir(d.Store.Path()), "receipts")
}

// PrintReceipt renders the receipt of dossier id to a PDF in ReceiptDir and
// records that it was printed (a reprint says so). clerk is the name on a
// first print; a reprint leaves it out. It returns the PDF's path.
func (d *Desk) PrintReceipt(ctx context.Context, a Actor, id, clerk string, reprint bool) (string, error) {
	if err := allow(a, "print receipts", anyone); err != nil {
		return "", err
	}
	if reprint {
		clerk = ""
	}
	in, err := receipt.ForDossier(ctx, d.Store, id, clerk)
	if err != nil {
		return "", err
	}
	dir := d.ReceiptDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, id+".pdf")
	if err := receipt.RenderFile(path, in); err != nil {
		return "", err
	}
	if _, _, err := d.Store.Record(ctx, a.Username, domain.KindReceiptPrint, id,
		domain.ReceiptPrintPayload{Reprint: reprint, Layout: in.Layout}); err != nil {
		return path, err
	}
	return path, nil
}

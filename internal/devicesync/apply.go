package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/i18n"
	"postdesk/internal/calendar"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// applier applies the hub's updates to this device, idempotently: each
// update id is applied at most once (store.sync_updates), and one that
// cannot be applied is kept as skipped with its reason — never dropped —
// and retried on later rounds.
type applier struct {
	s       *store.Store
	dev     domain.Device
	key     ed25519.PublicKey // this device's public key
	round   int64
	applied int
	skipped int
	revoked bool
}

func (a *applier) applyAll(ctx context.Context, items []syncproto.Update) error {
	for _, u := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		st, err := a.s.SyncUpdateStatus(ctx, u.ID)
		if err != nil {
			return err
		}
		if st == "applied" {
			continue // seen before (a reply imported twice, a page fetched again)
		}
		if err := a.apply(ctx, u, st == "skipped"); err != nil {
			return err
		}
	}
	return nil
}

// retrySkipped tries again the updates skipped before (oldest first).
func (a *applier) retrySkipped(ctx context.Context) error {
	list, err := a.s.SkippedUpdates(ctx, 500)
	if err != nil {
		return err
	}
	for _, su := range list {
		var u syncproto.Update
		if err := json.Unmarshal(su.Data, &u); err != nil {
			continue // kept as skipped; its reason says why
		}
		if err := a.apply(ctx, u, true); err != nil {
			return err
		}
	}
	return nil
}

// apply applies one update. A reason to skip is recorded, not returned;
// only a failure of the database (or a cancelled context) is an error.
func (a *applier) apply(ctx context.Context, u syncproto.Update, retry bool) error {
	data, err := json.Marshal(u)
	if err != nil {
		return err
	}
	hu := store.HubUpdate{ID: u.ID, Kind: u.Kind, Dossier: u.Dossier, Data: data, Round: a.round}
	reason, err := a.do(ctx, hu, u)
	if errors.Is(err, store.ErrUpdateApplied) {
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		reason = i18n.Message(err) // the domain's reason, in the user's language
	}
	if reason == "" {
		a.applied++
		return nil
	}
	if err := a.s.SkipUpdate(context.WithoutCancel(ctx), hu, reason); err != nil {
		return err
	}
	if !retry {
		a.skipped++
	}
	return nil
}

// do applies u; it returns a non-empty reason when u is to be skipped.
// Errors from the store (an illegal move, a bad code) are reasons too.
func (a *applier) do(ctx context.Context, hu store.HubUpdate, u syncproto.Update) (string, error) {
	switch u.Kind {
	case syncproto.UpdateOutcome:
		payload, err := outcomePayload(u)
		if err != nil {
			return err.Error(), nil
		}
		_, err = a.s.ApplyOutcome(ctx, hu, u.Event, payload)
		return "", err
	case syncproto.UpdateRegister:
		var d domain.Dossier
		if err := json.Unmarshal(u.Payload, &d); err != nil {
			return fmt.Sprintf("result-only registration unreadable: %v", err), nil
		}
		reg, err := registration(d, a.dev)
		if err != nil {
			return "", err
		}
		_, err = a.s.ApplyRegistration(ctx, hu, reg)
		return "", err
	case syncproto.UpdateCatalog:
		return a.catalog(ctx, hu, u)
	case syncproto.UpdateRetention:
		var rc syncproto.RetentionChange
		if err := json.Unmarshal(u.Payload, &rc); err != nil {
			return fmt.Sprintf("retention unreadable: %v", err), nil
		}
		if err := a.s.SetRetentionDays(ctx, "hub", rc.Days); err != nil {
			return err.Error(), nil
		}
		return "", a.s.MarkUpdateApplied(ctx, hu)
	case syncproto.UpdateRevoke:
		var rv syncproto.Revocation
		if err := json.Unmarshal(u.Payload, &rv); err != nil || rv.Device == "" {
			return "revocation unreadable", nil
		}
		if rv.Device == a.dev.ID() {
			// In the hub's signed updates list: a revoked device locks (§7.1).
			if err := a.s.SetRevoked(ctx, u.At, rv.Reason); err != nil {
				return "", err
			}
			if err := a.s.SetLockOrder(ctx, u.At, rv.Reason); err != nil {
				return "", err
			}
			a.revoked = true
		} else if err := a.s.RevokeDeviceKey(ctx, rv.Device, u.At); err != nil {
			return "", err
		} else if err := a.s.SetRevokedThrough(ctx, rv.Device, rv.ThroughSeq); err != nil {
			return "", err
		}
		return "", a.s.MarkUpdateApplied(ctx, hu)
	case syncproto.UpdateDeviceKey:
		var dk syncproto.DeviceKey
		if err := json.Unmarshal(u.Payload, &dk); err != nil {
			return "device key unreadable", nil
		}
		if err := syncproto.CheckDeviceID(dk.Device, dk.PostPoint); err != nil || len(dk.PublicKey) != ed25519.PublicKeySize {
			return "device key malformed", nil
		}
		if dk.Device == a.dev.ID() {
			if !bytes.Equal(dk.PublicKey, a.key) {
				return "the hub holds another public key for this device", nil
			}
		} else {
			var revoked time.Time
			if dk.RevokedAt != nil {
				revoked = *dk.RevokedAt
			}
			if err := a.s.PutDeviceKey(ctx, dk.Device, dk.PostPoint, ed25519.PublicKey(dk.PublicKey), revoked); err != nil {
				return "", err
			}
			if err := a.s.SetRevokedThrough(ctx, dk.Device, dk.RevokedThrough); err != nil {
				return "", err
			}
			if dk.AgeRecipient != "" {
				if err := a.s.SetPeerAgeRecipient(ctx, dk.Device, dk.AgeRecipient); err != nil {
					return "", err
				}
			}
		}
		return "", a.s.MarkUpdateApplied(ctx, hu)
	case syncproto.UpdateNotice:
		var n syncproto.ReceiptNotice
		if err := json.Unmarshal(u.Payload, &n); err != nil {
			return fmt.Sprintf("receipt notice unreadable: %v", err), nil
		}
		if err := n.Check(); err != nil {
			return err.Error(), nil
		}
		return "", a.s.ApplyReceiptNotice(ctx, hu, n.Texts)
	case syncproto.UpdateTotals:
		var tc syncproto.TotalsChange
		if err := json.Unmarshal(u.Payload, &tc); err != nil {
			return fmt.Sprintf("totals unreadable: %v", err), nil
		}
		if err := tc.Check(); err != nil {
			return err.Error(), nil
		}
		imp := store.TotalsImport{Source: tc.Source, SHA256: tc.SHA256, Staff: tc.Staff, From: tc.From, To: tc.To, Agencies: tc.Agencies}
		for _, r := range tc.Rows {
			imp.Rows = append(imp.Rows, store.TotalsRow{Procedure: r.Procedure, Agency: r.Agency, Month: r.Month, Dossiers: r.Dossiers, Results: r.Results})
		}
		return "", a.s.ApplyHubTotals(ctx, hu, imp, tc.MarkAt)
	case syncproto.UpdateScope:
		var sc domain.ReportScope
		if err := json.Unmarshal(u.Payload, &sc); err != nil {
			return fmt.Sprintf("report scope unreadable: %v", err), nil
		}
		if err := sc.Check(); err != nil {
			return err.Error(), nil
		}
		return "", a.s.ApplyReportScope(ctx, hu, sc)
	default:
		return fmt.Sprintf("unknown update kind %q (a newer hub? update PostDesk)", u.Kind), nil
	}
}

// outcomePayload checks an outcome and returns the payload to record: the
// hub's payload with "hub_update" added, so the event names its source.
func outcomePayload(u syncproto.Update) (json.RawMessage, error) {
	mk, ok := syncproto.OutcomeEvents[u.Event]
	if !ok {
		return nil, fmt.Errorf("an outcome cannot be %q", u.Event)
	}
	if u.Dossier == "" {
		return nil, errors.New("an outcome without a dossier")
	}
	fields := map[string]json.RawMessage{}
	if mk != nil {
		if len(u.Payload) == 0 {
			return nil, fmt.Errorf("outcome %s without its payload", u.Event)
		}
		typed := mk()
		if err := json.Unmarshal(u.Payload, typed); err != nil {
			return nil, fmt.Errorf("outcome payload unreadable: %v", err)
		}
		if err := json.Unmarshal(u.Payload, &fields); err != nil {
			return nil, fmt.Errorf("outcome payload is not an object: %v", err)
		}
		if ap, ok := typed.(*domain.AcceptPayload); ok && ap.DueDate.IsZero() {
			return nil, errors.New("acceptance without a due date")
		}
	}
	id, _ := json.Marshal(u.ID)
	fields["hub_update"] = id
	return json.Marshal(fields) // keys sorted: stable bytes
}

// registration keeps from the hub's dossier only what a result-only
// registration may set; the device allocates the receipt number.
func registration(in domain.Dossier, dev domain.Device) (domain.Dossier, error) {
	if in.Option != "" && in.Option != domain.OptionReturnOnly {
		return domain.Dossier{}, fmt.Errorf("a result-only registration must have option %q, not %q", domain.OptionReturnOnly, in.Option)
	}
	if domain.Clean(in.Applicant.FullName) == "" || in.ProcedureCode == "" {
		return domain.Dossier{}, errors.New("a result-only registration needs the applicant and the procedure")
	}
	d := domain.Dossier{
		Option: domain.OptionReturnOnly, ProcedureCode: in.ProcedureCode, ProcedureName: in.ProcedureName,
		AgencyCode: in.AgencyCode, Applicant: in.Applicant, Representative: in.Representative,
		Place: domain.PlaceCounter, Postage: in.Postage, Fee: in.Fee, FeePayment: in.FeePayment,
		ReturnMethod: in.ReturnMethod, ReturnAddress: in.ReturnAddress, OfficialCode: in.OfficialCode,
		DueDate: in.DueDate, ExpectedDate: in.ExpectedDate, Notes: in.Notes,
	}
	if d.ReturnMethod == "" {
		d.ReturnMethod = domain.ReturnByPost
	}
	return d, nil
}

func (a *applier) catalog(ctx context.Context, hu store.HubUpdate, u syncproto.Update) (string, error) {
	var cc syncproto.CatalogChange
	if err := json.Unmarshal(u.Payload, &cc); err != nil {
		return fmt.Sprintf("catalog change unreadable: %v", err), nil
	}
	var errs domain.Errors
	for _, ag := range cc.Agencies {
		if err := catalog.ValidateAgency(ag); err != nil {
			errs = append(errs, domain.Errf("agency "+ag.Code, "err.invalid", "%v", err))
		}
	}
	for _, p := range cc.Procedures {
		if err := catalog.ValidateProcedure(p); err != nil {
			errs = append(errs, domain.Errf("procedure "+p.Code, "err.invalid", "%v", err))
		}
	}
	if err := catalog.ValidateCommunes(cc.Communes); err != nil {
		var ces domain.Errors
		if errors.As(err, &ces) {
			errs = append(errs, ces...)
		} else {
			errs = append(errs, domain.Errf("communes", "err.invalid", "%v", err))
		}
	}
	// A province catalog older than the one applied (a skipped update
	// retried late) must not bring old procedures back.
	if cc.Version > 0 {
		info, err := a.s.Catalog(ctx)
		if err != nil {
			return "", err
		}
		if info.HubVersion > cc.Version {
			return "", a.s.MarkUpdateApplied(ctx, hu)
		}
	}
	var years []*calendar.YearFile
	for _, c := range cc.Calendars {
		f, err := calendar.Parse([]byte(c.Text))
		if err != nil {
			errs = append(errs, domain.Errf(fmt.Sprintf("calendar %d", c.Year), "err.invalid", "%v", err))
		} else if f.Year != c.Year {
			errs = append(errs, domain.Errf(fmt.Sprintf("calendar %d", c.Year), "err.invalid", "the file is for %d", f.Year))
		}
		years = append(years, f)
	}
	if err := errs.Err(); err != nil {
		return "", err
	}
	name := cc.FileName
	if name == "" {
		name = fmt.Sprintf("hub-update-%d", u.ID)
	}
	// Two steps (the import has its own transaction): a crash between them
	// re-imports the same catalog, which CatalogImported turns into a no-op.
	done, err := a.s.CatalogImported(ctx, name, cc.SHA256)
	if err != nil {
		return "", err
	}
	if !done {
		if _, err := a.s.ImportCatalog(ctx, store.HubStaff, store.CatalogImport{FileName: name, SHA256: cc.SHA256,
			Agencies: cc.Agencies, Procedures: cc.Procedures, HubVersion: cc.Version, Communes: cc.Communes}); err != nil {
			return "", err
		}
	}
	// The year files were all checked above; writing one again is harmless,
	// so a crash here is mended by the retry.
	for i, c := range cc.Calendars {
		if _, err := calendar.Install(a.s.CalendarDir(), []byte(c.Text)); err != nil {
			return "", fmt.Errorf("calendar %d: %w", years[i].Year, err)
		}
	}
	return "", a.s.MarkUpdateApplied(ctx, hu)
}

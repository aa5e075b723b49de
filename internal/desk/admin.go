package desk

import (
	"context"
	"errors"

	"postdesk/internal/auth"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/report"
	"postdesk/internal/store"
)

// The post point's own setup: first start, staff accounts, the catalog and
// the demo post point.

// FirstStart records the post point, this device's letter and the first
// supervisor with their PIN or password, on a database not set up yet (a
// database already set up keeps its post point; the supervisor is added).
func (d *Desk) FirstStart(ctx context.Context, pp domain.PostPoint, letter string, sup domain.Staff, secret string) error {
	hash, err := auth.Hash(secret)
	if err != nil {
		return err
	}
	if _, _, err := d.Store.Device(ctx); errors.Is(err, store.ErrNotSetUp) {
		if err := d.Store.Setup(ctx, pp, letter); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	sup.Role, sup.Active = domain.RoleSupervisor, true
	return d.Store.AddStaff(ctx, "", sup, hash)
}

// AddStaff creates a staff account with its PIN or password (supervisors only).
func (d *Desk) AddStaff(ctx context.Context, a Actor, st domain.Staff, secret string) error {
	if err := allow(a, "manage staff", supervisors); err != nil {
		return err
	}
	hash, err := auth.Hash(secret)
	if err != nil {
		return err
	}
	if err := d.Store.AddStaff(ctx, a.Username, st, hash); err != nil {
		return err
	}
	return d.Store.ShareProofKey(ctx, domain.Clean(st.Username), secret)
}

// ResetStaffSecret sets a new PIN or password and lifts any sign-in lock
// (supervisors only).
func (d *Desk) ResetStaffSecret(ctx context.Context, a Actor, username, secret string) error {
	if err := allow(a, "manage staff", supervisors); err != nil {
		return err
	}
	hash, err := auth.Hash(secret)
	if err != nil {
		return err
	}
	if err := d.Store.ResetStaffSecret(ctx, a.Username, username, hash); err != nil {
		return err
	}
	return d.Store.ShareProofKey(ctx, domain.Clean(username), secret)
}

// SetStaffActive turns an account on or off (supervisors only).
func (d *Desk) SetStaffActive(ctx context.Context, a Actor, username string, active bool) error {
	if err := allow(a, "manage staff", supervisors); err != nil {
		return err
	}
	return d.Store.SetStaffActive(ctx, a.Username, username, active)
}

// SetStaffRole changes an account's role (supervisors only).
func (d *Desk) SetStaffRole(ctx context.Context, a Actor, username string, role domain.Role) error {
	if err := allow(a, "manage staff", supervisors); err != nil {
		return err
	}
	return d.Store.SetStaffRole(ctx, a.Username, username, role)
}

// ImportCatalog checks a parsed catalog file's agencies against the
// database (so a missing one is named with its line) and stores it all or
// nothing (supervisors only).
func (d *Desk) ImportCatalog(ctx context.Context, a Actor, f *catalog.File) (store.CatalogResult, error) {
	if err := allow(a, "import the catalog", supervisors); err != nil {
		return store.CatalogResult{}, err
	}
	known, err := d.Store.Agencies(ctx)
	if err != nil {
		return store.CatalogResult{}, err
	}
	exists := map[string]bool{}
	for _, ag := range known {
		exists[ag.Code] = true
	}
	if err := f.CheckAgencies(func(code string) bool { return exists[code] }); err != nil {
		return store.CatalogResult{}, err
	}
	return d.Store.ImportCatalog(ctx, a.Username, store.CatalogImport{FileName: f.Name, SHA256: f.SHA256,
		Agencies: f.Agencies, Procedures: f.Procedures})
}

// ImportTotals stores the one-stop system's all-channel totals, checked
// against the catalog, all or nothing (supervisors only).
func (d *Desk) ImportTotals(ctx context.Context, a Actor, f *report.TotalsFile) (int64, error) {
	if err := allow(a, "import totals", supervisors); err != nil {
		return 0, err
	}
	return report.ImportPoint(ctx, d.Store, a.Username, f)
}

package desk

import (
	"context"
	"errors"
	"path/filepath"

	"postdesk/internal/auth"
	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// DemoPIN is the PIN of every demo account.
const DemoPIN = "1234"

// DemoPostPoint is the post point a demo database belongs to.
var DemoPostPoint = domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}

// DemoActor is who sets the demo post point up.
var DemoActor = Actor{Username: "demo", Role: domain.RoleSupervisor}

// DemoSheetName is the demo post point's recovery sheet, written beside its
// database.
const DemoSheetName = "demo-recovery-sheet.pdf"

// PrepareDemo sets up the demo post point, its staff, the sample catalog
// and a recovery key in a database that lacks them; what is already there
// is kept. The recovery key's secret goes only to its sheet (DemoSheetName,
// beside the database), as for a real post point, so the demo's automatic
// backup is encrypted and works from the first start.
func (d *Desk) PrepareDemo(ctx context.Context) error {
	s := d.Store
	if _, _, err := s.Device(ctx); errors.Is(err, store.ErrNotSetUp) {
		if err := s.Setup(ctx, DemoPostPoint, "A"); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if v, err := s.CatalogVersion(ctx); err != nil {
		return err
	} else if v == 0 {
		f, err := catalog.Sample()
		if err != nil {
			return err
		}
		if _, err := d.ImportCatalog(ctx, DemoActor, f); err != nil {
			return err
		}
	}
	if has, err := d.HasRecoveryKey(ctx); err != nil {
		return err
	} else if !has && s.Path() != "" {
		if _, err := d.NewRecoveryKey(ctx, DemoActor, filepath.Join(filepath.Dir(s.Path()), DemoSheetName)); err != nil {
			return err
		}
	}
	for _, st := range demo.Staff {
		if _, err := s.StaffMember(ctx, st.Username); err == nil {
			continue
		}
		hash, err := auth.Hash(DemoPIN)
		if err != nil {
			return err
		}
		if err := s.AddStaff(ctx, DemoActor.Username, st, hash); err != nil {
			return err
		}
	}
	return nil
}

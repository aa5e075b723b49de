package desk

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"postdesk/internal/receipt"
	"postdesk/internal/vault"
)

// RecoveryKey is a recovery key just made: its secret exists only here and
// on the sheet written at SheetPath; the device keeps Recipient.
type RecoveryKey struct {
	Secret    string
	Recipient string
	SheetPath string
}

// NewRecoveryKey makes the post point's recovery key (supervisors only): an
// age identity whose public recipient is kept, so every later backup is
// encrypted to it, and whose secret is written once on the recovery sheet
// (PDF, text and QR) at sheet and returned for the caller to show. Nothing
// of the secret is written to the database. Backups made before stay
// openable with the key they were made for.
func (d *Desk) NewRecoveryKey(ctx context.Context, a Actor, sheet string) (RecoveryKey, error) {
	if err := allow(a, "make a recovery key", supervisors); err != nil {
		return RecoveryKey{}, err
	}
	_, pp, err := d.Store.Device(ctx)
	if err != nil {
		return RecoveryKey{}, err
	}
	id, err := vault.NewKey()
	if err != nil {
		return RecoveryKey{}, err
	}
	k := RecoveryKey{Secret: id.String(), Recipient: id.Recipient().String(), SheetPath: sheet}
	if err := os.MkdirAll(filepath.Dir(sheet), 0o700); err != nil {
		return RecoveryKey{}, err
	}
	// The sheet first: a key whose sheet could not be written is never used.
	if err := receipt.RenderRecoverySheetFile(sheet, receipt.RecoveryInput{PostPoint: pp, Secret: k.Secret,
		Recipient: k.Recipient, MadeBy: a.Username, Now: d.now()}); err != nil {
		return RecoveryKey{}, fmt.Errorf("recovery sheet: %w", err)
	}
	if err := d.Store.SetRecoveryRecipient(ctx, k.Recipient); err != nil {
		os.Remove(sheet)
		return RecoveryKey{}, err
	}
	return k, nil
}

// HasRecoveryKey reports whether the post point has a recovery key.
func (d *Desk) HasRecoveryKey(ctx context.Context) (bool, error) {
	r, err := d.Store.RecoveryRecipient(ctx)
	return r != "", err
}

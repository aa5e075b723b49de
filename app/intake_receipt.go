package app

import (
	"os"
	"path/filepath"

	"postdesk/internal/domain"
	"postdesk/internal/receipt"
)

// receiptPrintPayload is the payload of a dossier.receipt_printed event:
// the province can tell a first print from reprints.
type receiptPrintPayload struct {
	Reprint bool   `json:"reprint,omitempty"`
	Layout  string `json:"layout"`
}

// receiptDir is where receipt PDFs are written: beside the database, so a
// backup of the folder keeps them.
func receiptDir(u *UI) string {
	return filepath.Join(filepath.Dir(u.Store.Path()), "receipts")
}

// printReceipt renders the receipt of dossier id to a PDF, records that it
// was printed, and sends it to paper (deliverReceipt: the viewer or the
// printer of the settings; when neither works the clerk sees the path and
// what to do). The path is returned.
func printReceipt(u *UI, id string, reprint bool) (string, error) {
	clerk := ""
	if !reprint {
		clerk = u.Staff.FullName
	}
	in, err := receipt.ForDossier(u.Ctx, u.Store, id, clerk)
	if err != nil {
		return "", err
	}
	dir := receiptDir(u)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, id+".pdf")
	if err := receipt.RenderFile(path, in); err != nil {
		return "", err
	}
	if _, _, err := u.Store.Record(u.Ctx, u.Staff.Username, domain.KindReceiptPrint, id,
		receiptPrintPayload{Reprint: reprint, Layout: in.Layout}); err != nil {
		return path, err
	}
	u.deliverReceipt(path)
	return path, nil
}

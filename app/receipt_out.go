package app

// After a receipt is saved it must reach paper: it opens in the system's
// PDF viewer, or goes straight to the printer chosen in Settings; when
// neither works the clerk is told plainly, sees where the file is, and can
// open its folder or print it directly.

import (
	"errors"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
)

// The system's ways to a receipt's paper (receipt_print_*.go); tests
// replace them.
var (
	openInViewer = systemOpen     // the PDF viewer, which prints
	openFolder   = systemOpen     // the file manager on the receipts' folder
	printFile    = systemPrint    // straight to a printer ("" = the default one)
	canPrint     = systemCanPrint // whether direct printing exists here
)

// errNoViewer says the system has no program to open the receipt with.
var errNoViewer = errors.New("no PDF viewer")

// deliverReceipt sends the saved receipt at path to paper the way the
// settings say, and tells the clerk where it is.
func (u *UI) deliverReceipt(path string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	if printer := u.Settings.Printer; printer != "" {
		if err := printFile(abs, printer, u.Settings.ReceiptLayout); err != nil {
			u.showReceiptTrouble(abs, i18n.Tf("receipt.out.print_failed", map[string]string{
				"Printer": printer, "Reason": err.Error()}))
			return
		}
		u.Notify(i18n.Tf("receipt.out.printed", map[string]string{"Printer": printer, "Path": abs}))
		return
	}
	if err := openInViewer(abs); err != nil {
		reason := err.Error()
		if errors.Is(err, errNoViewer) {
			reason = i18n.T("receipt.out.no_viewer")
		}
		u.showReceiptTrouble(abs, i18n.Tf("receipt.out.viewer_failed", map[string]string{"Reason": reason}))
		return
	}
	u.Notify(i18n.Tf("receipt.out.opened", map[string]string{"Path": abs}))
}

// showReceiptTrouble says why the receipt did not reach paper, where the
// file is (selectable, to copy), and offers its folder and direct printing.
func (u *UI) showReceiptTrouble(path, why string) {
	u.Notify(why + " " + i18n.Tf("receipt.out.where", map[string]string{"Path": path}))
	msg := widget.NewLabel(why)
	msg.Wrapping = fyne.TextWrapWord
	where := widget.NewEntry()
	where.SetText(path)
	where.OnChanged = func(string) { where.SetText(path) } // shown to copy, not to edit
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	status.Hide()
	var d dialog.Dialog
	folder := newButton(i18n.T("receipt.out.open_folder"), func() {
		if err := openFolder(filepath.Dir(path)); err != nil {
			status.SetText(i18n.Tf("receipt.out.folder_failed", map[string]string{"Reason": err.Error()}))
			status.Show()
		}
	})
	buttons := container.NewHBox(folder)
	if canPrint() {
		direct := newButton(i18n.T("receipt.out.print_direct"), func() {
			if err := printFile(path, u.Settings.Printer, u.Settings.ReceiptLayout); err != nil {
				status.SetText(i18n.Tf("receipt.out.print_failed", map[string]string{
					"Printer": printerName(u.Settings.Printer), "Reason": err.Error()}))
				status.Show()
				return
			}
			u.Notify(i18n.Tf("receipt.out.printed", map[string]string{"Printer": printerName(u.Settings.Printer), "Path": path}))
			d.Hide()
		})
		direct.Importance = widget.HighImportance
		buttons.Add(direct)
	}
	content := container.NewVBox(msg, widget.NewLabel(i18n.T("receipt.out.path")), where, buttons, status)
	d = dialog.NewCustom(i18n.T("receipt.out.title"), i18n.T("receipt.out.close"), content, u.Win)
	d.Resize(fyne.NewSize(600, content.MinSize().Height+120))
	u.ShowDialog(d)
}

// printerName is a printer setting as the clerk reads it.
func printerName(p string) string {
	if p == "" {
		return i18n.T("receipt.out.default_printer")
	}
	return p
}

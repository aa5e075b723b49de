package app

// The post point's recovery key (internal/desk NewRecoveryKey): made at the
// first start and on demand in Settings; its sheet is printed once and its
// secret shown once, then the sheet's file is removed — the device keeps
// only the public recipient its backups are encrypted to.

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/receipt"
)

// makeRecoveryKey makes a new recovery key and shows it with its sheet.
// The sheet is written to the system's temporary folder (not the data
// folder or the backup stick), sent to the printer or viewer, and removed
// when the dialog is closed.
func (u *UI) makeRecoveryKey() {
	sheet := filepath.Join(os.TempDir(), fmt.Sprintf("postdesk-recovery-%d.pdf", time.Now().UnixNano()))
	k, err := u.Desk.NewRecoveryKey(u.Ctx, u.Actor(), sheet)
	if err != nil {
		u.ShowError(err)
		return
	}
	u.setBackupError("")
	key := widget.NewLabelWithStyle(receipt.RecoveryGroups(k.Secret), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true, Bold: true})
	key.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(i18n.T("app.recovery.intro"))
	intro.Wrapping = fyne.TextWrapWord
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	status.Hide()
	printBtn := newButton(i18n.T("app.recovery.print"), func() {
		var err error
		if u.Settings.Printer != "" {
			err = printFile(sheet, u.Settings.Printer, "")
		} else {
			err = openInViewer(sheet)
		}
		if err != nil {
			status.SetText(i18n.Tf("app.recovery.print_failed", map[string]string{"Reason": err.Error()}))
			status.Show()
		}
	})
	printBtn.Importance = widget.HighImportance
	content := container.NewVBox(intro, key, container.NewHBox(printBtn), status)
	d := dialog.NewCustom(i18n.T("app.recovery.title"), i18n.T("app.recovery.done"), content, u.Win)
	d.SetOnClosed(func() { os.Remove(sheet) })
	d.Resize(fyne.NewSize(640, content.MinSize().Height+120))
	u.ShowDialog(d)
	if u.Settings.Printer == "" {
		if err := openInViewer(sheet); err != nil {
			status.SetText(i18n.Tf("app.recovery.print_failed", map[string]string{"Reason": err.Error()}))
			status.Show()
		}
	}
}

// askRecoveryKey asks a supervisor to make a new recovery key.
func (u *UI) askRecoveryKey() {
	u.Confirm(i18n.T("app.recovery.title"), i18n.T("app.recovery.confirm"), u.makeRecoveryKey)
}

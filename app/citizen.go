package app

// A citizen's data export for a supervisor (internal/desk
// ExportCitizenFiles): every dossier and event about one ID number, written
// as PDF and JSON into a folder, recorded in the access log. Opened from the
// staff screen (F9) with Ctrl+E or its button; the ID field has the focus,
// Enter exports, Esc closes.

import (
	"errors"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// citizenExportDir is the folder the export dialog offers: beside the
// database, so it is on the same (encrypted) disk.
func (u *UI) citizenExportDir() string {
	return filepath.Join(filepath.Dir(u.Store.Path()), "citizen-exports")
}

// citizenExportForm is the dialog's fields (the session keeps the last one).
type citizenExportForm struct {
	id, folder *Entry
	errs       map[string]*widget.Label
	result     *widget.Label
	run        func()
}

// showCitizenExport opens the export dialog.
func (u *UI) showCitizenExport() {
	f := &citizenExportForm{id: u.NewEntry(), folder: u.NewEntry(), errs: map[string]*widget.Label{}}
	f.folder.SetText(u.citizenExportDir())
	f.result = widget.NewLabel("")
	f.result.Wrapping = fyne.TextWrapWord
	f.result.Hide()
	row := func(labelKey, field string, w fyne.CanvasObject) fyne.CanvasObject {
		e := errorLabel()
		f.errs[field] = e
		return container.NewVBox(widget.NewLabel(i18n.T(labelKey)), w, e)
	}
	f.run = func() {
		for _, l := range f.errs {
			setFieldError(l, "")
		}
		f.result.Hide()
		id := strings.TrimSpace(f.id.Text)
		files, err := u.Desk.ExportCitizenFiles(u.Ctx, u.Actor(), id, strings.TrimSpace(f.folder.Text))
		if err != nil {
			var fe *domain.FieldError
			if errors.As(err, &fe) {
				u.showFieldErrors(f.errs, []*domain.FieldError{fe})
			} else {
				u.ShowError(err)
			}
			return
		}
		msg := i18n.Tf("citizen.export.done", map[string]string{"N": formatCount(files.Dossiers), "ID": id,
			"PDF": filepath.Base(files.PDF), "JSON": filepath.Base(files.JSON)})
		f.result.SetText(msg)
		f.result.Show()
		u.Notify(msg)
	}
	f.id.OnSubmitted = func(string) { f.run() }
	f.folder.OnSubmitted = func(string) { f.run() }
	intro := widget.NewLabel(i18n.T("citizen.export.intro"))
	intro.Wrapping = fyne.TextWrapWord
	btn := newButton(i18n.T("citizen.export.run"), f.run)
	btn.Importance = widget.HighImportance
	content := container.NewVBox(intro,
		row("citizen.export.id", "id_number", f.id),
		row("citizen.export.folder", "folder", f.folder),
		container.NewHBox(btn), f.result)
	d := dialog.NewCustom(i18n.T("citizen.export.title"), i18n.T("citizen.export.cancel"), content, u.Win)
	d.Resize(fyne.NewSize(640, content.MinSize().Height+120))
	u.ShowDialog(d)
	u.Win.Canvas().Focus(f.id)
	u.session.citizen = f
}

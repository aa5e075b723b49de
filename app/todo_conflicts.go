package app

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// conflictLines lists the dossiers two devices moved incompatibly while
// apart (docs/sync-protocol.md §11.2): which moves the rule kept aside, by
// which device and staff. A supervisor settles each with a note.
func (t *todoScreen) conflictLines(ds []*domain.Dossier) []fyne.CanvasObject {
	u := t.u
	var rows []fyne.CanvasObject
	for i, d := range ds {
		if i == todoListMax {
			break
		}
		text := i18n.Tf("todo.conflict.row", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName,
			"State": stateLabel(d.State), "Moves": conflictMoves(d)})
		if !u.IsSupervisor() {
			l := widget.NewLabel(text)
			l.Wrapping = fyne.TextWrapWord
			rows = append(rows, l)
			continue
		}
		id := d.ID
		rows = append(rows, t.line(text, "todo.conflict.resolve", func() { t.askResolve(id) }))
	}
	return rows
}

// conflictMoves names the unsettled moves: "Phát kết quả (600900-B, gdv2)".
func conflictMoves(d *domain.Dossier) string {
	var parts []string
	for _, c := range d.Conflicts[d.ConflictsResolved:] {
		parts = append(parts, dossierEventLabel(c.Kind)+" ("+c.Device+", "+c.Staff+")")
	}
	return strings.Join(parts, "; ")
}

// askResolve asks the supervisor what was done, then records the resolution.
func (t *todoScreen) askResolve(id string) {
	u := t.u
	note := newFormEntry(u)
	note.SetPlaceHolder(i18n.T("todo.conflict.note_hint"))
	errL := errorLabel()
	content := container.NewVBox(widget.NewLabel(i18n.Tf("todo.conflict.note", map[string]string{"Dossier": id})), note, errL)
	var dlg *dialog.CustomDialog
	do := func() {
		if domain.Clean(note.Text) == "" {
			setFieldError(errL, i18n.T("err.conflict.note"))
			u.Win.Canvas().Focus(note)
			return
		}
		dlg.Hide()
		if _, err := u.Desk.ResolveConflict(u.Ctx, u.Actor(), id, note.Text); err != nil {
			u.ShowError(errors.New(i18n.Message(err)))
			return
		}
		u.Notify(i18n.Tf("todo.conflict.resolved", map[string]string{"Dossier": id}))
		t.reload()
	}
	note.OnSubmitted = func(string) { do() }
	ok := newDeskButton(u, i18n.T("todo.conflict.resolve"), do)
	ok.Importance = widget.HighImportance
	dlg = dialog.NewCustomWithoutButtons(i18n.T("todo.conflict.title_dialog"), content, u.Win)
	dlg.SetButtons([]fyne.CanvasObject{newDeskButton(u, i18n.T("No"), func() { dlg.Hide() }), ok})
	dlg.Resize(fyne.NewSize(460, dlg.MinSize().Height))
	u.ShowDialog(dlg)
	u.Win.Canvas().Focus(note)
}

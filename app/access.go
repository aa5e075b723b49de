package app

// The access log for a supervisor (internal/desk AccessLog): who opened a
// dossier, searched by its citizen's ID or phone, reprinted or exported it
// — per dossier from its detail, per staff member from the staff screen.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// accessLogLimit is how many lines the dialog shows (newest first).
const accessLogLimit = 200

// showAccessLog opens the access log of one dossier or one staff member.
func (u *UI) showAccessLog(dossier, staff string) {
	entries, err := u.Desk.AccessLog(u.Ctx, u.Actor(), dossier, staff, accessLogLimit)
	if err != nil {
		u.ShowError(err)
		return
	}
	title := i18n.Tf("access.title_dossier", map[string]string{"Dossier": dossier})
	if staff != "" {
		title = i18n.Tf("access.title_staff", map[string]string{"Staff": staff})
	}
	d := dialog.NewCustom(title, i18n.T("access.close"), accessLogList(entries, dossier == ""), u.Win)
	d.Resize(fyne.NewSize(720, 480))
	u.ShowDialog(d)
}

// accessLogList is the log's lines: time, what, who (and which device),
// and, in a staff member's log, which dossiers.
func accessLogList(entries []store.AccessEntry, withDossiers bool) fyne.CanvasObject {
	box := container.NewVBox()
	if len(entries) == 0 {
		box.Add(widget.NewLabel(i18n.T("access.none")))
	}
	for _, e := range entries {
		line := domain.FormatDateTime(e.At) + " · " + AccessWhatLabel(e.What) + " · " + e.Staff + " (" + e.Device + ")"
		if withDossiers && len(e.Dossiers) > 0 {
			line += " · " + strings.Join(e.Dossiers, ", ")
		}
		l := widget.NewLabel(line)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	return container.NewVScroll(box)
}

// AccessWhatLabel names an access on screen.
func AccessWhatLabel(w domain.AccessWhat) string { return i18n.T("access.what." + string(w)) }

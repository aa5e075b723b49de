package app

// The scan box's lookup (F2 from anywhere): a receipt QR (its signature
// checked), a receipt number, an S10 item code or an official dossier code
// opens that dossier; a citizen ID, a phone number or a name lists the
// dossiers found; anything else is "not a PostDesk receipt". The matching
// itself is internal/lookup, shared with `postdesk find`.

import (
	"fyne.io/fyne/v2/dialog"

	"postdesk/i18n"
	"postdesk/internal/lookup"
)

// installScan sets the shell's scan and open-dossier hooks; the desk
// screens call it when built, whichever comes first.
func installScan(u *UI) {
	u.OnScan = func(text string) { runScan(u, text) }
	u.OnOpenDossier = func(id string) { openDossier(u, id, "") }
}

// runScan looks text up and shows what it found.
func runScan(u *UI, text string) {
	res, err := u.Desk.Lookup(u.Ctx, u.Actor(), text) // a search by ID or phone is recorded in the access log
	if err != nil {
		u.ShowError(err)
		return
	}
	say := func(key string) {
		msg := i18n.T(key)
		u.session.scanMessage = msg
		u.Notify(msg)
		u.ShowDialog(dialog.NewInformation(i18n.T("scan.title"), msg, u.Win))
	}
	u.session.scanMessage = ""
	switch {
	case res.Kind == lookup.KindNone:
		say("scan.not_postdesk")
	case res.Exact() && len(res.Dossiers) == 0:
		if res.Kind == lookup.KindQR && !res.SignatureValid {
			say("scan.qr_invalid")
			return
		}
		say("scan.not_found_here")
	case res.Exact() && len(res.Dossiers) == 1:
		warn := ""
		if res.Kind == lookup.KindQR && !res.SignatureValid {
			warn = i18n.T("scan.qr_invalid")
			if res.SignatureErr != nil {
				warn += "\n" + i18n.Message(res.SignatureErr)
			}
			u.session.scanMessage = warn
		}
		openDossier(u, res.Dossiers[0].ID, warn)
	case len(res.Dossiers) == 0:
		say("scan.nothing_found")
	default:
		showScanResults(u, res)
	}
}

// openDossier shows a dossier's detail on the dossiers screen; warn, when
// set, is shown above it in red (a QR whose signature failed).
func openDossier(u *UI, id, warn string) {
	u.Show("dossiers")
	if ds := dossiersOf(u); ds != nil {
		ds.openDetail(id, warn)
	}
}

// showScanResults lists a search's dossiers on the dossiers screen.
func showScanResults(u *UI, res lookup.Result) {
	u.Show("dossiers")
	if ds := dossiersOf(u); ds != nil {
		ds.showResults(res.Query, res.Dossiers)
	}
}

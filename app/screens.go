package app

import (
	"time"

	"postdesk/internal/domain"
)

// Screens are the main window's screens in navigation order: the one place
// where they are put together (no registration). Each screen's Build and
// Focus live in the screen's own file.
func Screens() []Screen {
	supervisor := []domain.Role{domain.RoleSupervisor}
	return withScreenDefaults([]Screen{
		{ID: "home", TitleKey: "todo.title", Build: buildTodo, Focus: focusTodo},
		{ID: "intake", TitleKey: "app.nav.intake", Build: buildIntake, Focus: focusIntake, Back: backIntake},
		{ID: "delivery", TitleKey: "app.nav.delivery", Build: buildDelivery, Focus: focusDelivery, Back: backDelivery},
		{ID: "handover", TitleKey: "handover.title", Build: buildHandover, Focus: focusHandover, Back: backHandover},
		{ID: "dossiers", TitleKey: "app.nav.dossiers", Build: buildDossiers, Focus: focusDossiers, Back: backDossiers},
		{ID: "feedback", TitleKey: "feedback.title", Build: buildFeedback, Focus: focusFeedback},
		{ID: "sync", TitleKey: "app.nav.sync", Build: buildSync, Focus: func(u *UI) {
			if s := u.session.sync; s != nil {
				s.refresh()
			}
		}},
		{ID: "reports", TitleKey: "app.nav.reports", Build: buildReports, Focus: func(u *UI) {
			if s := u.session.reports; s != nil {
				u.Win.Canvas().Focus(s.from)
				if time.Since(s.shownAt) > 2*time.Second { // just built: already fresh
					s.refresh(nil)
				}
			}
		}},
		{ID: "settings", TitleKey: "app.nav.settings", Roles: supervisor,
			Build: buildSettings, Focus: func(u *UI) { u.settingsForm().focus() }},
		{ID: "staff", TitleKey: "app.nav.staff", Roles: supervisor, Build: buildStaff, Focus: func(u *UI) {
			if s := u.session.staff; s != nil {
				s.reload()
			}
		}},
		{ID: "catalog", TitleKey: "app.nav.catalog", Build: buildCatalog, Focus: func(u *UI) {
			if c := u.session.catalog; c != nil {
				c.refresh()
				c.focus()
			}
		}, Back: func(u *UI) bool { return u.session.catalog != nil && u.session.catalog.backOut() }},
	})
}

// testScreens, when not nil, is shown instead of Screens(): tests put a few
// screens of their own there (withScreens).
var testScreens []Screen

// screenList is what the shell shows.
func screenList() []Screen {
	if testScreens != nil {
		return withScreenDefaults(append([]Screen{}, testScreens...))
	}
	return Screens()
}

// withScreenDefaults gives each screen its F-key and a title key when unset.
func withScreenDefaults(list []Screen) []Screen {
	for i := range list {
		if list[i].Shortcut == "" {
			list[i].Shortcut = ShortcutFor(list[i].ID)
		}
		if list[i].TitleKey == "" {
			list[i].TitleKey = "app.nav." + list[i].ID
		}
	}
	return list
}

// session is what the screens of one signed-in session share: each built
// screen, and what one screen asks another to open when it is shown. A
// fresh sign-in (not an unlock) starts a new one.
type session struct {
	todo     *todoScreen
	intake   *intakeForm
	delivery *deliveryScreen
	handover *handoverScreen
	dossiers *dossiersScreen
	feedback *feedbackScreen
	sync     *syncScreen
	reports  *reportsScreen
	settings *settingsForm
	staff    *staffScreen
	citizen  *citizenExportForm // the citizen export dialog last opened
	catalog  *catalogScreen

	openDelivery    string // a dossier for the delivery screen to open
	handoverAgency  string // an agency for the handover screen to draw a record for
	handoverOutcome string // a dossier for the handover screen's outcomes tab
	handoverRecord  string // a handover record for the handover screen to open
	scanMessage     string // the scan box's last warning
}

// What Esc backs out of on each screen (Screen.Back), nothing saved:

// backIntake asks to clear the slip (at once when nothing is typed).
func backIntake(u *UI) bool {
	f := intakeFormOf(u)
	if f == nil {
		return false
	}
	f.askClear()
	return true
}

// backDelivery puts the loaded result away, nothing delivered.
func backDelivery(u *UI) bool {
	s := deliveryOf(u)
	if s == nil || s.give.d == nil {
		return false
	}
	s.tabs.SelectIndex(0)
	s.give.show(nil)
	u.Win.Canvas().Focus(s.give.scan)
	return true
}

// backHandover puts the dossier loaded on the outcomes tab away, nothing recorded.
func backHandover(u *UI) bool {
	h := handoverOf(u)
	if h == nil || h.tabs.SelectedIndex() != 1 || h.agc.d == nil {
		return false
	}
	h.agc.show(nil)
	u.Win.Canvas().Focus(h.agc.scan)
	return true
}

// backDossiers goes from a dossier's detail to the table, and from scan
// results to the whole list.
func backDossiers(u *UI) bool {
	ds := dossiersOf(u)
	switch {
	case ds == nil:
		return false
	case ds.stack.Objects[0] != ds.list:
		ds.back()
	case ds.results:
		ds.clearResults()
	default:
		return false
	}
	return true
}

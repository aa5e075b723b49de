package app

import (
	"errors"
	"maps"
	"testing"

	"fyne.io/fyne/v2"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// dossierIn is a demo dossier in state st.
func dossierIn(t *testing.T, u *UI, st domain.State) string {
	t.Helper()
	rows, err := u.Store.ListDossiers(u.Ctx, store.Filter{States: []domain.State{st}}, 0, 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("no demo dossier in state %s: %v", st, err)
	}
	return rows[0].ID
}

// escUI is a supervisor's desk on demo data with a dossier in every state.
func escUI(t *testing.T) *UI {
	u := fitUI(t, "vi")
	if err := u.SignInAs("truong", "1234"); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestEscBacksOutOnEveryScreen: on every screen a supervisor has (every
// screen there is), Esc backs out one step of what the screen shows —
// a detail to its list, a loaded dossier put away, the slip asked to be
// cleared — and records nothing; a screen with nothing to back out of
// stays as it is.
func TestEscBacksOutOnEveryScreen(t *testing.T) {
	u := escUI(t)
	cases := map[string]struct {
		prepare func()
		backed  func() bool // nil: nothing to back out of
	}{
		"intake": {func() {
			f := intakeFormOf(u)
			u.Win.Canvas().Focus(f.name)
			typeKeys(t, u, "Rơ Mah H'Bích")
		}, func() bool {
			// Esc asks before clearing what was typed; the question's own
			// Esc answers no and the slip is kept.
			asked := u.topDialog() != nil
			pressAnywhere(u, fyne.KeyEscape)
			return asked && u.topDialog() == nil && intakeFormOf(u).name.Text == "Rơ Mah H'Bích"
		}},
		"delivery": {func() { deliveryOf(u).give.load(dossierIn(t, u, domain.StateResultAtPost)) },
			func() bool { return deliveryOf(u).give.d == nil }},
		"handover": {func() {
			h := handoverOf(u)
			h.tabs.SelectIndex(1)
			h.agc.load(dossierIn(t, u, domain.StateAtAgency))
		}, func() bool { return handoverOf(u).agc.d == nil }},
		"dossiers": {func() {
			ds := dossiersOf(u)
			settle(ds)
			ds.openDetail(dossierIn(t, u, domain.StateReceived), "")
		}, func() bool { ds := dossiersOf(u); return ds.stack.Objects[0] == ds.list }},
		"catalog": {func() {
			c := u.session.catalog
			typeKeys(t, u, "khai sinh")
			c.open()
		}, func() bool { return u.session.catalog.shown == nil && u.session.catalog.search.Text == "khai sinh" }},
		"home": {}, "feedback": {}, "sync": {}, "reports": {}, "settings": {}, "staff": {},
	}
	for _, id := range u.ScreenIDs() {
		c, ok := cases[id]
		if !ok {
			t.Errorf("screen %s has no Esc case", id)
			continue
		}
		u.Show(id)
		if c.prepare != nil {
			c.prepare()
		}
		before := eventKinds(t, u.Store)
		pressAnywhere(u, fyne.KeyEscape)
		if c.backed != nil && !c.backed() {
			t.Errorf("%s: Esc did not back out", id)
		}
		if u.Current() != id {
			t.Errorf("%s: Esc left for %s", id, u.Current())
		}
		if after := eventKinds(t, u.Store); !maps.Equal(before, after) {
			t.Errorf("%s: Esc recorded events: %v → %v", id, before, after)
		}
		for u.closeTopDialog() {
		}
	}
}

// TestEscClosesEveryDialog: each dialog of the desk closes with Esc and
// does nothing it offers (no event, no answer yes).
func TestEscClosesEveryDialog(t *testing.T) {
	u := escUI(t)
	yes := false
	open := map[string]func(){
		"confirm":     func() { u.Confirm("?", "Ký biên bản?", func() { yes = true }) },
		"error":       func() { u.ShowError(errors.New("Số CCCD phải có 12 chữ số.")) },
		"message log": u.ShowMessageLog,
		"receipt":     func() { u.showReceiptTrouble("/tmp/r.pdf", "Không mở được biên nhận.") },
		"intake clear": func() {
			u.Show("intake")
			f := intakeFormOf(u)
			u.Win.Canvas().Focus(f.name)
			typeKeys(t, u, "Rơ Mah H'Bích")
			f.askClear()
		},
		"dossier cancel": func() {
			u.Show("dossiers")
			ds := dossiersOf(u)
			settle(ds)
			ds.openDetail(dossierIn(t, u, domain.StateReceived), "")
			ds.detail.askCancel()
		},
		"delivery failed": func() {
			u.Show("delivery")
			s := deliveryOf(u)
			s.give.load(dossierIn(t, u, domain.StateResultAtPost))
			s.give.askFail()
		},
		"result-only registration": func() { u.Show("handover"); handoverOf(u).in.registerForm("") },
		"sync round":               func() { u.Show("sync"); u.session.sync.showRound(store.SyncRound{Via: "net"}) },
		"catalog file":             func() { u.Show("catalog"); u.session.catalog.imp.pickFile() },
	}
	for name, show := range open {
		before := eventKinds(t, u.Store)
		show()
		if u.topDialog() == nil {
			t.Errorf("%s: no dialog shown", name)
			continue
		}
		pressAnywhere(u, fyne.KeyEscape)
		if u.topDialog() != nil || len(u.Win.Canvas().Overlays().List()) != 0 {
			t.Errorf("%s: Esc did not close the dialog", name)
			for u.closeTopDialog() {
			}
		}
		if after := eventKinds(t, u.Store); !maps.Equal(before, after) {
			t.Errorf("%s: Esc recorded events: %v → %v", name, before, after)
		}
		if yes {
			t.Errorf("%s: Esc answered yes", name)
		}
	}
}

package app

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/store"
)

// nextKey is how a reason names the key of the next step.
var nextKey = regexp.MustCompile(`\((F\d+|Ctrl\+\w)|Ctrl\+\w|F\d+ ›`)

// TestEmptyListsSayWhy: on a new post point (no dossier, no sync, no
// record) every list that is empty says why, and names the key of the
// next step where there is one: the sync history, the handover lists
// (to the agency, results back, records), the delivery round, the open
// feedback, the reports' totals, the catalog's import history.
func TestEmptyListsSayWhy(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "new.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := desk.New(s).PrepareDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	u, err := Open(test.NewTempApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if err := u.SignInAs("truong", desk.DemoPIN); err != nil {
		t.Fatal(err)
	}
	shows := func(screen string, want ...string) {
		t.Helper()
		u.Show(screen)
		texts := visibleTexts(u.Win.Canvas().Content())
		for _, key := range want {
			w := i18n.T(key)
			if !texts[w] {
				t.Errorf("%s: the empty list does not say %q", screen, w)
			}
			if !strings.Contains(key, "feedback") && !nextKey.MatchString(w) {
				t.Errorf("%s: %q names no key for the next step", key, w)
			}
		}
	}
	shows("sync", "sync.history.empty_supervisor")
	shows("handover", "handover.out.empty_none")
	h := handoverOf(u)
	h.tabs.SelectIndex(2)
	shows("handover", "handover.in.empty")
	h.tabs.SelectIndex(3)
	shows("handover", "handover.records.none")
	u.Show("delivery")
	deliveryOf(u).tabs.SelectIndex(1)
	shows("delivery", "delivery.round.none")
	shows("feedback", "feedback.none_open")
	shows("reports", "reports.totals.none")
}

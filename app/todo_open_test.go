package app

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestHomeListsEveryWaitingDossier: on demo data with a dossier in every
// state, the home screen's "waiting on the post point" card has a line for
// every open state, counted the same as the dossiers themselves (closed
// ones and results collected at the agency left out), lines that add up
// to its total, and the results ready at the agency for long.
func TestHomeListsEveryWaitingDossier(t *testing.T) {
	u, _ := newTestUI(t, "")
	if _, err := demo.Seed(context.Background(), u.Store, demo.Options{Seed: 1, Now: testNow, Showcase: true}); err != nil {
		t.Fatal(err)
	}
	if err := u.SignInAs("gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
	td, err := u.Store.Todo(u.Ctx, u.Now())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := u.Store.ListDossiers(u.Ctx, store.Filter{}, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	want := map[domain.State]int{}
	total := 0
	for _, r := range rows {
		if domain.Closed(r.State) || (r.Option == domain.OptionSend && (r.State == domain.StateResultReady || r.State == domain.StateRejected)) {
			continue
		}
		want[r.State]++
		total++
	}
	sum := 0
	for _, sc := range td.Open {
		sum += sc.Count
		if sc.Count != want[sc.State] {
			t.Errorf("%s: %d on the home screen, %d dossiers", sc.State, sc.Count, want[sc.State])
		}
		delete(want, sc.State)
	}
	for st, n := range want {
		t.Errorf("%d dossiers in %s are missing from the home screen", n, st)
	}
	if sum != td.OpenTotal || td.OpenTotal != total {
		t.Errorf("the lines add up to %d, the title says %d, the dossiers are %d", sum, td.OpenTotal, total)
	}
	if len(td.Open) < 9 {
		t.Errorf("only %d open states listed on showcase data", len(td.Open))
	}
	if td.ReadyLong == 0 {
		t.Error("the result ready at the agency for weeks is not counted")
	}
	texts := visibleTexts(u.Win.Content())
	title := i18n.Tf("todo.open.title", map[string]string{"N": countText(total)})
	card := false
	for _, o := range test.LaidOutObjects(u.Win.Content()) {
		if c, ok := o.(*widget.Card); ok && c.Title == title {
			card = true
		}
	}
	if !card {
		t.Errorf("the home screen has no card %q", title)
	}
	if !texts[i18n.Tf("todo.open.ready_long", map[string]string{"N": countText(td.ReadyLong), "Days": countText(u.Settings.WaitingDays)})] {
		t.Error("the home screen does not name the results ready at the agency for long")
	}
}

package app

import (
	"bytes"
	"fmt"
	"sort"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
)

// deskTexts is shownTexts plus the desk's own widgets (formSelect,
// formCheck, formEntry, deskButton embed Fyne's, so the shared checker's
// type switch does not see them).
func deskTexts(o fyne.CanvasObject) map[string]string {
	out := shownTexts(o)
	add := func(s, where string) {
		if s != "" {
			out[s] = where
		}
	}
	for _, obj := range test.LaidOutObjects(o) {
		if !obj.Visible() {
			continue
		}
		switch w := obj.(type) {
		case *formSelect:
			add(w.PlaceHolder, "Select placeholder")
			for _, opt := range w.Options {
				add(opt, "Select option")
			}
		case *formCheck:
			add(w.Text, "Check")
		case *formEntry:
			add(w.PlaceHolder, "Entry placeholder")
		case *deskButton:
			add(w.Text, "Button")
		}
	}
	return out
}

func checkDesk(t *testing.T, c *textChecker, name string, o fyne.CanvasObject) {
	t.Helper()
	var bad []string
	for s, where := range deskTexts(o) {
		if !c.ok(s) {
			bad = append(bad, fmt.Sprintf("%s %q", where, s))
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Errorf("%s shows a text that is not from i18n/: %s", name, b)
	}
}

// TestDeskTextIsTranslated walks the intake and dossiers screens in the
// states a clerk sees them — errors shown, a procedure chosen, pickups
// planned, a dossier opened, scan results — in every locale.
func TestDeskTextIsTranslated(t *testing.T) {
	for _, locale := range i18n.Locales() {
		t.Run(locale, func(t *testing.T) {
			defer useLocale(i18n.Default)
			u, _ := newTestUI(t, "")
			useLocale(locale)
			c := newTextChecker(t, locale, u.Store)
			// The commune list comes with PostDesk (assets), not the database: data too.
			communes, err := catalog.ParseCommunes(bytes.NewReader(assets.CatalogCommunes))
			if err != nil {
				t.Fatal(err)
			}
			for _, cm := range communes {
				c.data[cm.Label()] = true
			}
			// What the test types is the clerk's text, shown back in the entries.
			typed := []string{"khai sinh", "Ksor Y Bhin 2", "abc", "nguyen"}
			for _, s := range typed {
				c.data[s] = true
			}
			if err := u.SignInAs("gdv1", "1234"); err != nil {
				t.Fatal(err)
			}
			u.Show("intake")
			f := intakeFormOf(u)
			checkDesk(t, c, "empty intake", f.content)

			f.picker.entry.SetText("khai sinh") // the list of matches
			checkDesk(t, c, "procedure matches", f.content)
			f.picker.entry.SetText("1.003583") // closed to BCCI: refused
			u.Win.Canvas().Focus(f.picker.entry)
			press(t, u, fyne.KeyReturn)
			f.picker.entry.SetText("1.001193")
			press(t, u, fyne.KeyReturn)
			f.name.SetText("Ksor Y Bhin 2")
			f.idNumber.SetText("12345")
			f.phone.SetText("0123")
			f.itemCode.SetText("RR473124828VN")
			f.fee.SetText("abc")
			f.repCheck.SetChecked(true)
			f.place.SetValue(string(domain.PlaceHome))
			f.appointment.SetText("99/99/2026 10:00")
			f.save() // every error shown
			if len(visibleErrors(f)) < 6 {
				t.Fatalf("errors shown: %v", visibleErrors(f))
			}
			checkDesk(t, c, "intake with errors", f.content)

			// A planned pickup and a saved home intake in the side panel.
			f.clear()
			f.name.SetText("Đinh Thị Blơm")
			f.phone.SetText("0356789012")
			f.address.SetText("Làng Dơ Nâu")
			f.place.SetValue(string(domain.PlaceHome))
			f.appointment.SetText("10/03/2026 15:30")
			f.planPickup()
			if len(f.pickups.shown) != 1 {
				t.Fatal("no planned pickup")
			}
			c = newTextChecker(t, locale, u.Store) // the pickup is data now
			for _, cm := range communes {
				c.data[cm.Label()] = true
			}
			for _, s := range typed {
				c.data[s] = true
			}
			checkDesk(t, c, "intake with a planned pickup", f.content)

			u.Show("dossiers")
			ds := dossiersOf(u)
			settle(ds)
			ds.table.Refresh()
			checkDesk(t, c, "dossiers", ds.stack)
			r, _ := ds.row(0)
			ds.openDetail(r.ID, "")
			checkDesk(t, c, "dossier detail", ds.stack)
			runScan(u, "https://example.com/?q=1")
			pressAnywhere(u, fyne.KeyEscape)
			runScan(u, "nguyen")
			checkDesk(t, c, "scan results", ds.stack)
		})
	}
}

// The desk's widgets are seen by the walker, or the test above proves nothing.
func TestDeskTextsSeesDeskWidgets(t *testing.T) {
	u, _ := newTestUI(t, "")
	keys := &formKeys{}
	o := fyneContainer(
		newDeskButton(u, "Delete everything", nil),
		newFormCheck(u, keys, "Tick me", nil),
		newFormSelectLabels(u, keys, []string{"a"}, []string{"Option A"}, nil),
	)
	e := newFormEntry(u)
	e.SetPlaceHolder("Type here")
	texts := deskTexts(fyneContainer(o, e))
	c := newTextChecker(t, "vi", u.Store)
	for _, s := range []string{"Delete everything", "Tick me", "Option A", "Type here"} {
		if _, ok := texts[s]; !ok {
			t.Errorf("deskTexts misses %q", s)
		}
		if c.ok(s) {
			t.Errorf("%q passes as translated", s)
		}
	}
}

func fyneContainer(objs ...fyne.CanvasObject) fyne.CanvasObject { return container.NewVBox(objs...) }

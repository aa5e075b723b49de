package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"postdesk/i18n"
)

// fitColumnsIn finds the table layout under o.
func fitColumnsIn(o fyne.CanvasObject) *fitColumns {
	var found *fitColumns
	walkPlaced(o, fyne.Position{}, func(o fyne.CanvasObject, _ fyne.Position) {
		if c, ok := o.(*fyne.Container); ok && found == nil {
			if l, ok := c.Layout.(*fitColumns); ok {
				found = l
			}
		}
	})
	return found
}

// TestTableHeadersNotCut: at 1024×768, in both languages, every header of
// the dossier table and of the sync history shows whole in its column
// (the columns shrink to fit the screen; a header must not).
func TestTableHeadersNotCut(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		u := fitUI(t, lang)
		if err := u.SignInAs("truong", "1234"); err != nil {
			t.Fatal(err)
		}
		u.Win.Resize(fyne.NewSize(1024, 768))
		tables := map[string][]string{}
		for _, c := range dossierColumns {
			tables["dossiers"] = append(tables["dossiers"], c.key)
		}
		for _, c := range roundColumns {
			tables["sync"] = append(tables["sync"], c.key)
		}
		for screen, keys := range tables {
			u.Show(screen)
			u.Win.Resize(fyne.NewSize(1023, 768))
			u.Win.Resize(fyne.NewSize(1024, 768))
			l := fitColumnsIn(u.Win.Canvas().Content())
			if l == nil || len(l.applied) != len(keys) {
				t.Fatalf("%s %s: no fitted table (%v)", lang, screen, l)
			}
			for i, key := range keys {
				text := i18n.T(key)
				need := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{Bold: screen == "dossiers"}).Width + 2*theme.InnerPadding()
				if need > l.applied[i]+0.5 {
					t.Errorf("%s %s: header %q needs %.0f px, its column has %.0f", lang, screen, text, need, l.applied[i])
				}
			}
		}
		useLocale("vi")
	}
}

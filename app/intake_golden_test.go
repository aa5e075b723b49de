package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// Golden files of the desk screens (testdata/desk/): markup for the
// structure, an image for the look. Regenerate after an intended change by
// copying testdata/failed/desk/* over testdata/desk/.

func TestIntakeGolden(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	test.AssertObjectRendersToMarkup(t, "desk/intake_empty.xml", f.content)

	u2, f2, _ := openIntake(t, "gdv2")
	u2.Win.Canvas().Focus(f2.picker.entry)
	typeKeys(t, u2, "1.001193")
	press(t, u2, fyne.KeyReturn)
	f2.name.SetText("Siu Thị Hằng")
	f2.idNumber.SetText("064 3010")
	f2.phone.SetText("0123456789")
	f2.docs[0].received.SetChecked(true)
	f2.save() // shows every error beside its field
	f2.reveal.scroll.ScrollToTop()
	test.AssertObjectRendersToMarkup(t, "desk/intake_errors.xml", f2.content)
	test.AssertObjectRendersToImage(t, "desk/intake_errors.png", f2.content)
	_ = u
}

func TestDossiersGolden(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	ds := openDossiers(t, u)
	ds.table.Refresh()
	ds.wait()
	ds.table.Refresh()
	test.AssertObjectRendersToMarkup(t, "desk/dossiers.xml", ds.stack)
	test.AssertObjectRendersToImage(t, "desk/dossiers.png", ds.stack)

	u2, _ := newTestUI(t, "gdv1")
	ds2 := openDossiers(t, u2)
	r, ok := ds2.row(3)
	if !ok {
		ds2.wait()
		r, _ = ds2.row(3)
	}
	ds2.openDetail(r.ID, "")
	test.AssertObjectRendersToMarkup(t, "desk/dossier_detail.xml", ds2.stack)
}

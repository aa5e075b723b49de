package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// goldenSize is the size the screens are drawn at, whatever width the
// shell's navigation takes (it grows as screens are added).
var goldenSize = fyne.NewSize(1000, 680)

// shot detaches o from its window at the golden size.
func shot(o fyne.CanvasObject) fyne.CanvasObject {
	o.Resize(goldenSize)
	return o
}

// Golden files of the desk screens (testdata/desk/): markup for the
// structure, an image for the look. Regenerate after an intended change by
// copying testdata/failed/desk/* over testdata/desk/.

func TestIntakeGolden(t *testing.T) {
	u, f, _ := openIntake(t, "gdv1")
	test.AssertObjectRendersToMarkup(t, "desk/intake_empty.xml", shot(f.content))

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
	test.AssertObjectRendersToMarkup(t, "desk/intake_errors.xml", shot(f2.content))
	assertLooksLike(t, "desk/intake_errors.png", shot(f2.content))
	_ = u
}

// fixtureUI is a desk on a small database filled one intake after another,
// so row order is the same on every run (the demo seed writes its rows in
// map order, and dossiers received in the same second then swap places).
func fixtureUI(t *testing.T) *UI {
	t.Helper()
	clock := &fixedClock{t: testNow.Add(-30 * 24 * time.Hour)}
	s, err := store.Open(filepath.Join(t.TempDir(), "fixture.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = clock.Now
	if err := desk.New(s).PrepareDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	names := []string{"Rơ Mah H'Bích", "Nguyễn Thị Hằng", "Ksor Y Bhin", "Siu Thị Hằng", "Đinh Hmưch", "Trần Văn Nam"}
	codes := []string{"1.001193", "1.000894", "2.000635", "1.004873"}
	for i := 0; i < 24; i++ {
		clock.Add(26 * time.Hour)
		p, err := s.Procedure(context.Background(), codes[i%len(codes)])
		if err != nil {
			t.Fatal(err)
		}
		d := domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: p.Code, ProcedureName: p.Name, AgencyCode: p.AgencyCode,
			Applicant: domain.Person{FullName: names[i%len(names)], IDType: domain.IDCCCD, IDNumber: fmt.Sprintf("0643010%05d", i), Phone: "0905123456"},
			Place:     domain.PlaceCounter, ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Mrông Yố, xã Ia O", Postage: 30000}
		due := clock.Now().AddDate(0, 0, 7)
		d.ExpectedDate = &due
		saved, err := s.Intake(context.Background(), "gdv1", d)
		if err != nil {
			t.Fatal(err)
		}
		switch i % 4 {
		case 1:
			_, _, err = s.Record(context.Background(), "gdv1", domain.KindCancel, saved.ID, domain.ReasonPayload{Reason: "Công dân xin rút hồ sơ"})
		case 2:
			_, _, err = s.Record(context.Background(), "buuta1", domain.KindHandover, saved.ID, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Thị Thu"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	clock.t = testNow
	u, err := Open(test.NewTempApp(t), s)
	if err != nil {
		t.Fatal(err)
	}
	u.Now = clock.Now
	u.Win.Resize(fyne.NewSize(1280, 800))
	t.Cleanup(u.Close)
	if err := u.SignInAs("gdv1", "1234"); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestDossiersGolden(t *testing.T) {
	u := fixtureUI(t)
	ds := openDossiers(t, u)
	ds.table.Refresh()
	settle(ds)
	ds.table.Refresh()
	test.AssertObjectRendersToMarkup(t, "desk/dossiers.xml", shot(ds.stack))
	assertLooksLike(t, "desk/dossiers.png", shot(ds.stack))

	u2 := fixtureUI(t)
	ds2 := openDossiers(t, u2)
	r, ok := ds2.row(3)
	if !ok {
		settle(ds2)
		r, _ = ds2.row(3)
	}
	ds2.openDetail(r.ID, "")
	test.AssertObjectRendersToMarkup(t, "desk/dossier_detail.xml", shot(ds2.stack))
}

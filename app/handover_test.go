package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
)

// rtProcedure is a catalog procedure open to intake by post.
func rtProcedure(t testing.TB, u *UI) domain.Procedure {
	t.Helper()
	procs, err := u.Store.Procedures(u.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range procs {
		if p.BCCIIntake && p.AgencyCode != "" {
			return p
		}
	}
	t.Fatal("no procedure open to intake by post")
	return domain.Procedure{}
}

// rtIntake takes a dossier in through the store, as the intake screen would.
func rtIntake(t testing.TB, u *UI, name, id string) *domain.Dossier {
	t.Helper()
	return rtIntakeFee(t, u, name, id, 0)
}

// rtIntakeFee is rtIntake with a fee to be paid on delivery.
func rtIntakeFee(t testing.TB, u *UI, name, id string, fee domain.Money) *domain.Dossier {
	t.Helper()
	p := rtProcedure(t, u)
	d := domain.Dossier{
		Option: domain.OptionSendAndReturn, Place: domain.PlaceCounter, Postage: 15000, FeePayment: domain.PayNow,
		Applicant: domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: "0356789012",
			Commune: "Ia O", Address: "Làng Mrông Yố"},
		ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Mrông Yố, xã Ia O",
		Documents: domain.IntakeDocuments(p),
	}
	if fee > 0 {
		d.Fee, d.FeePayment = fee, domain.PayOnDelivery
	}
	for i := range d.Documents {
		d.Documents[i].Received = true
	}
	d, errs := domain.PrepareIntake(d, p)
	if err := errs.Err(); err != nil {
		t.Fatal(err)
	}
	got, err := u.Store.Intake(u.Ctx, u.Staff.Username, d)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// rtAtPost brings a new dossier's result back to the post point.
func rtAtPost(t testing.TB, u *UI, name, id string) *domain.Dossier {
	t.Helper()
	return rtAtPostFee(t, u, name, id, 0)
}

func rtAtPostFee(t testing.TB, u *UI, name, id string, fee domain.Money) *domain.Dossier {
	t.Helper()
	d := rtIntakeFee(t, u, name, id, fee)
	for _, dir := range []domain.HandoverDirection{domain.HandoverOut, domain.HandoverIn} {
		h, err := u.Store.CreateHandover(u.Ctx, u.Staff.Username, dir, d.AgencyCode, []string{d.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.Store.ConfirmHandover(u.Ctx, u.Staff.Username, h.ID, "Lê Thị Thu"); err != nil {
			t.Fatal(err)
		}
	}
	got, err := u.Store.Dossier(u.Ctx, d.ID)
	if err != nil || got.State != domain.StateResultAtPost {
		t.Fatalf("%+v %v", got, err)
	}
	return got
}

func totalEvents(t testing.TB, u *UI) int {
	t.Helper()
	n := 0
	for _, c := range eventKinds(t, u.Store) {
		n += c
	}
	return n
}

// typeEnter types text into e and presses Enter.
func typeEnter(e *Entry, text string) {
	e.SetText("")
	test.Type(e, text)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// findButton finds the visible button with text under o.
// asButton is o as a button: Fyne's own, or the desk's (Enter presses it).
func asButton(o fyne.CanvasObject) *widget.Button {
	switch b := o.(type) {
	case *widget.Button:
		return b
	case *deskButton:
		return &b.Button
	}
	return nil
}

func findButton(t testing.TB, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if b := asButton(obj); b != nil && b.Text == text && b.Visible() {
			return b
		}
	}
	t.Fatalf("no button %q", text)
	return nil
}

func dossierState(t testing.TB, u *UI, id string) domain.State {
	t.Helper()
	d, err := u.Store.Dossier(u.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return d.State
}

// checkTexts runs the i18n rule over what the window shows.
func checkTexts(t *testing.T, u *UI, name string) {
	t.Helper()
	newTextChecker(t, "vi", u.Store).checkScreen(t, name, u.Win.Canvas().Content())
}

func TestHandoverScreenDraftCancelConfirm(t *testing.T) {
	u, _ := newTestUI(t, "buuta1")
	d1 := rtIntake(t, u, "Rơ Mah H'Bích", "064301000045")
	d2 := rtIntake(t, u, "Nguyễn Thị Hằng", "064190000123")
	u.Show("handover")
	h := handoverOf(u)
	if h == nil {
		t.Fatal("handover screen not built")
	}
	checkTexts(t, u, "handover/out")

	// A dossier that is not "received" is refused, naming its state; nothing changes.
	var delivered string
	if err := testtool.DB(t, u.Store.Path()).QueryRow("SELECT id FROM dossiers WHERE state = 'delivered' LIMIT 1").Scan(&delivered); err != nil {
		t.Fatal(err)
	}
	before := totalEvents(t, u)
	typeEnter(h.out.scan, delivered)
	if !strings.Contains(h.out.msg.Text, stateLabel(domain.StateDelivered)) || !strings.Contains(h.out.msg.Text, delivered) {
		t.Fatalf("refusal message %q", h.out.msg.Text)
	}

	// Scanning picks the agency and ticks the dossier; the other is ticked by hand.
	typeEnter(h.out.scan, d1.ID)
	if h.out.current() != d1.AgencyCode {
		t.Fatalf("agency %q, want %q", h.out.current(), d1.AgencyCode)
	}
	for _, r := range h.out.rows {
		if r.d.ID == d2.ID {
			test.Tap(r.check)
		}
	}
	if sel := h.out.selected(); len(sel) != 2 {
		t.Fatalf("%d ticked", len(sel))
	}
	typeEnter(h.out.scan, d1.ID) // twice
	if !strings.Contains(h.out.msg.Text, d1.ID) || h.out.msg.Importance != widget.DangerImportance {
		t.Fatalf("a second scan must be refused: %q", h.out.msg.Text)
	}

	// The draft: nothing moves.
	test.Tap(h.out.create)
	if h.tabs.SelectedIndex() != 3 || !strings.HasPrefix(h.recs.openID, "BG-") {
		t.Fatalf("after the draft: tab %d record %q", h.tabs.SelectedIndex(), h.recs.openID)
	}
	if totalEvents(t, u) != before || dossierState(t, u, d1.ID) != domain.StateReceived {
		t.Fatal("a draft moved dossiers")
	}
	checkTexts(t, u, "handover/records")

	// Its PDF is written beside the database.
	test.Tap(findButton(t, h.recs.detail, i18n.T("handover.print")))
	if _, err := os.Stat(filepath.Join(documentsDir(u), h.recs.openID+".pdf")); err != nil {
		t.Fatalf("record PDF: %v (%s)", err, h.recs.msg.Text)
	}

	// Cancelled: nothing changes; the dossiers can go on a new draft.
	first := h.recs.openID
	h.recs.cancel()
	if totalEvents(t, u) != before || dossierState(t, u, d2.ID) != domain.StateReceived {
		t.Fatal("cancelling a draft moved dossiers")
	}
	rec, _ := u.Store.Handover(u.Ctx, first)
	if rec.Status() != domain.HandoverCancelled {
		t.Fatalf("record %s is %s", first, rec.Status())
	}
	u.Show("handover")
	h.tabs.SelectIndex(0)
	typeEnter(h.out.scan, d1.ID)
	typeEnter(h.out.scan, d2.ID)
	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierControl}).ShortcutName())
	second := h.recs.openID
	if second == first || second == "" {
		t.Fatalf("Ctrl+B made no new draft (%q)", second)
	}

	// Confirming needs the officer's name, then moves both in one go.
	test.Tap(findButton(t, h.recs.detail, i18n.T("handover.confirm")))
	if h.recs.msg.Importance != widget.DangerImportance || h.recs.msg.Text == "" {
		t.Fatalf("confirm without officer: %q", h.recs.msg.Text)
	}
	if totalEvents(t, u) != before {
		t.Fatal("a refused confirmation recorded events")
	}
	test.Type(h.recs.officer, "Lê Thị Thu")
	// Signing asks first, naming the agency and the count; Esc backs out.
	test.Tap(findButton(t, h.recs.detail, i18n.T("handover.confirm")))
	ask := overlayTexts(u)
	if !strings.Contains(ask, "2") || !strings.Contains(ask, "Lê Thị Thu") || !strings.Contains(ask, second) {
		t.Fatalf("the signing question does not name the record, the count and the officer:\n%s", ask)
	}
	if rec, _ := u.Store.Handover(u.Ctx, second); rec != nil {
		if ag, _ := u.Store.Agency(u.Ctx, rec.AgencyCode); !strings.Contains(ask, agencyLabel(ag)) {
			t.Errorf("the signing question does not name the agency %q:\n%s", agencyLabel(ag), ask)
		}
	}
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if totalEvents(t, u) != before || len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Fatal("Esc on the signing question did not back out without recording")
	}
	test.Tap(findButton(t, h.recs.detail, i18n.T("handover.confirm")))
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := totalEvents(t, u); got != before+2 {
		t.Fatalf("confirm recorded %d events, want 2 (%s)", got-before, h.recs.msg.Text)
	}
	for _, id := range []string{d1.ID, d2.ID} {
		d, _ := u.Store.Dossier(u.Ctx, id)
		if d.State != domain.StateAtAgency || d.HandoverID != second || d.AgencyOfficer != "Lê Thị Thu" {
			t.Fatalf("%s after confirm: %s %s %s", id, d.State, d.HandoverID, d.AgencyOfficer)
		}
	}
	checkTexts(t, u, "handover/confirmed")

	// The slip from the confirmed record: a bad code is refused, a good one accepted.
	test.Tap(findButton(t, h.recs.detail, i18n.T("handover.enter_slip")))
	if h.tabs.SelectedIndex() != 1 || h.agc.d == nil {
		t.Fatal("enter slip did not open the outcome tab")
	}
	before = totalEvents(t, u)
	test.Type(h.agc.code, "H21-0975")
	test.Type(h.agc.due, domain.FormatDate(u.Now().AddDate(0, 0, 7)))
	test.Tap(h.agc.accept)
	if h.agc.msg.Importance != widget.DangerImportance || totalEvents(t, u) != before {
		t.Fatalf("a malformed official code was accepted: %q", h.agc.msg.Text)
	}
	code := domain.OfficialCode{Agency: d1.AgencyCode, Date: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC), Seq: 975}.String()
	h.agc.code.SetText(code)
	test.Tap(h.agc.accept)
	got, _ := u.Store.Dossier(u.Ctx, h.agc.d.ID)
	if got.State != domain.StateAccepted || got.OfficialCode != code {
		t.Fatalf("accept: %s %q (%s)", got.State, got.OfficialCode, h.agc.msg.Text)
	}
	checkTexts(t, u, "handover/outcomes")
}

func TestOutcomesSupplementAndInbound(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	d := rtIntake(t, u, "Ksor Y Bhin", "064090001234")
	h0, err := u.Store.CreateHandover(u.Ctx, "buuta1", domain.HandoverOut, d.AgencyCode, []string{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.Store.ConfirmHandover(u.Ctx, "buuta1", h0.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	u.Show("handover")
	h := handoverOf(u)
	h.tabs.SelectIndex(1)
	typeEnter(h.agc.scan, d.ID)
	if h.agc.d == nil || h.agc.supplement.Disabled() || !h.agc.taken.Disabled() {
		t.Fatal("a dossier at the agency offers the supplement request, not the papers taken")
	}
	test.Tap(h.agc.supplement) // no paper named
	if h.agc.msg.Importance != widget.DangerImportance {
		t.Fatalf("empty supplement accepted: %q", h.agc.msg.Text)
	}
	test.Type(h.agc.papers, "Giấy xác nhận cư trú")
	test.Tap(h.agc.supplement)
	if dossierState(t, u, d.ID) != domain.StateSupplementRequested || !strings.Contains(h.agc.call.Text, "0356789012") {
		t.Fatalf("supplement: %s, call %q", dossierState(t, u, d.ID), h.agc.call.Text)
	}
	test.Tap(h.agc.taken)
	if dossierState(t, u, d.ID) != domain.StateReceived {
		t.Fatal("papers taken must bring the dossier back to received")
	}

	// Inbound: a result at the agency comes back; a received one is refused.
	d2 := rtIntake(t, u, "Siu Thị Hằng", "064190000777")
	h1, _ := u.Store.CreateHandover(u.Ctx, "buuta1", domain.HandoverOut, d2.AgencyCode, []string{d2.ID})
	if _, err := u.Store.ConfirmHandover(u.Ctx, "buuta1", h1.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	h.tabs.SelectIndex(2)
	typeEnter(h.in.scan, d.ID)
	if len(h.in.items) != 0 || !strings.Contains(h.in.msg.Text, stateLabel(domain.StateReceived)) {
		t.Fatalf("a received dossier was listed: %q", h.in.msg.Text)
	}
	typeEnter(h.in.scan, d2.ID)
	if len(h.in.items) != 1 {
		t.Fatalf("inbound list %d: %q", len(h.in.items), h.in.msg.Text)
	}
	// An unknown official code offers a result-only registration.
	unknown := domain.OfficialCode{Agency: d2.AgencyCode, Date: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Seq: 4242}.String()
	typeEnter(h.in.scan, unknown)
	if !u.answerTopDialog() || h.in.lastForm == nil {
		t.Fatal("no registration offered for an unknown official code")
	}
	f := h.in.lastForm
	if f.official.Text != unknown {
		t.Fatalf("form code %q", f.official.Text)
	}
	f.save() // nothing filled: refused, form stays
	if f.errs.Text == "" {
		t.Fatal("an empty registration was accepted")
	}
	f.proc.SetSelectedIndex(0)
	test.Type(f.name, "Kpă H'Lâm")
	test.Type(f.id, "064301000778")
	test.Type(f.phone, "0905123456")
	test.Type(f.address, "Thôn 2")
	f.save()
	if len(h.in.items) != 2 {
		t.Fatalf("registration: %q / %q", f.errs.Text, h.in.msg.Text)
	}
	test.Tap(h.in.create)
	rec := h.recs.openID
	if !strings.HasPrefix(rec, "BN-") {
		t.Fatalf("inbound draft %q", rec)
	}
	test.Type(h.recs.officer, "Phạm Văn Đức")
	h.recs.confirm()
	if ds := recordDossiers(t, u, rec); len(ds) != 2 || ds[0] != d2.ID {
		t.Fatalf("inbound record lists %v", ds)
	}
	for _, x := range recordDossiers(t, u, rec) {
		if dossierState(t, u, x) != domain.StateResultAtPost {
			t.Fatalf("%s is %s after the inbound record", x, dossierState(t, u, x))
		}
	}
}

// recordDossiers lists a record's dossiers.
func recordDossiers(t testing.TB, u *UI, id string) []string {
	t.Helper()
	h, err := u.Store.Handover(u.Ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return h.Dossiers
}

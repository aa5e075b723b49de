package app

import (
	"bytes"
	"image/png"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/vault"
)

// sign draws a zigzag on the pad, as a finger would.
func sign(p *signaturePad) {
	pos := fyne.NewPos(20, 60)
	for i := 1; i <= 12; i++ {
		d := fyne.NewDelta(15, float32(30*(i%2*2-1)))
		pos = pos.Add(d)
		p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: pos}, Dragged: d})
	}
	p.DragEnd()
}

func TestDeliveryWrongThenRightID(t *testing.T) {
	u, _ := newTestUI(t, "buuta1")
	d := rtAtPost(t, u, "Rơ Mah H'Bích", "064301000045")
	u.Show("delivery")
	s := deliveryOf(u)
	typeEnter(s.give.scan, d.ID)
	if s.give.d == nil || s.give.d.ID != d.ID || s.give.deliverBtn.Disabled() {
		t.Fatalf("scan did not open %s: %q", d.ID, s.give.msg.Text)
	}
	if strings.Contains(s.give.info.Text, d.Applicant.IDNumber) {
		t.Fatal("the screen must not show the ID the recipient has to prove")
	}
	checkTexts(t, u, "delivery/deliver")

	// The wrong ID: refused with the reason, nothing recorded, no proof file kept.
	before := totalEvents(t, u)
	sign(s.give.pad)
	test.Type(s.give.id, "064301000046")
	test.Tap(s.give.deliverBtn)
	want := i18n.Message(domain.Errf("recipient_id", "err.delivery.id_mismatch", ""))
	if s.give.msg.Text != want || s.give.msg.Importance != widget.DangerImportance {
		t.Fatalf("wrong ID message %q, want %q", s.give.msg.Text, want)
	}
	if totalEvents(t, u) != before || dossierState(t, u, d.ID) != domain.StateResultAtPost {
		t.Fatal("a refused delivery changed the dossier")
	}
	if entries, _ := os.ReadDir(u.Store.ProofsDir()); len(entries) != 0 {
		t.Fatalf("a refused delivery left %d proof files", len(entries))
	}
	// An authorised person without the letter: refused too.
	s.give.who.SetSelected(i18n.T("delivery.who.authorised"))
	test.Type(s.give.name, "Siu Thị Hằng")
	test.Tap(s.give.deliverBtn)
	if s.give.msg.Text != i18n.Message(domain.Errf("letter_note", "err.delivery.no_letter", "")) {
		t.Fatalf("authorised without letter: %q", s.give.msg.Text)
	}

	// The right ID, the applicant in person: delivered with the signature kept.
	s.give.who.SetSelected(i18n.T("delivery.who.applicant"))
	s.give.id.SetText("")
	test.Type(s.give.id, "064 301 000 045")
	s.give.id.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	got, err := u.Store.Dossier(u.Ctx, d.ID)
	if err != nil || got.State != domain.StateDelivered {
		t.Fatalf("state %s: %q", got.State, s.give.msg.Text)
	}
	if totalEvents(t, u) != before+1 || got.Delivery.RecipientName != "Rơ Mah H'Bích" || got.Delivery.By != "buuta1" {
		t.Fatalf("delivery %+v", got.Delivery)
	}
	// On disk the signature is sealed (no PNG to be read); through the desk
	// the signed-in member reads it back.
	onDisk, err := os.ReadFile(u.Store.ProofPath(got.Delivery.SignatureFile))
	if err != nil {
		t.Fatalf("signature file %q: %v", got.Delivery.SignatureFile, err)
	}
	if !vault.IsSealed(onDisk) || bytes.Contains(onDisk, []byte("\x89PNG")) {
		t.Fatalf("the signature file is not encrypted: starts %q", onDisk[:8])
	}
	if _, err := png.Decode(bytes.NewReader(onDisk)); err == nil {
		t.Fatal("the signature file on disk decodes as a PNG")
	}
	raw, err := u.Desk.ReadProof(u.Ctx, u.Actor(), d.ID, got.Delivery.SignatureFile)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dark := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x4000 {
				dark++
			}
		}
	}
	if dark < 100 {
		t.Fatalf("the signature PNG has %d inked pixels", dark)
	}
	// The dossier's detail shows it, decrypted for the signed-in member.
	ds := openDossiers(t, u)
	ds.openDetail(d.ID, "")
	test.Tap(findButton(t, ds.stack, i18n.T("dossiers.proof.signature")))
	top := u.topDialog()
	if top == nil {
		t.Fatal("no dialog shows the signature")
	}
	shown := false
	for _, o := range test.LaidOutObjects(top.overlay) {
		if pic, ok := o.(*canvas.Image); ok && pic.Image != nil && pic.Image.Bounds() == img.Bounds() {
			shown = true
		}
	}
	if !shown {
		t.Fatal("the signature dialog shows no image of the signature")
	}
	top.d.Hide()

	// Twice: the screen says why and offers nothing.
	before = totalEvents(t, u)
	typeEnter(s.give.scan, d.ID)
	if !s.give.deliverBtn.Disabled() || !strings.Contains(s.give.msg.Text, stateLabel(domain.StateDelivered)) {
		t.Fatalf("a delivered result can be delivered again: %q", s.give.msg.Text)
	}
	s.give.deliver()
	if totalEvents(t, u) != before {
		t.Fatal("delivering twice recorded an event")
	}
	// A dossier not yet back from the agency is refused the same way.
	fresh := rtIntake(t, u, "Ksor Y Bhin", "064090001234")
	typeEnter(s.give.scan, fresh.ID)
	if !s.give.deliverBtn.Disabled() || !strings.Contains(s.give.msg.Text, stateLabel(domain.StateReceived)) {
		t.Fatalf("a received dossier offered for delivery: %q", s.give.msg.Text)
	}
}

func TestDeliveryFeeAndFailedAttempts(t *testing.T) {
	u, _ := newTestUI(t, "buuta1")
	d := rtAtPost(t, u, "Đinh Thị Blơm", "064185000321")
	// A fee left to be paid on delivery.
	st := u.Settings
	if st.MaxFailedAttempts != 3 {
		t.Fatalf("demo settings allow %d attempts", st.MaxFailedAttempts)
	}
	u.Show("delivery")
	s := deliveryOf(u)

	// The round lists it under its village; it goes out with the worker.
	s.tabs.SelectIndex(1)
	c, ok := s.round.checks[d.ID]
	if !ok {
		t.Fatalf("the round does not list %s", d.ID)
	}
	checkTexts(t, u, "delivery/round")
	test.Tap(c)
	test.Tap(s.round.out)
	if dossierState(t, u, d.ID) != domain.StateOutForDelivery {
		t.Fatalf("take out: %q", s.round.msg.Text)
	}

	s.tabs.SelectIndex(0)
	s.give.load(d.ID)
	labels := map[domain.FailReason]string{}
	for _, r := range domain.FailReasons {
		labels[r] = i18n.T(r.Key())
	}
	fail := func(r domain.FailReason) {
		t.Helper()
		s.give.askFail()
		f := s.give.failForm
		if f == nil {
			t.Fatal("no failed-attempt form")
		}
		f.reason.SetSelected(labels[r])
		f.save()
		if f.errs.Text != "" {
			t.Fatalf("fail %s: %s", r, f.errs.Text)
		}
	}
	// No reason chosen: refused.
	s.give.askFail()
	s.give.failForm.save()
	if s.give.failForm == nil || s.give.failForm.errs.Text == "" {
		t.Fatal("a failure without a reason was recorded")
	}
	s.give.failForm.dlg.Hide()
	fail(domain.FailNotHome)
	fail(domain.FailWrongAddress)
	if dossierState(t, u, d.ID) != domain.StateDeliveryFailed || !strings.Contains(s.give.msg.Text, "2/3") {
		t.Fatalf("after two failures: %s %q", dossierState(t, u, d.ID), s.give.msg.Text)
	}
	fail(domain.FailNotHome)
	got, _ := u.Store.Dossier(u.Ctx, d.ID)
	if got.State != domain.StateReturnedToAgency || got.FailedAttempts != 3 || !strings.Contains(s.give.msg.Text, "BT-") {
		t.Fatalf("third failure: %s %d %q", got.State, got.FailedAttempts, s.give.msg.Text)
	}
	if !s.give.failBtn.Disabled() || !s.give.deliverBtn.Disabled() {
		t.Fatal("a returned result still offers delivery")
	}

	// A fee left for delivery must be collected, here by transfer.
	fd := rtAtPostFee(t, u, "Nay H'Mai", "064301000999", 8000)
	s.give.load(fd.ID)
	if s.give.due.Text != "8.000 ₫" || s.give.paid.Disabled() {
		t.Fatalf("due %q", s.give.due.Text)
	}
	before := totalEvents(t, u)
	test.Type(s.give.id, "064301000999")
	test.Tap(s.give.deliverBtn)
	if s.give.msg.Importance != widget.DangerImportance || totalEvents(t, u) != before {
		t.Fatalf("delivered without collecting the fee: %q", s.give.msg.Text)
	}
	test.Tap(s.give.paid)
	s.give.pay.SetSelected(i18n.T("register.transfer"))
	test.Tap(s.give.deliverBtn)
	got, _ = u.Store.Dossier(u.Ctx, fd.ID)
	if got.State != domain.StateDelivered || got.Delivery.FeeCollected != 8000 || !got.Delivery.PaymentByCredit || !got.FeePaid {
		t.Fatalf("fee delivery: %s %+v (%s)", got.State, got.Delivery, s.give.msg.Text)
	}
}

func TestSignaturePad(t *testing.T) {
	p := newSignaturePad()
	w := test.NewWindow(p)
	defer w.Close()
	w.Resize(fyne.NewSize(400, 160))
	if !p.Empty() {
		t.Fatal("a new pad is not empty")
	}
	test.Drag(w.Canvas(), fyne.NewPos(30, 40), 120, 50)
	if p.Empty() {
		t.Fatal("a drag drew nothing")
	}
	b, err := p.PNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() < 400 {
		t.Fatalf("png %v %v", img.Bounds(), err)
	}
	p.Clear()
	if !p.Empty() {
		t.Fatal("clear left strokes")
	}
}

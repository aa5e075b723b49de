package app

// The delivery screen (trả kết quả), at the counter or at the door. The
// result is scanned or picked from the round; the recipient is the
// applicant (the ID typed or scanned must match) or an authorised person
// (name, ID and letter noted); fees still due are collected; a signature
// drawn on screen or a photo is kept as proof. A failed attempt records its
// reason; after Settings.MaxFailedAttempts failures, or a refusal, the
// result goes back to the agency with a return record.

import (
	"io"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

type deliveryScreen struct {
	u     *UI
	tabs  *container.AppTabs
	give  *deliverTab
	round *roundTab
}

func deliveryOf(u *UI) *deliveryScreen {
	return u.session.delivery
}

func buildDelivery(u *UI) fyne.CanvasObject {
	s := &deliveryScreen{u: u}
	u.session.delivery = s
	s.give = newDeliverTab(s)
	s.round = newRoundTab(s)
	s.tabs = container.NewAppTabs(
		container.NewTabItem(i18n.T("delivery.tab.deliver"), s.give.object()),
		container.NewTabItem(i18n.T("delivery.tab.round"), s.round.object()),
	)
	s.tabs.OnSelected = func(it *container.TabItem) {
		if s.tabs.SelectedIndex() == 1 {
			s.round.reload()
		} else {
			u.Win.Canvas().Focus(s.give.scan)
		}
	}
	u.Shortcut("delivery", "delivery.action.deliver", &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl}, s.give.deliver)
	u.Shortcut("delivery", "delivery.action.fail", &desktop.CustomShortcut{KeyName: fyne.KeyK, Modifier: fyne.KeyModifierControl}, s.give.askFail)
	return s.tabs
}

func focusDelivery(u *UI) {
	s := deliveryOf(u)
	if s == nil {
		return
	}
	if id := u.session.openDelivery; id != "" {
		u.session.openDelivery = ""
		s.tabs.SelectIndex(0)
		s.give.load(id)
		return
	}
	if s.tabs.SelectedIndex() == 1 {
		s.round.reload()
		return
	}
	u.Win.Canvas().Focus(s.give.scan)
}

// deliverTab hands one result over.
type deliverTab struct {
	s          *deliveryScreen
	scan       *Entry
	info       *widget.Label
	who        *widget.RadioGroup
	id         *Entry
	name       *Entry
	letter     *Entry
	due        *widget.Label
	paid       *widget.Check
	pay        *widget.RadioGroup
	pad        *signaturePad
	photo      *widget.Label
	photoData  []byte
	photoExt   string
	msg        message
	d          *domain.Dossier
	deliverBtn *deskButton
	failBtn    *deskButton
	// failForm is the failed-attempt dialog while open (for tests).
	failForm *failForm
}

func newDeliverTab(s *deliveryScreen) *deliverTab {
	u := s.u
	t := &deliverTab{s: s, msg: newMessage()}
	t.scan = u.NewEntry()
	t.scan.SetPlaceHolder(i18n.T("delivery.scan_placeholder"))
	t.scan.OnSubmitted = func(text string) { t.scanned(text) }
	t.info = widget.NewLabel("")
	t.info.Wrapping = fyne.TextWrapWord
	t.who = widget.NewRadioGroup([]string{i18n.T("delivery.who.applicant"), i18n.T("delivery.who.authorised")}, func(string) { t.whoChanged() })
	t.who.Horizontal = true
	t.id = u.NewEntry()
	t.id.SetPlaceHolder(i18n.T("delivery.id_placeholder"))
	t.id.OnSubmitted = func(string) { t.deliver() }
	t.name = u.NewEntry()
	t.name.SetPlaceHolder(i18n.T("delivery.name_placeholder"))
	t.letter = u.NewEntry()
	t.letter.SetPlaceHolder(i18n.T("delivery.letter_placeholder"))
	t.due = widget.NewLabel("")
	t.paid = widget.NewCheck(i18n.T("delivery.paid"), nil)
	t.pay = widget.NewRadioGroup([]string{i18n.T("register.cash"), i18n.T("register.transfer")}, nil)
	t.pay.Horizontal = true
	t.pad = newSignaturePad()
	t.photo = widget.NewLabel("")
	t.deliverBtn = newButton(i18n.T("delivery.deliver"), t.deliver)
	t.deliverBtn.Importance = widget.HighImportance
	t.failBtn = newButton(i18n.T("delivery.fail"), t.askFail)
	t.show(nil)
	return t
}

func (t *deliverTab) object() fyne.CanvasObject {
	clear := newButton(i18n.T("delivery.sign_clear"), t.pad.Clear)
	attach := newButton(i18n.T("delivery.photo_attach"), t.pickPhoto)
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("delivery.who"), t.who),
		widget.NewFormItem(i18n.T("delivery.id"), t.id),
		widget.NewFormItem(i18n.T("delivery.name"), t.name),
		widget.NewFormItem(i18n.T("delivery.letter"), t.letter),
		widget.NewFormItem(i18n.T("delivery.due"), container.NewVBox(t.due, container.NewHBox(t.paid, t.pay))),
		widget.NewFormItem(i18n.T("delivery.signature"), container.NewVBox(t.pad, container.NewHBox(clear))),
		widget.NewFormItem(i18n.T("delivery.photo"), container.NewHBox(attach, t.photo)),
	)
	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.scan")), nil, t.scan),
		t.info)
	bottom := container.NewVBox(t.msg, container.NewHBox(t.deliverBtn, t.failBtn))
	return container.NewBorder(top, bottom, nil, nil, t.s.u.withWheel(container.NewVScroll(form)))
}

func (t *deliverTab) scanned(text string) { showScanned(t.s.u, t.scan, t.msg, text, t.show) }

// load shows dossier id, from the round or the home screen.
func (t *deliverTab) load(id string) { showStored(t.s.u, t.msg, id, t.show) }

// maskID shows only the last digits of an ID: the recipient's card, not
// the screen, must supply the number.
func maskID(id string) string {
	if len(id) <= 3 {
		return id
	}
	return strings.Repeat("•", len(id)-3) + id[len(id)-3:]
}

// show displays d and resets the form.
func (t *deliverTab) show(d *domain.Dossier) {
	t.d = d
	t.id.SetText("")
	t.name.SetText("")
	t.letter.SetText("")
	t.paid.SetChecked(false)
	t.pay.SetSelected(i18n.T("register.cash"))
	t.pad.Clear()
	t.photoData, t.photoExt = nil, ""
	t.photo.SetText("")
	t.who.SetSelected(i18n.T("delivery.who.applicant"))
	if d == nil {
		t.info.SetText(i18n.T("delivery.none"))
		t.due.SetText("")
		t.deliverBtn.Disable()
		t.failBtn.Disable()
		return
	}
	lines := []string{
		d.ID + " · " + d.ProcedureName,
		i18n.Tf("delivery.applicant", map[string]string{"Name": d.Applicant.FullName, "ID": maskID(d.Applicant.IDNumber),
			"Phone": d.Applicant.Phone}),
		i18n.Tf("delivery.address", map[string]string{"Address": joinAddress(d.ReturnAddress, ""), "Method": i18n.T("delivery.method." + string(methodOf(d)))}),
		i18n.Tf("outcome.state", map[string]string{"State": stateLabel(d.State)}),
	}
	if d.FailedAttempts > 0 {
		lines = append(lines, i18n.Tf("delivery.attempts", map[string]string{"N": countText(d.FailedAttempts),
			"Reason": i18n.T(domain.FailReason(d.LastFailReason).Key())}))
	}
	if d.Representative != nil && d.Representative.FullName != "" {
		lines = append(lines, i18n.Tf("delivery.representative", map[string]string{"Name": d.Representative.FullName}))
	}
	t.info.SetText(strings.Join(lines, "\n"))
	due := domain.AmountDue(d)
	t.due.SetText(domain.FormatMoney(due))
	if due > 0 {
		t.paid.Enable()
		t.pay.Enable()
	} else {
		t.paid.Disable()
		t.pay.Disable()
	}
	t.deliverBtn.Enable()
	t.failBtn.Enable()
	if _, err := domain.Next(d.ID, d.State, d.Option, domain.KindDeliver); err != nil {
		t.deliverBtn.Disable()
		t.msg.fail(err)
	}
	if _, err := domain.Next(d.ID, d.State, d.Option, domain.KindDeliveryFailed); err != nil {
		t.failBtn.Disable()
	}
	t.s.u.Win.Canvas().Focus(t.id)
}

func methodOf(d *domain.Dossier) domain.ReturnMethod {
	if d.ReturnMethod == domain.ReturnAtCounter {
		return domain.ReturnAtCounter
	}
	return domain.ReturnByPost
}

func (t *deliverTab) authorised() bool { return t.who.Selected == i18n.T("delivery.who.authorised") }

func (t *deliverTab) whoChanged() {
	if t.authorised() {
		t.name.Enable()
		t.letter.Enable()
	} else {
		t.name.Disable()
		t.letter.Disable()
	}
}

func (t *deliverTab) pickPhoto() {
	u := t.s.u
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		data, err := io.ReadAll(io.LimitReader(r, 20<<20))
		if err != nil {
			t.msg.fail(err)
			return
		}
		t.setPhoto(r.URI().Name(), data)
	}, u.Win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg"}))
	u.ShowDialog(d)
}

// setPhoto attaches a photo as proof.
func (t *deliverTab) setPhoto(name string, data []byte) {
	t.photoData, t.photoExt = data, strings.ToLower(filepath.Ext(name))
	t.photo.SetText(name)
}

// deliver records the delivery; a refused one changes nothing and says why.
func (t *deliverTab) deliver() {
	u := t.s.u
	if t.d == nil {
		return
	}
	p := domain.DeliverPayload{RecipientID: t.id.Text, Authorised: t.authorised()}
	if p.Authorised {
		p.RecipientName, p.LetterNote = t.name.Text, t.letter.Text
	}
	if t.paid.Checked {
		p.FeeCollected = domain.AmountDue(t.d)
		p.ByTransfer = t.pay.Selected == i18n.T("register.transfer")
	}
	var proofs []store.Proof
	if !t.pad.Empty() {
		img, err := t.pad.PNG()
		if err != nil {
			t.msg.fail(err)
			return
		}
		proofs = append(proofs, store.Proof{Kind: "signature", Ext: ".png", Data: img})
	}
	if len(t.photoData) > 0 {
		proofs = append(proofs, store.Proof{Kind: "photo", Ext: t.photoExt, Data: t.photoData})
	}
	d, err := u.Desk.Deliver(u.Ctx, u.Actor(), t.d.ID, p, proofs...)
	if err != nil {
		t.msg.fail(err)
		u.Win.Canvas().Focus(t.id)
		return
	}
	t.show(nil)
	t.msg.ok(i18n.Tf("delivery.done", map[string]string{"Dossier": d.ID, "Name": d.Delivery.RecipientName}))
	u.Notify(t.msg.Text)
	u.Win.Canvas().Focus(t.scan)
}

// failForm is the failed-attempt dialog.
type failForm struct {
	dlg    dialog.Dialog
	reason *widget.RadioGroup
	note   *Entry
	errs   message
	save   func()
}

// askFail asks why the delivery failed and records it.
func (t *deliverTab) askFail() {
	u := t.s.u
	if t.d == nil {
		return
	}
	labels := make([]string, len(domain.FailReasons))
	for i, r := range domain.FailReasons {
		labels[i] = i18n.T(r.Key())
	}
	f := &failForm{reason: widget.NewRadioGroup(labels, nil), note: u.NewEntry(), errs: newMessage()}
	f.note.SetPlaceHolder(i18n.T("delivery.fail_note"))
	id := t.d.ID
	f.save = func() {
		var reason domain.FailReason
		for i, l := range labels {
			if f.reason.Selected == l {
				reason = domain.FailReasons[i]
			}
		}
		d, ret, err := u.Desk.FailDelivery(u.Ctx, u.Actor(), id, domain.FailedPayload{Reason: reason, Note: f.note.Text})
		if err != nil {
			f.errs.fail(err)
			return
		}
		f.dlg.Hide()
		t.failForm = nil
		t.show(d)
		if ret != nil {
			t.msg.ok(i18n.Tf("delivery.returned", map[string]string{"Dossier": d.ID, "Record": ret.ID}))
		} else {
			t.msg.ok(i18n.Tf("delivery.failed", map[string]string{"Dossier": d.ID, "N": countText(d.FailedAttempts),
				"Max": countText(u.Settings.MaxFailedAttempts)}))
		}
		u.Notify(t.msg.Text)
	}
	save := newButton(i18n.T("delivery.fail_save"), f.save)
	save.Importance = widget.HighImportance
	content := container.NewVBox(
		widget.NewLabel(i18n.Tf("delivery.fail_title", map[string]string{"Dossier": id})),
		f.reason, f.note, f.errs,
		container.NewHBox(save, newButton(i18n.T("Cancel"), func() { f.dlg.Hide() })))
	f.dlg = dialog.NewCustomWithoutButtons(i18n.T("delivery.fail"), content, u.Win)
	t.failForm = f
	u.ShowDialog(f.dlg)
}

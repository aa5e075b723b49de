package app

// Results back from the agency: each result envelope (or dossier) is
// scanned by its receipt number, official code or S10 code; the list
// becomes an inbound handover record, and confirming it moves each result
// to "result at post". A result the post point does not know yet (the
// citizen applied elsewhere and chose return by post) is registered here
// from the agency's list.

import (
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

type inboundTab struct {
	h      *handoverScreen
	scan   *Entry
	list   *fyne.Container
	msg    message
	items  []*domain.Dossier
	create *deskButton
	count  *widget.Label
	// lastForm is the result-only registration form last opened.
	lastForm *resultOnlyForm
}

func newInboundTab(h *handoverScreen) *inboundTab {
	t := &inboundTab{h: h, list: container.NewVBox(), msg: newMessage(), count: widget.NewLabel("")}
	t.scan = h.u.NewEntry()
	t.scan.SetPlaceHolder(i18n.T("handover.in.scan_placeholder"))
	t.scan.OnSubmitted = func(text string) { t.scanned(text) }
	t.create = newButton(i18n.T("handover.in.create"), t.draft)
	t.create.Importance = widget.HighImportance
	t.refresh()
	return t
}

func (t *inboundTab) object() fyne.CanvasObject {
	register := newButton(i18n.T("handover.in.register"), func() { t.registerForm("") })
	top := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("handover.in.help"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.scan")), nil, t.scan),
		t.count)
	bottom := container.NewVBox(t.msg, container.NewHBox(t.create, register))
	return container.NewBorder(top, bottom, nil, nil, container.NewVScroll(t.list))
}

func (t *inboundTab) clearList() {
	t.items = nil
	t.refresh()
}

func (t *inboundTab) refresh() {
	t.list.RemoveAll()
	if len(t.items) == 0 {
		t.list.Add(emptyReason("handover.in.empty"))
	}
	for i, d := range t.items {
		i := i
		line := d.ID + " · " + d.OfficialCode + " · " + d.Applicant.FullName + " · " + stateLabel(d.State)
		rm := newButton(i18n.T("handover.remove"), func() {
			t.items = append(t.items[:i], t.items[i+1:]...)
			t.refresh()
		})
		t.list.Add(container.NewBorder(nil, nil, nil, rm, widget.NewLabel(line)))
	}
	t.list.Refresh()
	t.count.SetText(i18n.Tf("handover.in.count", map[string]string{"N": countText(len(t.items))}))
	if len(t.items) == 0 {
		t.create.Disable()
	} else {
		t.create.Enable()
	}
}

// agency is the list's agency: the first result's.
func (t *inboundTab) agency() string {
	if len(t.items) == 0 {
		return ""
	}
	return t.items[0].AgencyCode
}

func (t *inboundTab) scanned(text string) {
	u := t.h.u
	defer func() { t.scan.SetText(""); u.Win.Canvas().Focus(t.scan) }()
	d, err := findScanned(u, text)
	if err != nil {
		t.msg.fail(err)
		// An official code the post point does not know: a result-only registration.
		if oc, perr := domain.ParseOfficialCode(text); perr == nil {
			code := oc.String()
			u.Confirm(i18n.T("handover.in.unknown_title"), i18n.Tf("handover.in.unknown_ask", map[string]string{"Code": code}),
				func() { t.registerForm(code) })
		}
		return
	}
	t.add(d)
}

func (t *inboundTab) add(d *domain.Dossier) {
	for _, x := range t.items {
		if x.ID == d.ID {
			t.msg.fail(domain.Errf("dossier", "err.handover.duplicate", "listed twice").WithArgs("Dossier", d.ID))
			return
		}
	}
	if err := domain.CheckHandoverInOne(t.agency(), d); err != nil {
		t.msg.fail(err)
		return
	}
	t.items = append(t.items, d)
	t.refresh()
	t.msg.ok(i18n.Tf("handover.scanned", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName}))
}

func (t *inboundTab) draft() {
	u := t.h.u
	ids := make([]string, len(t.items))
	for i, d := range t.items {
		ids[i] = d.ID
	}
	h, err := u.Desk.CreateHandover(u.Ctx, u.Actor(), domain.HandoverIn, t.agency(), ids)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.items = nil
	t.refresh()
	t.msg.clear()
	u.Notify(i18n.Tf("handover.drafted", map[string]string{"ID": h.ID, "N": countText(len(ids))}))
	t.h.showRecord(h.ID)
}

// registerForm asks for a result-only registration from the agency's list.
func (t *inboundTab) registerForm(code string) {
	u := t.h.u
	procs, err := u.Store.Procedures(u.Ctx)
	if err != nil {
		t.msg.fail(err)
		return
	}
	var usable []domain.Procedure
	for _, p := range procs {
		if domain.IntakeProcedureError(p, domain.OptionReturnOnly) == nil {
			usable = append(usable, p)
		}
	}
	sort.Slice(usable, func(a, b int) bool { return usable[a].Code < usable[b].Code })
	labels := make([]string, len(usable))
	for i, p := range usable {
		labels[i] = p.Code + " — " + p.Name
	}
	proc := newDeskSelect(u, labels, nil)
	proc.PlaceHolder = i18n.T("register_result.procedure")
	official := u.NewEntry()
	official.SetText(code)
	name, id, phone, commune, address, retAddr := u.NewEntry(), u.NewEntry(), u.NewEntry(), u.NewEntry(), u.NewEntry(), u.NewEntry()
	commune.SetText(u.PostPoint.Commune)
	method := widget.NewRadioGroup([]string{i18n.T("delivery.method.post"), i18n.T("delivery.method.counter")}, nil)
	method.SetSelected(i18n.T("delivery.method.post"))
	errs := newMessage()
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("register_result.procedure"), proc),
		widget.NewFormItem(i18n.T("register_result.official_code"), official),
		widget.NewFormItem(i18n.T("register_result.name"), name),
		widget.NewFormItem(i18n.T("register_result.id"), id),
		widget.NewFormItem(i18n.T("register_result.phone"), phone),
		widget.NewFormItem(i18n.T("register_result.commune"), commune),
		widget.NewFormItem(i18n.T("register_result.address"), address),
		widget.NewFormItem(i18n.T("register_result.method"), method),
		widget.NewFormItem(i18n.T("register_result.return_address"), retAddr),
	)
	var dlg dialog.Dialog
	save := func() {
		var p domain.Procedure
		if i := proc.SelectedIndex(); i >= 0 {
			p = usable[i]
		}
		// The return postage was paid where the citizen applied: nothing is
		// collected here for a result-only registration.
		d := domain.Dossier{
			Applicant: domain.Person{FullName: name.Text, IDNumber: id.Text, IDType: domain.IDCCCD, Phone: phone.Text,
				Commune: commune.Text, Address: address.Text},
			OfficialCode: official.Text, ReturnMethod: domain.ReturnByPost, ReturnAddress: retAddr.Text,
		}
		if method.Selected == i18n.T("delivery.method.counter") {
			d.ReturnMethod = domain.ReturnAtCounter
		} else if d.ReturnAddress == "" {
			d.ReturnAddress = joinAddress(d.Applicant.Address, d.Applicant.Commune)
		}
		got, err := u.Desk.RegisterResultOnly(u.Ctx, u.Actor(), d, p)
		if err != nil {
			errs.fail(err)
			return
		}
		dlg.Hide()
		t.msg.ok(i18n.Tf("handover.in.registered", map[string]string{"Dossier": got.ID, "Name": got.Applicant.FullName}))
		t.add(got)
	}
	saveBtn := newButton(i18n.T("register_result.save"), save)
	saveBtn.Importance = widget.HighImportance
	content := container.NewBorder(nil, container.NewVBox(errs, container.NewHBox(saveBtn,
		newButton(i18n.T("Cancel"), func() { dlg.Hide() }))), nil, nil, u.withWheel(container.NewVScroll(form)))
	dlg = dialog.NewCustomWithoutButtons(i18n.T("handover.in.register"), content, u.Win)
	dlg.Resize(fyne.NewSize(680, 600))
	u.ShowDialog(dlg)
	t.lastForm = &resultOnlyForm{dlg: dlg, proc: proc, official: official, name: name, id: id, phone: phone,
		address: address, errs: errs, save: save}
	u.Win.Canvas().Focus(proc)
}

// resultOnlyForm keeps the last registration form's fields (for tests).
type resultOnlyForm struct {
	dlg                                dialog.Dialog
	proc                               *deskSelect
	official, name, id, phone, address *Entry
	errs                               message
	save                               func()
}

package app

// The agency's outcomes, entered at the post point when the agency tells
// it on paper or by phone: the appointment slip (official code and due
// date), a request for more papers (the citizen's phone is shown to call),
// a refusal with its reason, a result ready. Each button is offered only
// when the lifecycle allows it; a refused entry changes nothing.

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

type outcomeTab struct {
	h      *handoverScreen
	scan   *Entry
	info   *widget.Label
	call   *widget.Label
	msg    message
	d      *domain.Dossier
	code   *Entry
	due    *Entry
	papers *Entry
	note   *Entry
	reason *Entry

	accept, supplement, reject, ready, taken *deskButton
	forms                                    *fyne.Container
}

func newOutcomeTab(h *handoverScreen) *outcomeTab {
	u := h.u
	t := &outcomeTab{h: h, msg: newMessage()}
	t.scan = u.NewEntry()
	t.scan.SetPlaceHolder(i18n.T("handover.scan_placeholder"))
	t.scan.OnSubmitted = func(text string) { t.scanned(text) }
	t.info = widget.NewLabel("")
	t.info.Wrapping = fyne.TextWrapWord
	t.call = widget.NewLabel("")
	t.call.Importance = widget.WarningImportance
	t.call.Wrapping = fyne.TextWrapWord
	t.code = u.NewEntry()
	t.code.SetPlaceHolder(i18n.T("outcome.code_placeholder"))
	t.due = u.NewEntry()
	t.due.SetPlaceHolder(i18n.T("outcome.date_placeholder"))
	t.due.OnSubmitted = func(string) { t.doAccept() }
	t.papers = u.NewEntry()
	t.papers.MultiLine = true
	t.papers.Wrapping = fyne.TextWrapWord
	t.papers.SetPlaceHolder(i18n.T("outcome.papers_placeholder"))
	t.note = u.NewEntry()
	t.note.SetPlaceHolder(i18n.T("outcome.note_placeholder"))
	t.reason = u.NewEntry()
	t.reason.SetPlaceHolder(i18n.T("outcome.reason_placeholder"))
	t.reason.OnSubmitted = func(string) { t.doReject() }
	t.accept = newButton(i18n.T("outcome.accept"), t.doAccept)
	t.accept.Importance = widget.HighImportance
	t.supplement = newButton(i18n.T("outcome.supplement"), t.doSupplement)
	t.reject = newButton(i18n.T("outcome.reject"), t.doReject)
	t.ready = newButton(i18n.T("outcome.ready"), t.doReady)
	t.taken = newButton(i18n.T("outcome.taken"), t.doTaken)
	t.forms = container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("outcome.accept_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2,
			container.NewBorder(nil, nil, widget.NewLabel(i18n.T("outcome.code")), nil, t.code),
			container.NewBorder(nil, nil, widget.NewLabel(i18n.T("outcome.due")), nil, t.due)),
		container.NewHBox(t.accept),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(i18n.T("outcome.supplement_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		t.papers, t.note, container.NewHBox(t.supplement),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(i18n.T("outcome.reject_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		t.reason, container.NewHBox(t.reject),
		widget.NewSeparator(),
		container.NewHBox(t.ready, t.taken),
	)
	t.show(nil)
	return t
}

func (t *outcomeTab) object() fyne.CanvasObject {
	top := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("outcome.help"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.scan")), nil, t.scan),
		t.info, t.call, t.msg)
	return container.NewBorder(top, nil, nil, nil, t.h.u.withWheel(container.NewVScroll(t.forms)))
}

func (t *outcomeTab) scanned(text string) { showScanned(t.h.u, t.scan, t.msg, text, t.show) }

// load shows dossier id (from a record's list or the home screen).
func (t *outcomeTab) load(id string) {
	if showStored(t.h.u, t.msg, id, t.show) {
		t.h.u.Win.Canvas().Focus(t.code)
	}
}

// show displays d and enables what the lifecycle allows from its state.
func (t *outcomeTab) show(d *domain.Dossier) {
	t.d = d
	for _, b := range []*deskButton{t.accept, t.supplement, t.reject, t.ready, t.taken} {
		b.Disable()
	}
	t.call.SetText("")
	if d == nil {
		t.info.SetText(i18n.T("outcome.none"))
		return
	}
	lines := []string{
		d.ID + " · " + d.Applicant.FullName + " · " + d.Applicant.Phone,
		d.ProcedureName + " · " + d.AgencyCode,
		i18n.Tf("outcome.state", map[string]string{"State": stateLabel(d.State)}),
	}
	if d.OfficialCode != "" {
		lines = append(lines, i18n.Tf("outcome.current_code", map[string]string{"Code": d.OfficialCode}))
	}
	if d.DueDate != nil {
		lines = append(lines, i18n.Tf("outcome.current_due", map[string]string{"Date": domain.FormatDate(*d.DueDate)}))
	}
	t.info.SetText(strings.Join(lines, "\n"))
	if d.State == domain.StateSupplementRequested {
		t.showCall(d)
	}
	for _, k := range domain.Allowed(d.State, d.Option) {
		switch k {
		case domain.KindAccept:
			t.accept.Enable()
		case domain.KindRequestSupplement:
			t.supplement.Enable()
		case domain.KindReject:
			t.reject.Enable()
		case domain.KindResultReady:
			t.ready.Enable()
		case domain.KindSupplementTaken:
			t.taken.Enable()
		}
	}
}

// showCall tells the clerk to call the citizen about the missing papers.
func (t *outcomeTab) showCall(d *domain.Dossier) {
	t.call.SetText(i18n.Tf("outcome.call", map[string]string{
		"Name": d.Applicant.FullName, "Phone": d.Applicant.Phone, "Papers": strings.Join(d.Supplement, "; ")}))
}

// after records the outcome's effect on screen.
func (t *outcomeTab) after(d *domain.Dossier, err error, key string) {
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.show(d)
	t.msg.ok(i18n.Tf(key, map[string]string{"Dossier": d.ID, "State": stateLabel(d.State)}))
	t.h.u.Notify(t.msg.Text)
	if d.State == domain.StateSupplementRequested {
		t.showCall(d)
	}
	t.code.SetText("")
	t.due.SetText("")
	t.papers.SetText("")
	t.note.SetText("")
	t.reason.SetText("")
}

func (t *outcomeTab) doAccept() {
	if t.d == nil {
		return
	}
	u := t.h.u
	var due domain.AcceptPayload
	due.OfficialCode = t.code.Text
	if strings.TrimSpace(t.due.Text) != "" {
		dd, err := domain.ParseDate(t.due.Text, domain.Zone)
		if err != nil {
			t.msg.fail(err.(*domain.FieldError).In("due_date"))
			return
		}
		due.DueDate = dd
	}
	d, err := u.Desk.Accept(u.Ctx, u.Actor(), t.d.ID, due)
	t.after(d, err, "outcome.accepted")
}

func (t *outcomeTab) doSupplement() {
	if t.d == nil {
		return
	}
	u := t.h.u
	d, err := u.Desk.RequestSupplement(u.Ctx, u.Actor(), t.d.ID,
		domain.SupplementPayload{Papers: []string{t.papers.Text}, Note: t.note.Text})
	t.after(d, err, "outcome.supplemented")
}

func (t *outcomeTab) doReject() {
	if t.d == nil {
		return
	}
	u := t.h.u
	d, err := u.Desk.Reject(u.Ctx, u.Actor(), t.d.ID, domain.ReasonPayload{Reason: t.reason.Text})
	t.after(d, err, "outcome.rejected")
}

func (t *outcomeTab) doReady() {
	if t.d == nil {
		return
	}
	u := t.h.u
	d, err := u.Desk.ResultReady(u.Ctx, u.Actor(), t.d.ID)
	t.after(d, err, "outcome.readied")
}

// doTaken records that the citizen brought the papers the agency asked
// for: the dossier is "received" again, to go in the next handover.
func (t *outcomeTab) doTaken() {
	if t.d == nil {
		return
	}
	u := t.h.u
	d, err := u.Desk.SupplementTaken(u.Ctx, u.Actor(), t.d.ID)
	t.after(d, err, "outcome.taken_done")
}

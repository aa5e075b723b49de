package app

// A dossier's detail: every field, the event timeline (who, when, what, on
// which device), reprint of the receipt, and cancel — offered only while
// the lifecycle allows it (domain.Next), with a reason.

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

type dossierDetail struct {
	ds        *dossiersScreen
	d         *domain.Dossier
	events    []domain.Event
	warn      string
	backBtn   *deskButton
	cancelBtn *deskButton
	obj       fyne.CanvasObject
	// cancelWhy says why the dossier cannot be cancelled ("" when it can).
	cancelWhy string
}

func newDossierDetail(ds *dossiersScreen, id, warn string) (*dossierDetail, error) {
	u := ds.u
	d, evs, err := u.Desk.ViewDossier(u.Ctx, u.Actor(), id) // recorded in the access log
	if err != nil {
		return nil, err
	}
	det := &dossierDetail{ds: ds, d: d, events: evs, warn: warn}
	if _, err := domain.Next(d.ID, d.State, d.Option, domain.KindCancel); err != nil {
		det.cancelWhy = moveMessage(err)
	}
	det.obj = det.build()
	return det, nil
}

func (det *dossierDetail) object() fyne.CanvasObject { return det.obj }

func (det *dossierDetail) visible() bool {
	return det.ds.stack.Objects[0] == det.obj
}

func (det *dossierDetail) focus() { det.ds.u.Win.Canvas().Focus(det.backBtn) }

func (det *dossierDetail) build() fyne.CanvasObject {
	d := det.d
	det.backBtn = newDeskButton(det.ds.u, i18n.T("dossiers.back"), det.ds.back)
	reprint := newDeskButton(det.ds.u, i18n.T("dossiers.reprint"), det.reprint)
	det.cancelBtn = newDeskButton(det.ds.u, i18n.T("dossiers.cancel"), det.askCancel)
	det.cancelBtn.Importance = widget.DangerImportance
	if det.cancelWhy != "" {
		det.cancelBtn.Disable()
	}
	title := widget.NewLabelWithStyle(i18n.T("dossiers.detail.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	number := widget.NewLabelWithStyle(d.ID, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: true})
	state := widget.NewLabelWithStyle(dossierStateLabel(d.State), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	state.Importance = widget.HighImportance
	// Two lines, so the head fits a 1024 px screen in either language.
	head := container.NewBorder(nil, nil, number, container.NewHBox(reprint, det.cancelBtn))
	top := container.NewVBox(container.NewHBox(det.backBtn, title, state), head)
	if det.warn != "" {
		w := widget.NewLabelWithStyle(det.warn, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		w.Importance = widget.DangerImportance
		w.Wrapping = fyne.TextWrapWord
		top.Add(w)
	}
	if det.cancelWhy != "" {
		n := widget.NewLabel(det.cancelWhy)
		n.Importance = widget.LowImportance
		n.Wrapping = fyne.TextWrapWord
		top.Add(n)
	}

	var rows []fyne.CanvasObject
	add := func(key, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		k := widget.NewLabel(i18n.T(key))
		k.Importance = widget.LowImportance
		v := widget.NewLabel(value)
		v.Wrapping = fyne.TextWrapWord
		rows = append(rows, k, v)
	}
	add("intake.option", i18n.T("intake.option."+string(d.Option)))
	proc := d.ProcedureCode
	if d.ProcedureName != "" {
		proc += " — " + d.ProcedureName
	}
	add("intake.procedure", proc)
	agency := det.ds.agencyNames[d.AgencyCode]
	if agency == "" {
		agency = d.AgencyCode
	}
	add("intake.procedure.agency", agency)
	add("intake.name", d.Applicant.FullName)
	add("intake.id_type."+string(d.Applicant.IDType), d.Applicant.IDNumber)
	add("intake.phone", d.Applicant.Phone)
	add("intake.address", joinAddress(d.Applicant.Address, d.Applicant.Commune))
	if r := d.Representative; r != nil {
		add("intake.rep.name", r.FullName)
		add("intake.id_type."+string(r.IDType), r.IDNumber)
	}
	var docs []string
	for _, doc := range d.Documents {
		line := doc.Name + " — " + i18n.T("dossiers.docs.not_received")
		if doc.Received {
			kind := i18n.T("intake.docs.copy")
			if doc.Original {
				kind = i18n.T("intake.docs.original")
			}
			line = doc.Name + " — " + kind + ", " + strconv.Itoa(doc.Count)
		}
		docs = append(docs, line)
	}
	add("intake.section.documents", strings.Join(docs, "\n"))
	if len(domain.MissingDocuments(d.Documents)) > 0 && d.MissingNotified {
		add("intake.docs.missing", i18n.T("intake.docs.notified"))
	}
	add("intake.place", i18n.T("intake.place."+string(d.Place)))
	if d.HomeAppointment != nil {
		add("intake.appointment", domain.FormatDateTime(*d.HomeAppointment))
	}
	add("dossiers.field.received_at", domain.FormatDateTime(d.ReceivedAt))
	add("dossiers.field.received_by", det.staffName(d.ReceivedBy))
	add("intake.postage", domain.FormatMoney(d.Postage))
	if d.Fee > 0 {
		add("intake.fee", domain.FormatMoney(d.Fee))
		add("intake.fee_payment", i18n.T("intake.pay."+string(d.FeePayment)))
	}
	if d.Option.Returns() {
		add("intake.return_method", i18n.T("intake.return."+string(d.ReturnMethod)))
		add("intake.return_address", d.ReturnAddress)
	}
	add("intake.item_code", d.ItemCode)
	add("intake.official_code", d.OfficialCode)
	if d.ExpectedDate != nil {
		add("dossiers.field.expected", domain.FormatDate(*d.ExpectedDate))
	}
	if d.DueDate != nil {
		add("dossiers.field.due", domain.FormatDate(*d.DueDate))
	}
	add("dossiers.field.supplement", strings.Join(d.Supplement, "; "))
	add("dossiers.field.reject_reason", d.RejectReason)
	add("dossiers.field.cancel_reason", d.CancelReason)
	add("dossiers.field.fail_reason", d.LastFailReason)
	if p := d.Delivery; p != nil {
		add("dossiers.field.delivered_to", p.RecipientName+" — "+p.RecipientID)
		if b := det.proofButtons(); b != nil {
			k := widget.NewLabel(i18n.T("dossiers.field.proofs"))
			k.Importance = widget.LowImportance
			rows = append(rows, k, b)
		}
	}
	add("intake.notes", d.Notes)
	fields := container.New(layout.NewFormLayout(), rows...)

	tl := container.NewVBox(widget.NewLabelWithStyle(i18n.T("dossiers.timeline"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if det.ds.u.IsSupervisor() {
		tl.Add(container.NewHBox(newDeskButton(det.ds.u, i18n.T("access.open"), func() { det.ds.u.showAccessLog(d.ID, "") })))
	}
	for _, e := range det.events {
		what := dossierEventLabel(e.Kind)
		if why := eventReason(e); why != "" {
			what += ": " + why
		}
		line := container.NewHBox(
			widget.NewLabelWithStyle(domain.FormatDateTime(e.At), fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}),
			widget.NewLabelWithStyle(what, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabel(det.staffName(e.Staff)),
			lowLabel(e.DeviceID),
		)
		tl.Add(line)
	}
	body := container.NewVBox(fields, widget.NewSeparator(), tl)
	return container.NewBorder(container.NewVBox(top, widget.NewSeparator()), nil, nil, nil, det.ds.u.withWheel(container.NewVScroll(body)))
}

func lowLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Importance = widget.LowImportance
	return l
}

// staffName is a username's full name, or the username when unknown.
func (det *dossierDetail) staffName(username string) string {
	u := det.ds.u
	if st, err := u.Store.StaffMember(u.Ctx, username); err == nil && st.FullName != "" {
		return st.FullName
	}
	return username
}

// eventReason is the reason or code an event carries, to show in the timeline.
func eventReason(e domain.Event) string {
	var p struct {
		Reason       string `json:"reason"`
		OfficialCode string `json:"official_code"`
		ItemCode     string `json:"item_code"`
		Text         string `json:"text"`
	}
	if len(e.Payload) == 0 || e.Kind == domain.KindIntake || e.Kind == domain.KindRegisterResult {
		return ""
	}
	if json.Unmarshal(e.Payload, &p) != nil {
		return ""
	}
	for _, s := range []string{p.Reason, p.OfficialCode, p.ItemCode, p.Text} {
		if s != "" {
			return s
		}
	}
	return ""
}

// reprint renders the receipt again and opens it.
func (det *dossierDetail) reprint() {
	u := det.ds.u
	path, err := printReceipt(u, det.d.ID, true)
	det.ds.lastPDF = path
	if err != nil {
		u.ShowError(err)
		return
	}
	u.Notify(i18n.Tf("dossiers.reprinted", map[string]string{"ID": det.d.ID}))
	det.refresh()
}

// askCancel asks for the reason and cancels the dossier.
func (det *dossierDetail) askCancel() {
	u := det.ds.u
	if det.cancelWhy != "" {
		u.ShowError(errors.New(det.cancelWhy))
		return
	}
	reason := newFormEntry(u)
	reason.SetPlaceHolder(i18n.T("dossiers.cancel.reason_hint"))
	errL := errorLabel()
	content := container.NewVBox(widget.NewLabel(i18n.T("dossiers.cancel.reason")), reason, errL)
	var dlg *dialog.CustomDialog
	doCancel := func() {
		why := domain.Clean(reason.Text)
		if why == "" {
			setFieldError(errL, i18n.T("dossiers.cancel.reason_required"))
			u.Win.Canvas().Focus(reason)
			return
		}
		dlg.Hide()
		if err := det.cancel(why); err != nil {
			u.ShowError(errors.New(moveMessage(err)))
		}
	}
	reason.OnSubmitted = func(string) { doCancel() }
	ok := newDeskButton(det.ds.u, i18n.T("dossiers.cancel.confirm"), doCancel)
	ok.Importance = widget.DangerImportance
	dlg = dialog.NewCustomWithoutButtons(i18n.T("dossiers.cancel.title"), content, u.Win)
	dlg.SetButtons([]fyne.CanvasObject{newDeskButton(det.ds.u, i18n.T("No"), func() { dlg.Hide() }), ok})
	dlg.Resize(fyne.NewSize(460, dlg.MinSize().Height))
	u.ShowDialog(dlg)
	u.Win.Canvas().Focus(reason)
}

// cancel records the cancellation; the store refuses it too when the
// lifecycle does not allow it (someone else moved the dossier meanwhile).
func (det *dossierDetail) cancel(reason string) error {
	u := det.ds.u
	if _, err := u.Desk.Cancel(u.Ctx, u.Actor(), det.d.ID, reason); err != nil {
		return err
	}
	u.Notify(i18n.Tf("dossiers.cancelled", map[string]string{"ID": det.d.ID}))
	det.refresh()
	det.ds.reload()
	return nil
}

// refresh reloads the dossier into a new detail view.
func (det *dossierDetail) refresh() {
	if det.visible() {
		det.ds.openDetail(det.d.ID, det.warn)
	}
}

// moveMessage says, in the clerk's language, why a move is not allowed:
// the error names the dossier's state and the move.
func moveMessage(err error) string {
	var me *domain.MoveError
	if errors.As(err, &me) {
		return i18n.Tf("dossiers.err.move", map[string]string{"ID": me.Dossier, "Move": dossierEventLabel(me.Move), "State": dossierStateLabel(me.State)})
	}
	return i18n.Message(err)
}

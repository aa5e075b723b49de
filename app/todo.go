package app

// The home screen: what needs doing now. Dossiers to hand over (by
// agency), drafts to confirm, dossiers past their appointment date with no
// result, papers the agency asks for (call the citizen), results waiting
// too long, failed deliveries to retry, feedback not yet answered — each
// line one click (or Tab and Enter) from the screen that does it. The day's
// register is printed from here at closing time.

import (
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	dailyreg "postdesk/internal/register"
	"postdesk/internal/store"
)

// todoListMax is how many lines each section shows.
const todoListMax = 15

type todoScreen struct {
	u        *UI
	head     *widget.Label
	sections *fyne.Container
	msg      message
	date     *Entry
	todo     *store.Todo
}

func todoOf(u *UI) *todoScreen {
	return u.session.todo
}

func buildTodo(u *UI) fyne.CanvasObject {
	t := &todoScreen{u: u, head: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		sections: container.NewVBox(), msg: newMessage()}
	u.session.todo = t
	t.date = u.NewEntry()
	t.date.SetPlaceHolder(i18n.T("outcome.date_placeholder"))
	refresh := newButton(i18n.T("todo.refresh"), t.reload)
	u.Shortcut("home", "todo.refresh", &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl}, t.reload)
	pdf := newButton(i18n.T("todo.register_pdf"), func() { t.writeRegister(".pdf") })
	xlsx := newButton(i18n.T("todo.register_xlsx"), func() { t.writeRegister(".xlsx") })
	reg := widget.NewCard(i18n.T("todo.register_title"), i18n.T("todo.register_help"),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("todo.register_date")), container.NewHBox(pdf, xlsx), t.date))
	top := container.NewBorder(nil, nil, nil, refresh, t.head)
	return container.NewBorder(top, t.msg, nil, nil, container.NewVScroll(container.NewVBox(t.sections, reg)))
}

func focusTodo(u *UI) {
	if t := todoOf(u); t != nil {
		t.reload()
	}
}

// reload recomputes every list.
func (t *todoScreen) reload() {
	u := t.u
	now := u.Now()
	if t.date.Text == "" {
		t.date.SetText(domain.FormatDate(now))
	}
	td, err := u.Store.Todo(u.Ctx, now)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.todo = td
	t.head.SetText(i18n.Tf("todo.heading", map[string]string{"Date": domain.FormatDate(now), "Name": u.Staff.FullName}))
	t.sections.RemoveAll()
	nothing := true
	add := func(titleKey string, count int, rows []fyne.CanvasObject) {
		if count == 0 {
			return
		}
		nothing = false
		box := container.NewVBox(rows...)
		if count > len(rows) {
			box.Add(widget.NewLabel(i18n.Tf("todo.more", map[string]string{"N": countText(count - len(rows))})))
		}
		t.sections.Add(widget.NewCard(i18n.Tf(titleKey, map[string]string{"N": countText(count)}), "", box))
	}

	add("todo.conflict.title", td.Counts["conflict"], t.conflictLines(td.Conflicts))

	var rows []fyne.CanvasObject
	for _, a := range td.ToHandOver {
		code := a.Agency.Code
		rows = append(rows, t.line(i18n.Tf("todo.handover.row", map[string]string{"Agency": agencyLabel(a.Agency), "N": countText(a.Count)}),
			"todo.handover.go", func() { u.session.handoverAgency = code; u.Show("handover") }))
	}
	add("todo.handover.title", td.Counts["handover"], rows)

	rows = nil
	for _, h := range td.Drafts {
		id := h.ID
		rows = append(rows, t.line(i18n.Tf("todo.drafts.row", map[string]string{"ID": h.ID,
			"Direction": i18n.T("handover.direction." + string(h.Direction)), "Agency": h.AgencyCode}),
			"todo.open", func() { u.session.handoverRecord = id; u.Show("handover") }))
	}
	add("todo.drafts.title", len(td.Drafts), rows)

	add("todo.overdue.title", td.Counts["overdue"], t.dossierLines(td.Overdue, "todo.overdue.go", func(d *domain.Dossier) string {
		due := ""
		if d.DueDate != nil {
			due = domain.FormatDate(*d.DueDate)
		} else if d.ExpectedDate != nil {
			due = domain.FormatDate(*d.ExpectedDate)
		}
		return i18n.Tf("todo.overdue.row", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName,
			"Agency": d.AgencyCode, "Date": due})
	}, func(id string) { u.session.handoverOutcome = id; u.Show("handover") }))

	add("todo.supplement.title", td.Counts["supplement"], t.dossierLines(td.Supplement, "todo.open", func(d *domain.Dossier) string {
		return i18n.Tf("todo.supplement.row", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName,
			"Phone": d.Applicant.Phone, "Papers": strings.Join(d.Supplement, "; ")})
	}, func(id string) { u.session.handoverOutcome = id; u.Show("handover") }))

	deliver := func(id string) { u.session.openDelivery = id; u.Show("delivery") }
	add("todo.waiting.title", td.Counts["waiting"], t.dossierLines(td.Waiting, "todo.deliver", func(d *domain.Dossier) string {
		since := ""
		if d.ResultAtPostAt != nil {
			since = domain.FormatDate(*d.ResultAtPostAt)
		}
		return i18n.Tf("todo.waiting.row", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName,
			"Phone": d.Applicant.Phone, "Date": since})
	}, deliver))

	add("todo.retry.title", td.Counts["retry"], t.dossierLines(td.Retry, "todo.deliver", func(d *domain.Dossier) string {
		return i18n.Tf("todo.retry.row", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName,
			"Address": d.ReturnAddress, "N": countText(d.FailedAttempts),
			"Reason": i18n.T(domain.FailReason(d.LastFailReason).Key())})
	}, deliver))

	if td.OpenFeedback > 0 {
		add("todo.feedback.title", td.OpenFeedback, []fyne.CanvasObject{
			t.line(i18n.T("todo.feedback.row"), "todo.open", func() { u.Show("feedback") })})
	}
	if nothing {
		t.sections.Add(widget.NewLabel(i18n.T("todo.nothing")))
	}
	t.sections.Add(t.openCard(td))
	t.sections.Refresh()
}

// openCard lists every dossier waiting on the post point, state by state,
// with what the state waits for and the key that does it; the lines add up
// to the total in its title. Results ready at the agency for long are
// named on their own line.
func (t *todoScreen) openCard(td *store.Todo) fyne.CanvasObject {
	box := container.NewVBox()
	for _, sc := range td.Open {
		box.Add(widget.NewLabel(i18n.Tf("todo.open.row", map[string]string{
			"State": stateLabel(sc.State), "N": countText(sc.Count), "Next": i18n.T("todo.open.next." + string(sc.State))})))
		if sc.State == domain.StateResultReady && td.ReadyLong > 0 {
			l := widget.NewLabel(i18n.Tf("todo.open.ready_long", map[string]string{
				"N": countText(td.ReadyLong), "Days": countText(t.u.Settings.WaitingDays)}))
			l.Importance = widget.WarningImportance
			box.Add(l)
		}
	}
	if len(td.Open) == 0 {
		box.Add(widget.NewLabel(i18n.T("todo.open.none")))
	}
	return widget.NewCard(i18n.Tf("todo.open.title", map[string]string{"N": countText(td.OpenTotal)}), "", box)
}

// line is a text with a button on its right that does it.
func (t *todoScreen) line(text, buttonKey string, fn func()) fyne.CanvasObject {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return container.NewBorder(nil, nil, nil, newButton(i18n.T(buttonKey), fn), l)
}

func (t *todoScreen) dossierLines(ds []*domain.Dossier, buttonKey string, text func(*domain.Dossier) string, open func(string)) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for i, d := range ds {
		if i == todoListMax {
			break
		}
		id := d.ID
		rows = append(rows, t.line(text(d), buttonKey, func() { open(id) }))
	}
	return rows
}

// writeRegister writes the register of the typed date into the documents
// folder and opens it.
func (t *todoScreen) writeRegister(ext string) {
	u := t.u
	day, err := domain.ParseDate(t.date.Text, domain.Zone)
	if err != nil {
		t.msg.fail(err)
		return
	}
	r, err := dailyreg.Compute(u.Ctx, u.Store, day)
	if err != nil {
		t.msg.fail(err)
		return
	}
	name := "so-theo-doi-" + day.Format("2006-01-02") + ext
	path, err := writeDocument(u, name, func(path string) error {
		if ext == ".pdf" {
			return receipt.RenderRegisterFile(path, r, nil)
		}
		return atomicfile.Write(path, 0o644, func(w io.Writer) error { return r.WriteXLSX(w, nil) })
	})
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.msg.ok(i18n.Tf("todo.register_written", map[string]string{"Path": path, "N": countText(len(r.Lines)),
		"Collected": domain.FormatMoney(r.Total.Collected())}))
}

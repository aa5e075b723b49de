package app

// Citizens' feedback (ý kiến, khiếu nại, góp ý): recorded at the counter or
// at the door, about a dossier or the service in general, with the
// citizen's contact if they give it. It is an event of the log, so it
// travels to the province with the rest. A supervisor sees the open ones
// and records what was done.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

type feedbackScreen struct {
	u       *UI
	topic   *widget.Select
	dossier *Entry
	text    *Entry
	name    *Entry
	phone   *Entry
	place   *widget.RadioGroup
	msg     message
	list    *fyne.Container
	// closeForm is the answer dialog while open (for tests).
	closeForm *feedbackClose
}

type feedbackClose struct {
	dlg    dialog.Dialog
	action *Entry
	errs   message
	save   func()
}

func feedbackOf(u *UI) *feedbackScreen {
	return u.session.feedback
}

func topicLabels() []string {
	out := make([]string, len(domain.FeedbackTopics))
	for i, t := range domain.FeedbackTopics {
		out[i] = i18n.T("feedback.topic." + string(t))
	}
	return out
}

func buildFeedback(u *UI) fyne.CanvasObject {
	f := &feedbackScreen{u: u, msg: newMessage(), list: container.NewVBox()}
	u.session.feedback = f
	f.topic = widget.NewSelect(topicLabels(), nil)
	f.topic.PlaceHolder = i18n.T("feedback.topic")
	f.dossier = u.NewEntry()
	f.dossier.SetPlaceHolder(i18n.T("feedback.dossier_placeholder"))
	f.text = u.NewEntry()
	f.text.MultiLine = true
	f.text.Wrapping = fyne.TextWrapWord
	f.text.SetMinRowsVisible(4)
	f.name = u.NewEntry()
	f.phone = u.NewEntry()
	f.place = widget.NewRadioGroup([]string{i18n.T("feedback.place.counter"), i18n.T("feedback.place.home")}, nil)
	f.place.Horizontal = true
	f.reset()
	save := newButton(i18n.T("feedback.save"), f.save)
	save.Importance = widget.HighImportance
	u.Shortcut("feedback", "feedback.save", &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl}, f.save)
	form := widget.NewForm(
		widget.NewFormItem(i18n.T("feedback.topic"), f.topic),
		widget.NewFormItem(i18n.T("feedback.dossier"), f.dossier),
		widget.NewFormItem(i18n.T("feedback.text"), f.text),
		widget.NewFormItem(i18n.T("feedback.contact_name"), f.name),
		widget.NewFormItem(i18n.T("feedback.contact_phone"), f.phone),
		widget.NewFormItem(i18n.T("feedback.place"), f.place),
	)
	record := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("feedback.record_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form, f.msg, container.NewHBox(save))
	if !u.IsSupervisor() {
		return container.NewVScroll(record)
	}
	open := container.NewBorder(
		widget.NewLabelWithStyle(i18n.T("feedback.open_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		nil, nil, nil, container.NewVScroll(f.list))
	split := container.NewVSplit(container.NewVScroll(record), open)
	split.Offset = 0.55
	return split
}

func focusFeedback(u *UI) {
	f := feedbackOf(u)
	if f == nil {
		return
	}
	f.reload()
	u.Win.Canvas().Focus(f.text)
}

func (f *feedbackScreen) reset() {
	f.topic.SetSelectedIndex(0)
	f.dossier.SetText("")
	f.text.SetText("")
	f.name.SetText("")
	f.phone.SetText("")
	f.place.SetSelected(i18n.T("feedback.place.counter"))
}

func (f *feedbackScreen) save() {
	u := f.u
	p := domain.FeedbackPayload{Text: f.text.Text, ContactName: f.name.Text, ContactPhone: f.phone.Text, Place: domain.PlaceCounter}
	if i := f.topic.SelectedIndex(); i >= 0 {
		p.Topic = domain.FeedbackTopics[i]
	}
	if f.place.Selected == i18n.T("feedback.place.home") {
		p.Place = domain.PlaceHome
	}
	dossier := domain.Clean(f.dossier.Text)
	if dossier != "" {
		d, err := findScanned(u, dossier)
		if err != nil {
			f.msg.fail(err)
			return
		}
		dossier = d.ID
	}
	fb, err := u.Desk.RecordFeedback(u.Ctx, u.Actor(), dossier, p)
	if err != nil {
		f.msg.fail(err)
		return
	}
	f.reset()
	f.msg.ok(i18n.Tf("feedback.saved", map[string]string{"ID": fb.ID}))
	u.Notify(f.msg.Text)
	f.reload()
}

// reload lists the open feedback (supervisors only).
func (f *feedbackScreen) reload() {
	u := f.u
	if !u.IsSupervisor() {
		return
	}
	open, err := u.Store.Feedbacks(u.Ctx, true)
	if err != nil {
		f.msg.fail(err)
		return
	}
	f.list.RemoveAll()
	if len(open) == 0 {
		f.list.Add(emptyReason("feedback.none_open"))
	}
	for _, fb := range open {
		fb := fb
		text := i18n.Tf("feedback.row", map[string]string{
			"Time": domain.FormatDateTime(fb.At), "Topic": i18n.T("feedback.topic." + string(fb.Topic)),
			"Text": fb.Text, "Contact": joinAddress(fb.ContactName, fb.ContactPhone), "Dossier": fb.Dossier, "Staff": fb.Staff})
		l := widget.NewLabel(text)
		l.Wrapping = fyne.TextWrapWord
		f.list.Add(container.NewBorder(nil, nil, nil, newButton(i18n.T("feedback.close"), func() { f.askClose(fb) }), l))
	}
	f.list.Refresh()
}

// askClose asks what was done about fb and records it.
func (f *feedbackScreen) askClose(fb domain.Feedback) {
	u := f.u
	c := &feedbackClose{action: u.NewEntry(), errs: newMessage()}
	c.action.MultiLine = true
	c.action.Wrapping = fyne.TextWrapWord
	c.action.SetPlaceHolder(i18n.T("feedback.action_placeholder"))
	c.save = func() {
		err := u.Desk.CloseFeedback(u.Ctx, u.Actor(), domain.FeedbackClosePayload{Feedback: fb.ID, Action: c.action.Text})
		if err != nil {
			c.errs.fail(err)
			return
		}
		c.dlg.Hide()
		f.closeForm = nil
		f.msg.ok(i18n.Tf("feedback.closed", map[string]string{"ID": fb.ID}))
		f.reload()
	}
	save := newButton(i18n.T("feedback.close_save"), c.save)
	save.Importance = widget.HighImportance
	body := widget.NewLabel(fb.Text)
	body.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(body, c.action, c.errs,
		container.NewHBox(save, newButton(i18n.T("Cancel"), func() { c.dlg.Hide() })))
	c.dlg = dialog.NewCustomWithoutButtons(i18n.T("feedback.close"), content, u.Win)
	c.dlg.Resize(fyne.NewSize(520, 320))
	f.closeForm = c
	u.ShowDialog(c.dlg)
}

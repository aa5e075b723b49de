package app

// The postal worker's round: the results waiting to be delivered, by
// commune and village, and those the citizens collect at the counter.
// Ticked results leave with the worker in one go ("out for delivery").

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

type roundTab struct {
	s      *deliveryScreen
	list   *fyne.Container
	msg    message
	checks map[string]*widget.Check
	out    *deskButton
}

func newRoundTab(s *deliveryScreen) *roundTab {
	t := &roundTab{s: s, list: container.NewVBox(), msg: newMessage(), checks: map[string]*widget.Check{}}
	t.out = newButton(i18n.T("delivery.round.take_out"), t.takeOut)
	t.out.Importance = widget.HighImportance
	return t
}

func (t *roundTab) object() fyne.CanvasObject {
	refresh := newButton(i18n.T("todo.refresh"), t.reload)
	top := container.NewHBox(refresh,
		widget.NewLabelWithStyle(i18n.T("delivery.round.help"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	return container.NewBorder(top, container.NewVBox(t.msg, container.NewHBox(t.out)), nil, nil, container.NewVScroll(t.list))
}

func (t *roundTab) reload() {
	u := t.s.u
	door, counter, err := u.Store.DeliveryRound(u.Ctx)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.list.RemoveAll()
	t.checks = map[string]*widget.Check{}
	if len(door) == 0 && len(counter) == 0 {
		t.list.Add(emptyReason("delivery.round.none"))
	}
	for _, stop := range door {
		place := stop.Village
		if stop.Commune != "" {
			place = joinAddress(stop.Village, stop.Commune)
		}
		t.list.Add(widget.NewLabelWithStyle(i18n.Tf("delivery.round.stop", map[string]string{
			"Place": place, "N": countText(len(stop.Dossiers))}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, d := range stop.Dossiers {
			t.list.Add(t.row(d, true))
		}
	}
	if len(counter) > 0 {
		t.list.Add(widget.NewLabelWithStyle(i18n.Tf("delivery.round.counter", map[string]string{"N": countText(len(counter))}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, d := range counter {
			t.list.Add(t.row(d, false))
		}
	}
	wrapLongTexts(t.list) // built after the screen was shown
	t.list.Refresh()
}

// row is one result: a tick box when it can go out, its line, and a button
// to hand it over now.
func (t *roundTab) row(d *domain.Dossier, door bool) fyne.CanvasObject {
	line := d.ID + " · " + d.Applicant.FullName + " · " + d.Applicant.Phone + " · " + stateLabel(d.State)
	if d.FailedAttempts > 0 {
		line += " · " + i18n.Tf("delivery.round.attempts", map[string]string{"N": countText(d.FailedAttempts)})
	}
	id := d.ID
	open := newButton(i18n.T("delivery.round.open"), func() {
		t.s.tabs.SelectIndex(0)
		t.s.give.load(id)
	})
	var left fyne.CanvasObject
	if door && domain.CheckOutForDelivery(d) == nil {
		c := widget.NewCheck("", nil)
		t.checks[id] = c
		left = c
	}
	return container.NewBorder(nil, nil, left, open, widget.NewLabel(line))
}

func (t *roundTab) takeOut() {
	u := t.s.u
	var ids []string
	for id, c := range t.checks {
		if c.Checked {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		t.msg.fail(domain.Errf("dossiers", "err.delivery.none_selected", "tick the results to take out"))
		return
	}
	if err := u.Desk.TakeOutForDelivery(u.Ctx, u.Actor(), ids); err != nil {
		t.msg.fail(err)
		return
	}
	t.reload()
	t.msg.ok(i18n.Tf("delivery.round.taken", map[string]string{"N": countText(len(ids))}))
}

package app

// Home pickups (thu gom hồ sơ tại nhà). A planned pickup is an intake slip
// saved before the visit — who, where, when, and whatever is known of the
// procedure — kept as a device draft (store.DeviceDrafts, key
// "pickup/<yyyymmddHHMM>-<n>") so every staff member of this laptop sees
// it, offline. On the day, the postal worker opens it in the intake form
// ("Tiếp nhận"), completes it at the citizen's house and saves: the
// dossier gets this device's receipt number (store.Intake numbers offline
// from the device letter) and the planned pickup disappears. The panel also
// lists the dossiers taken at home today.

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

type pickupPanel struct {
	f       *intakeForm
	planned *fyne.Container
	later   *widget.Label
	done    *fyne.Container
	// shown are the planned pickups listed, in order (tests read them).
	shown []plannedPickup
}

type plannedPickup struct {
	key   string
	at    time.Time
	draft intakeDraft
}

func newPickupPanel(f *intakeForm) *pickupPanel {
	p := &pickupPanel{f: f, planned: container.NewVBox(), done: container.NewVBox(), later: widget.NewLabel("")}
	p.later.Importance = widget.LowImportance
	p.later.Hide()
	return p
}

func (p *pickupPanel) object() fyne.CanvasObject {
	head := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(i18n.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	return container.NewVScroll(container.NewPadded(container.NewVBox(
		head("intake.pickups.title"), p.planned, p.later,
		widget.NewSeparator(),
		head("intake.pickups.done"), p.done,
	)))
}

// today is the start of the local day and of the next.
func (p *pickupPanel) today() (time.Time, time.Time) {
	y, m, d := p.f.u.Now().In(domain.Zone).Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
	return start, start.AddDate(0, 0, 1)
}

// reload lists today's (and overdue) planned pickups and today's home intakes.
func (p *pickupPanel) reload() {
	u := p.f.u
	start, end := p.today()
	rows, err := u.Store.Drafts(u.Ctx, store.DeviceDrafts, pickupKeyPrefix)
	if err != nil {
		fyne.LogError("pickups", err)
	}
	p.shown = nil
	later := 0
	for _, r := range rows {
		var d intakeDraft
		if json.Unmarshal(r.Data, &d) != nil {
			continue
		}
		at, perr := parseAppointment(d.Appointment)
		if perr != nil {
			continue
		}
		if !at.Before(end) {
			later++
			continue
		}
		p.shown = append(p.shown, plannedPickup{key: r.Key, at: at, draft: d})
	}
	sort.SliceStable(p.shown, func(i, j int) bool { return p.shown[i].at.Before(p.shown[j].at) })
	var objs []fyne.CanvasObject
	for _, pp := range p.shown {
		objs = append(objs, p.plannedRow(pp, start))
	}
	if len(objs) == 0 {
		none := widget.NewLabel(i18n.T("intake.pickups.none"))
		none.Importance = widget.LowImportance
		objs = append(objs, none)
	}
	p.planned.Objects = objs
	p.planned.Refresh()
	if later > 0 {
		p.later.SetText(i18n.Tf("intake.pickups.later", map[string]string{"N": fmt.Sprint(later)}))
		p.later.Show()
	} else {
		p.later.Hide()
	}

	done, err := u.Store.ListDossiers(u.Ctx, store.Filter{From: start, To: end, Place: domain.PlaceHome}, 0, 100)
	if err != nil {
		fyne.LogError("home intakes", err)
	}
	objs = nil
	for _, r := range done {
		id := r.ID
		b := newDeskButton(p.f.u, r.ID, func() { u.OpenDossier(id) })
		b.Importance = widget.LowImportance
		objs = append(objs, container.NewBorder(nil, nil, b, nil, widget.NewLabel(r.ApplicantName)))
	}
	if len(objs) == 0 {
		none := widget.NewLabel(i18n.T("intake.pickups.none_done"))
		none.Importance = widget.LowImportance
		objs = append(objs, none)
	}
	p.done.Objects = objs
	p.done.Refresh()
}

func (p *pickupPanel) plannedRow(pp plannedPickup, today time.Time) fyne.CanvasObject {
	when := pp.at.In(domain.Zone).Format("15:04")
	late := pp.at.Before(today)
	if late {
		when = domain.FormatDateTime(pp.at)
	}
	timeLabel := widget.NewLabelWithStyle(when, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if late {
		timeLabel.Importance = widget.DangerImportance
	}
	name := widget.NewLabel(pp.draft.Name)
	where := widget.NewLabel(joinAddress(pp.draft.Address, pp.draft.Commune))
	where.Wrapping = fyne.TextWrapWord
	phone := widget.NewLabel(pp.draft.Phone)
	take := newDeskButton(p.f.u, i18n.T("intake.pickups.take"), func() { p.take(pp) })
	take.Importance = widget.HighImportance
	drop := newDeskButton(p.f.u, i18n.T("intake.pickups.drop"), func() {
		p.f.u.Confirm(i18n.T("intake.pickups.drop"), i18n.T("intake.pickups.drop_question"), func() {
			if err := p.f.u.Store.DeleteDraft(p.f.u.Ctx, store.DeviceDrafts, pp.key); err != nil {
				p.f.u.ShowError(err)
			}
			p.reload()
		})
	})
	return container.NewVBox(
		container.NewBorder(nil, nil, timeLabel, container.NewHBox(take, drop), name),
		phone, where, widget.NewSeparator())
}

// take opens a planned pickup in the intake form, to complete at the house.
func (p *pickupPanel) take(pp plannedPickup) {
	f := p.f
	open := func() {
		d := pp.draft
		d.PickupKey = pp.key
		d.Place = string(domain.PlaceHome)
		f.load(d)
		f.saveDraft()
		f.focusFirst()
	}
	if !f.draft().empty() && f.pickup != pp.key {
		f.u.Confirm(i18n.T("intake.pickups.take"), i18n.T("intake.pickups.replace_question"), open)
		return
	}
	open()
}

// planPickup keeps the slip as a planned home pickup: a name, a phone and
// a valid appointment are enough; the rest is completed at the house.
func (f *intakeForm) planPickup() {
	f.showAll = true
	d := f.draft()
	d.Place = string(domain.PlaceHome)
	var errs domain.Errors
	if domain.Clean(d.Name) == "" {
		errs = append(errs, domain.Errf("applicant.full_name", "err.intake.name_required", "the full name is required"))
	}
	if _, err := domain.NormalizePhone(d.Phone); err != nil {
		errs = append(errs, err.(*domain.FieldError).In("applicant.phone"))
	}
	if domain.Clean(d.Address) == "" {
		errs = append(errs, domain.Errf("applicant.address", "err.intake.home_address", "a home pickup needs the village or street"))
	}
	at, perr := parseAppointment(d.Appointment)
	if perr != nil {
		errs = append(errs, perr)
	}
	f.showErrors(errs)
	if len(errs) > 0 {
		f.focusFirstError(errs)
		return
	}
	key := d.PickupKey
	if key == "" {
		key = pickupKeyPrefix + at.In(domain.Zone).Format("200601021504") + "-" + fmt.Sprint(f.u.Now().UnixNano())
	}
	d.PickupKey = ""
	data, err := json.Marshal(d)
	if err == nil {
		err = f.u.Store.SaveDraft(f.u.Ctx, store.DeviceDrafts, key, data)
	}
	if err != nil {
		f.u.ShowError(err)
		return
	}
	f.saver.cancel(func() error {
		return f.u.Store.DeleteDraft(f.u.Ctx, f.u.Staff.Username, intakeDraftKey)
	})
	f.u.Notify(i18n.Tf("intake.pickups.planned", map[string]string{"Time": domain.FormatDateTime(at), "Name": domain.Clean(d.Name)}))
	f.reset()
	f.pickups.reload()
	f.focusFirst()
}

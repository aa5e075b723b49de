package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// The staff screen: a supervisor lists the accounts, adds one with its role
// and PIN, changes a role, deactivates or reactivates, and resets a PIN
// (which also lifts a sign-in lock). Every change is an event naming the
// supervisor.

var roles = []domain.Role{domain.RoleClerk, domain.RolePostalWorker, domain.RoleSupervisor}

func roleNames() []string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = RoleName(r)
	}
	return out
}

type staffScreen struct {
	u        *UI
	list     *widget.List
	staff    []domain.Staff
	selected int

	// the selected account
	title      *widget.Label
	role       *widget.Select
	roleBtn    *deskButton
	activeBtn  *deskButton
	newPIN     *Entry
	newPIN2    *Entry
	resetBtn   *deskButton
	detailErrs map[string]*widget.Label
	detail     *fyne.Container

	// the add form
	addUser, addName, addPIN, addPIN2 *Entry
	addRole                           *widget.Select
	addErrs                           map[string]*widget.Label
}

func buildStaff(u *UI) fyne.CanvasObject {
	s := &staffScreen{u: u, selected: -1, detailErrs: map[string]*widget.Label{}, addErrs: map[string]*widget.Label{}}
	u.session.staff = s
	s.list = widget.NewList(func() int { return len(s.staff) },
		func() fyne.CanvasObject {
			// Typical widths, so the list is as wide as its rows need.
			return container.NewGridWithColumns(4, widget.NewLabel("buuta10"), widget.NewLabel("Rơ Châm H'Yen"),
				widget.NewLabel(RoleName(domain.RoleSupervisor)), widget.NewLabel(i18n.T("app.staff.inactive")))
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			st := s.staff[i]
			cells := o.(*fyne.Container).Objects
			cells[0].(*widget.Label).SetText(st.Username)
			cells[1].(*widget.Label).SetText(st.FullName)
			cells[2].(*widget.Label).SetText(RoleName(st.Role))
			state := i18n.T("app.staff.active")
			if !st.Active {
				state = i18n.T("app.staff.inactive")
			}
			cells[3].(*widget.Label).SetText(state)
		})
	s.list.OnSelected = func(i widget.ListItemID) { s.selected = i; s.showSelected() }

	row := func(errs map[string]*widget.Label, labelKey, field string, w fyne.CanvasObject) fyne.CanvasObject {
		e := errorLabel()
		errs[field] = e
		return container.NewVBox(widget.NewLabel(i18n.T(labelKey)), w, e)
	}

	// Selected account.
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.role = widget.NewSelect(roleNames(), nil)
	s.role.PlaceHolder = i18n.T("(Select one)")
	s.roleBtn = newButton(i18n.T("app.staff.change_role"), s.changeRole)
	s.activeBtn = newButton(i18n.T("app.staff.deactivate"), s.toggleActive)
	s.newPIN, s.newPIN2 = u.NewPasswordEntry(), u.NewPasswordEntry()
	s.newPIN2.OnSubmitted = func(string) { s.resetPIN() }
	s.newPIN.OnSubmitted = func(string) { u.Win.Canvas().Focus(s.newPIN2) }
	s.resetBtn = newButton(i18n.T("app.staff.reset_pin"), s.resetPIN)
	accessBtn := newButton(i18n.T("access.open_staff"), func() {
		if st, ok := s.current(); ok {
			u.showAccessLog("", st.Username)
		}
	})
	s.detail = container.NewVBox(s.title,
		row(s.detailErrs, "app.staff.role", "staff.role", container.NewBorder(nil, nil, nil, s.roleBtn, s.role)),
		container.NewHBox(s.activeBtn),
		row(s.detailErrs, "app.staff.new_pin", "staff.secret", s.newPIN),
		row(s.detailErrs, "app.staff.new_pin2", "staff.secret2", s.newPIN2),
		container.NewHBox(s.resetBtn),
		container.NewHBox(accessBtn),
		widget.NewSeparator())
	s.detail.Hide()

	// Add form.
	s.addUser, s.addName, s.addPIN, s.addPIN2 = u.NewEntry(), u.NewEntry(), u.NewPasswordEntry(), u.NewPasswordEntry()
	s.addRole = widget.NewSelect(roleNames(), nil)
	s.addRole.PlaceHolder = i18n.T("(Select one)")
	s.addRole.SetSelectedIndex(0)
	chain := []*Entry{s.addUser, s.addName, s.addPIN, s.addPIN2}
	for i := 0; i+1 < len(chain); i++ {
		next := chain[i+1]
		chain[i].OnSubmitted = func(string) { u.Win.Canvas().Focus(next) }
	}
	s.addPIN2.OnSubmitted = func(string) { s.add() }
	addBtn := newButton(i18n.T("app.staff.add"), s.add)
	addBtn.Importance = widget.HighImportance
	u.Shortcut("staff", "citizen.export.open", &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl},
		func() { u.showCitizenExport() })
	u.Shortcut("staff", "app.staff.add_focus", &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierControl},
		func() { u.Win.Canvas().Focus(s.addUser) })
	citizenBtn := newButton(i18n.T("citizen.export.open")+" (Ctrl+E)", func() { u.showCitizenExport() })
	add := container.NewVBox(
		container.NewHBox(citizenBtn),
		widget.NewLabelWithStyle(i18n.T("app.staff.add_title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		row(s.addErrs, "app.setup.username", "staff.username", s.addUser),
		row(s.addErrs, "app.setup.full_name", "staff.full_name", s.addName),
		row(s.addErrs, "app.staff.role", "staff.role", s.addRole),
		row(s.addErrs, "app.setup.secret", "staff.secret", s.addPIN),
		row(s.addErrs, "app.setup.secret2", "staff.secret2", s.addPIN2),
		container.NewHBox(addBtn))

	header := container.NewGridWithColumns(4,
		boldLabel("app.setup.username"), boldLabel("app.setup.full_name"), boldLabel("app.staff.role"), boldLabel("app.staff.state"))
	left := container.NewBorder(header, nil, nil, nil, s.list)
	right := container.NewVScroll(container.NewVBox(s.detail, add))
	s.reload()
	// The detail beside the list, or below it on a narrow window.
	return newBesideOrBelow(left, right, 0.55)
}

func boldLabel(key string) *widget.Label {
	return widget.NewLabelWithStyle(i18n.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (s *staffScreen) reload() {
	list, err := s.u.Store.StaffList(s.u.Ctx)
	if err != nil {
		s.u.ShowError(err)
		return
	}
	s.staff = list
	s.list.Refresh()
	if s.selected >= len(s.staff) {
		s.selected = -1
	}
	s.showSelected()
}

func (s *staffScreen) current() (domain.Staff, bool) {
	if s.selected < 0 || s.selected >= len(s.staff) {
		return domain.Staff{}, false
	}
	return s.staff[s.selected], true
}

func (s *staffScreen) showSelected() {
	for _, l := range s.detailErrs {
		setFieldError(l, "")
	}
	st, ok := s.current()
	if !ok {
		s.detail.Hide()
		return
	}
	s.title.SetText(st.FullName + " (" + st.Username + ")")
	s.role.SetSelectedIndex(indexOfRole(st.Role))
	if st.Active {
		s.activeBtn.SetText(i18n.T("app.staff.deactivate"))
	} else {
		s.activeBtn.SetText(i18n.T("app.staff.activate"))
	}
	s.newPIN.SetText("")
	s.newPIN2.SetText("")
	s.detail.Show()
}

func indexOfRole(r domain.Role) int {
	for i, x := range roles {
		if x == r {
			return i
		}
	}
	return 0
}

func (s *staffScreen) changeRole() {
	st, ok := s.current()
	if !ok || s.role.SelectedIndex() < 0 {
		return
	}
	if err := s.u.Desk.SetStaffRole(s.u.Ctx, s.u.Actor(), st.Username, roles[s.role.SelectedIndex()]); err != nil {
		s.u.showFieldErrors(s.detailErrs, fieldErrorsOr(err, s.u))
		return
	}
	s.u.Notify(i18n.Tf("app.staff.changed", map[string]string{"Name": st.Username}))
	s.reload()
}

func (s *staffScreen) toggleActive() {
	st, ok := s.current()
	if !ok {
		return
	}
	do := func() {
		if err := s.u.Desk.SetStaffActive(s.u.Ctx, s.u.Actor(), st.Username, !st.Active); err != nil {
			s.u.showFieldErrors(s.detailErrs, fieldErrorsOr(err, s.u))
			return
		}
		s.u.Notify(i18n.Tf("app.staff.changed", map[string]string{"Name": st.Username}))
		s.reload()
	}
	if st.Active {
		s.u.Confirm(i18n.T("app.staff.deactivate"), i18n.Tf("app.staff.deactivate_confirm", map[string]string{"Name": st.FullName}), do)
		return
	}
	do()
}

func (s *staffScreen) resetPIN() {
	for _, l := range s.detailErrs {
		setFieldError(l, "")
	}
	st, ok := s.current()
	if !ok {
		return
	}
	if errs := checkNewSecret(s.newPIN.Text, s.newPIN2.Text); len(errs) > 0 {
		s.u.showFieldErrors(s.detailErrs, errs)
		return
	}
	if err := s.u.Desk.ResetStaffSecret(s.u.Ctx, s.u.Actor(), st.Username, s.newPIN.Text); err != nil {
		s.u.showFieldErrors(s.detailErrs, fieldErrorsOr(err, s.u))
		return
	}
	s.u.Notify(i18n.Tf("app.staff.pin_reset", map[string]string{"Name": st.Username}))
	s.reload()
}

// checkNewSecret checks a new PIN typed twice.
func checkNewSecret(secret, again string) []*domain.FieldError {
	if err := domain.ValidSecret(secret); err != nil {
		return []*domain.FieldError{asFieldError(err, "staff.secret")}
	}
	if secret != again {
		return []*domain.FieldError{domain.Errf("staff.secret2", "err.secret.mismatch", "the two PINs differ")}
	}
	return nil
}

func (s *staffScreen) add() {
	for _, l := range s.addErrs {
		setFieldError(l, "")
	}
	var errs []*domain.FieldError
	st := domain.Staff{Username: domain.Clean(s.addUser.Text), FullName: domain.Clean(s.addName.Text), Active: true}
	if i := s.addRole.SelectedIndex(); i >= 0 {
		st.Role = roles[i]
	}
	if st.Username == "" {
		errs = append(errs, domain.Errf("staff.username", "err.required", "required"))
	}
	if st.FullName == "" {
		errs = append(errs, domain.Errf("staff.full_name", "err.required", "required"))
	}
	errs = append(errs, checkNewSecret(s.addPIN.Text, s.addPIN2.Text)...)
	if len(errs) > 0 {
		s.u.showFieldErrors(s.addErrs, errs)
		return
	}
	if err := s.u.Desk.AddStaff(s.u.Ctx, s.u.Actor(), st, s.addPIN.Text); err != nil {
		s.u.showFieldErrors(s.addErrs, fieldErrorsOr(err, s.u))
		return
	}
	for _, e := range []*Entry{s.addUser, s.addName, s.addPIN, s.addPIN2} {
		e.SetText("")
	}
	s.u.Notify(i18n.Tf("app.staff.added", map[string]string{"Name": st.Username}))
	s.reload()
}

// fieldErrorsOr returns err's field errors; any other error is shown in a
// dialog and nil returned.
func fieldErrorsOr(err error, u *UI) []*domain.FieldError {
	fes := fieldErrors(err)
	if len(fes) == 0 {
		u.ShowError(err)
	}
	return fes
}

package app

import (
	"bytes"
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// DemoDossiers is how many dossiers "open the demo post point" seeds: enough
// for every list and report to look like a real desk after some months.
var DemoDossiers = 3000

// setupForm is the first-start form (kept for tests).
type setupForm struct {
	code, name, province, letter *Entry
	commune                      *widget.SelectEntry
	username, fullName           *Entry
	secret, secret2              *Entry
	errs                         map[string]*widget.Label
	save, demo                   *deskButton
	progress                     *widget.ProgressBarInfinite
	progressText                 *widget.Label
}

// showSetup shows the first start: the post point's profile and the first
// supervisor, or a demo post point in one click.
func (u *UI) showSetup() {
	f := &setupForm{
		code: u.NewEntry(), name: u.NewEntry(), province: u.NewEntry(), letter: u.NewEntry(),
		commune: widget.NewSelectEntry(communeNames()), username: u.NewEntry(), fullName: u.NewEntry(),
		secret: u.NewPasswordEntry(), secret2: u.NewPasswordEntry(), errs: map[string]*widget.Label{},
	}
	f.code.SetPlaceHolder(i18n.T("app.setup.code_hint"))
	f.letter.SetText("A")
	f.province.SetText("Gia Lai")
	f.commune.SetPlaceHolder(i18n.T("app.setup.commune_hint"))
	f.name.SetPlaceHolder(i18n.T("app.setup.name_hint"))
	row := func(labelKey, field string, w fyne.CanvasObject) fyne.CanvasObject {
		e := errorLabel()
		f.errs[field] = e
		return container.NewVBox(widget.NewLabel(i18n.T(labelKey)), w, e)
	}
	f.save = newButton(i18n.T("app.setup.save"), func() { u.submitSetup(f) })
	f.save.Importance = widget.HighImportance
	f.demo = newButton(i18n.T("app.setup.demo"), func() { u.openDemo(f) })
	f.progress = widget.NewProgressBarInfinite()
	f.progress.Stop()
	f.progress.Hide()
	f.progressText = widget.NewLabel("")
	f.progressText.Wrapping = fyne.TextWrapWord
	f.progressText.Hide()

	// Enter moves to the next field in Tab order, and saves from the last.
	chain := []fyne.Focusable{f.code, f.letter, f.name, f.commune, f.province, f.username, f.fullName, f.secret, f.secret2}
	for i := 0; i+1 < len(chain); i++ {
		next := chain[i+1]
		submit := func(string) { u.Win.Canvas().Focus(next) }
		switch e := chain[i].(type) {
		case *Entry:
			e.OnSubmitted = submit
		case *widget.SelectEntry:
			e.OnSubmitted = submit
		}
	}
	f.secret2.OnSubmitted = func(string) { u.submitSetup(f) }

	postPoint := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("app.setup.post_point"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2,
			row("app.setup.code", "post_point.code", f.code),
			row("app.setup.letter", "device.letter", f.letter)),
		row("app.setup.name", "post_point.name", f.name),
		container.NewGridWithColumns(2,
			row("app.setup.commune", "post_point.commune", f.commune),
			row("app.setup.province", "post_point.province", f.province)),
	)
	supervisor := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("app.setup.supervisor"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewGridWithColumns(2,
			row("app.setup.username", "staff.username", f.username),
			row("app.setup.full_name", "staff.full_name", f.fullName)),
		container.NewGridWithColumns(2,
			row("app.setup.secret", "staff.secret", f.secret),
			row("app.setup.secret2", "staff.secret2", f.secret2)),
	)
	intro := widget.NewLabel(i18n.T("app.setup.intro"))
	intro.Wrapping = fyne.TextWrapWord
	demoNote := widget.NewLabel(i18n.T("app.setup.demo_note"))
	demoNote.Wrapping = fyne.TextWrapWord
	form := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("app.setup.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true}),
		intro, postPoint, widget.NewSeparator(), supervisor,
		container.NewHBox(f.save), widget.NewSeparator(),
		demoNote, container.NewHBox(f.demo), f.progress, f.progressText,
	)
	u.Win.SetMainMenu(nil)
	u.Win.SetTitle(i18n.T("app.setup.title") + " — PostDesk")
	u.Win.SetContent(u.withWheel(container.NewVScroll(container.NewCenter(container.New(fixedWidth(680), form)))))
	u.setup = f
	u.dumpLayoutLater("setup")
	u.Win.Canvas().Focus(f.code)
}

func communeNames() []string {
	list, err := catalog.ParseCommunes(bytes.NewReader(assets.CatalogCommunes))
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, c := range list {
		out = append(out, c.Name)
	}
	return out
}

// submitSetup validates the whole form first (so nothing is half set up),
// then records the post point and the supervisor and signs them in.
func (u *UI) submitSetup(f *setupForm) {
	for _, l := range f.errs {
		setFieldError(l, "")
	}
	pp := domain.PostPoint{Code: domain.Clean(f.code.Text), Name: domain.Clean(f.name.Text),
		Commune: domain.Clean(f.commune.Text), Province: domain.Clean(f.province.Text)}
	letter := domain.Clean(f.letter.Text)
	sup := domain.Staff{Username: domain.Clean(f.username.Text), FullName: domain.Clean(f.fullName.Text),
		Role: domain.RoleSupervisor, Active: true}
	errs := validateSetup(pp, letter, sup, f.secret.Text, f.secret2.Text)
	if len(errs) > 0 {
		u.showFieldErrors(f.errs, errs)
		return
	}
	if err := u.Desk.FirstStart(u.Ctx, pp, letter, sup, f.secret.Text); err != nil {
		u.showFieldErrors(f.errs, fieldErrors(err))
		if len(fieldErrors(err)) == 0 {
			u.ShowError(err)
		}
		return
	}
	if err := u.reloadDevice(); err != nil {
		u.ShowError(err)
		return
	}
	st, err := u.Store.SignIn(u.Ctx, sup.Username, f.secret.Text)
	if err != nil {
		u.ShowError(err)
		return
	}
	u.setup = nil
	u.enterShell(st)
	u.makeRecoveryKey() // the first start makes the recovery key and prints its sheet
}

// validateSetup checks every field of the first-start form at once.
func validateSetup(pp domain.PostPoint, letter string, sup domain.Staff, secret, secret2 string) domain.Errors {
	var errs domain.Errors
	req := func(v, field string) bool {
		if v == "" {
			errs = append(errs, domain.Errf(field, "err.required", "required"))
			return false
		}
		return true
	}
	if err := domain.ValidPostPointCode(pp.Code); err != nil {
		errs = append(errs, asFieldError(err, "post_point.code"))
	}
	if err := domain.ValidDeviceLetter(letter); err != nil {
		errs = append(errs, asFieldError(err, "device.letter"))
	}
	req(pp.Name, "post_point.name")
	req(pp.Commune, "post_point.commune")
	req(pp.Province, "post_point.province")
	req(sup.Username, "staff.username")
	req(sup.FullName, "staff.full_name")
	if err := domain.ValidSecret(secret); err != nil {
		errs = append(errs, asFieldError(err, "staff.secret"))
	} else if secret != secret2 {
		errs = append(errs, domain.Errf("staff.secret2", "err.secret.mismatch", "the two PINs differ"))
	}
	return errs
}

func asFieldError(err error, field string) *domain.FieldError {
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return fe.In(field)
	}
	return domain.Errf(field, "err.invalid", "%v", err)
}

// showFieldErrors puts each error next to its field (labels keyed by the
// error's Field); errors of no known field go to a dialog.
func (u *UI) showFieldErrors(labels map[string]*widget.Label, errs []*domain.FieldError) {
	var other domain.Errors
	for _, fe := range errs {
		if l, ok := labels[fe.Field]; ok {
			msg := i18n.Current().Message(fe.In(""))
			if l.Visible() && l.Text != "" {
				msg = l.Text + "\n" + msg
			}
			setFieldError(l, msg)
		} else {
			other = append(other, fe)
		}
	}
	if len(other) > 0 {
		u.ShowError(other)
	}
}

// reloadDevice reads the device, post point and settings after setup.
func (u *UI) reloadDevice() error {
	dev, pp, err := u.Store.Device(u.Ctx)
	if err != nil {
		return err
	}
	u.Device, u.PostPoint = dev, pp
	u.Settings, err = u.Store.Settings(u.Ctx)
	return err
}

// openDemo fills the database with the demo post point, its staff, the
// sample catalog and some thousand dossiers, in the background, then shows
// the sign-in screen with the demo accounts named.
func (u *UI) openDemo(f *setupForm) {
	f.save.Disable()
	f.demo.Disable()
	f.progress.Show()
	f.progress.Start()
	f.progressText.SetText(i18n.Tf("app.setup.demo_progress", map[string]string{"N": formatCount(DemoDossiers)}))
	f.progressText.Show()
	s, ctx := u.Store, u.Ctx
	go func() {
		err := seedDemo(ctx, s, DemoDossiers)
		fyne.Do(func() {
			f.progress.Stop()
			if err != nil {
				f.progress.Hide()
				f.save.Enable()
				f.demo.Enable()
				f.progressText.SetText("")
				u.ShowError(err)
				return
			}
			if err := u.reloadDevice(); err != nil {
				u.ShowError(err)
				return
			}
			u.setup = nil
			u.showSignIn("")
			u.Notify(i18n.Tf("app.setup.demo_ready", map[string]string{"PIN": desk.DemoPIN}))
		})
	}()
}

// seedDemo is what the demo button does, without the UI.
func seedDemo(ctx context.Context, s *store.Store, n int) error {
	if err := desk.New(s).PrepareDemo(ctx); err != nil {
		return err
	}
	_, err := demo.Seed(ctx, s, demo.Options{Dossiers: n, Seed: 1, Showcase: true})
	return err
}

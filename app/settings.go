package app

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// The supervisor's settings screen (the catalog import is in catalog_import.go).

// settingsForm holds the settings screen's fields.
type settingsForm struct {
	u            *UI
	language     *widget.Select
	langCodes    []string
	idle         *Entry
	layout       *widget.RadioGroup
	lookupURL    *Entry
	hotline      *Entry
	printer      *Entry
	transitDays  *Entry
	holidays     *widget.Entry
	tariffNames  []*Entry
	tariffCosts  []*Entry
	maxFailed    *Entry
	waitingDays  *Entry
	backupFolder *Entry
	backupKeep   *Entry
	retention    *Entry // days, kept in the store (the province's update may set it too)
	hubURL       *Entry
	errs         map[string]*widget.Label
	save         *deskButton
}

func (u *UI) settingsForm() *settingsForm {
	f := u.session.settings
	if f == nil {
		f = &settingsForm{u: u}
	}
	return f
}

// layoutNames are the receipt layouts, in the order of the radio group.
var layoutCodes = []string{"a5", "80mm"}

func buildSettings(u *UI) fyne.CanvasObject {
	f := &settingsForm{u: u, errs: map[string]*widget.Label{}}
	u.session.settings = f
	st := u.Settings

	f.langCodes = i18n.Locales()
	var langNames []string
	for _, l := range f.langCodes {
		langNames = append(langNames, languageName(l))
	}
	f.language = widget.NewSelect(langNames, nil)
	f.language.PlaceHolder = i18n.T("(Select one)")
	f.language.SetSelectedIndex(max(0, indexOf(f.langCodes, st.Language)))
	num := func(n int) *Entry { e := u.NewEntry(); e.SetText(strconv.Itoa(n)); return e }
	text := func(s string) *Entry { e := u.NewEntry(); e.SetText(s); return e }
	f.idle = num(st.IdleLockMinutes)
	f.layout = widget.NewRadioGroup([]string{i18n.T("app.settings.layout.a5"), i18n.T("app.settings.layout.80mm")}, nil)
	f.layout.Required = true
	f.layout.SetSelected(f.layout.Options[max(0, indexOf(layoutCodes, st.ReceiptLayout))])
	f.lookupURL = text(st.LookupURLTemplate)
	f.hotline = text(st.Hotline)
	f.printer = text(st.Printer)
	f.printer.SetPlaceHolder(i18n.T("app.settings.printer_hint"))
	printerNote := widget.NewLabel(i18n.T("app.settings.printer_note"))
	printerNote.Wrapping = fyne.TextWrapWord
	f.transitDays = num(st.TransitDays)
	f.holidays = widget.NewMultiLineEntry()
	f.holidays.SetText(strings.Join(st.Holidays, "\n"))
	f.holidays.SetPlaceHolder(i18n.T("app.settings.holidays_hint"))
	f.holidays.SetMinRowsVisible(4)
	f.maxFailed = num(st.MaxFailedAttempts)
	f.waitingDays = num(st.WaitingDays)
	f.backupFolder = text(st.BackupFolder)
	f.backupFolder.SetPlaceHolder(u.BackupDir())
	f.backupKeep = num(st.BackupKeep)
	days, err := u.Store.RetentionDays(u.Ctx)
	if err != nil {
		u.ShowError(err)
	}
	f.retention = num(days)
	f.hubURL = text(st.HubURL)
	f.hubURL.SetPlaceHolder(i18n.T("app.settings.hub_url_hint"))

	row := func(labelKey, field string, w fyne.CanvasObject) fyne.CanvasObject {
		e := errorLabel()
		f.errs[field] = e
		return container.NewVBox(widget.NewLabel(i18n.T(labelKey)), w, e)
	}
	heading := func(key string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(i18n.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}

	tariff := container.NewVBox()
	for i, t := range st.Tariff {
		name, cost := text(t.Name), text(strconv.FormatInt(int64(t.Postage), 10))
		f.tariffNames = append(f.tariffNames, name)
		f.tariffCosts = append(f.tariffCosts, cost)
		e := errorLabel()
		f.errs[fmt.Sprintf("settings.tariff.%d", i)] = e
		tariff.Add(container.NewVBox(container.NewGridWithColumns(2, name, cost), e))
	}

	backupNow := newButton(i18n.T("app.settings.backup_now"), func() { f.backupNow() })
	recoveryKey := newButton(i18n.T("app.settings.recovery_key"), func() { u.askRecoveryKey() })
	pick := newButton(i18n.T("app.settings.pick_folder"), func() { f.pickFolder() })
	f.save = newButton(i18n.T("app.settings.save"), func() { f.submit() })
	f.save.Importance = widget.HighImportance
	// Enter in any one-line field saves, as on every PostDesk form.
	purgeNow := newButton(i18n.T("app.settings.purge_now"), func() { f.purgeNow() })
	for _, e := range []*Entry{f.idle, f.lookupURL, f.hotline, f.printer, f.transitDays, f.maxFailed, f.waitingDays, f.backupFolder, f.backupKeep, f.retention, f.hubURL} {
		e.OnSubmitted = func(string) { f.submit() }
	}
	for i := range f.tariffNames {
		f.tariffNames[i].OnSubmitted = func(string) { f.submit() }
		f.tariffCosts[i].OnSubmitted = func(string) { f.submit() }
	}
	u.Shortcut("settings", "app.settings.save", &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl}, f.submit)

	note := widget.NewLabel(i18n.T("app.settings.language_note"))
	note.Importance = widget.LowImportance
	form := container.NewVBox(
		heading("app.settings.general"),
		container.NewGridWithColumns(2,
			row("app.settings.language", "settings.language", container.NewVBox(f.language, note)),
			row("app.settings.idle", "settings.idle", f.idle)),
		heading("app.settings.receipt"),
		container.NewGridWithColumns(2,
			row("app.settings.layout", "settings.layout", f.layout),
			row("app.settings.hotline", "settings.hotline", f.hotline)),
		row("app.settings.printer", "settings.printer", container.NewVBox(f.printer, printerNote)),
		row("app.settings.lookup_url", "settings.lookup_url", f.lookupURL),
		heading("app.settings.dates"),
		container.NewGridWithColumns(2,
			row("app.settings.transit_days", "settings.transit_days", f.transitDays),
			row("app.settings.holidays", "settings.holidays", f.holidays)),
		heading("app.settings.tariff"),
		container.NewGridWithColumns(2, widget.NewLabel(i18n.T("app.settings.tariff_name")), widget.NewLabel(i18n.T("app.settings.tariff_postage"))),
		tariff,
		heading("app.settings.delivery"),
		container.NewGridWithColumns(2,
			row("app.settings.max_failed", "settings.max_failed", f.maxFailed),
			row("app.settings.waiting_days", "settings.waiting_days", f.waitingDays)),
		heading("app.settings.backup"),
		container.NewGridWithColumns(2,
			row("app.settings.backup_folder", "settings.backup_folder", container.NewBorder(nil, nil, nil, pick, f.backupFolder)),
			row("app.settings.backup_keep", "settings.backup_keep", f.backupKeep)),
		container.NewHBox(backupNow, recoveryKey),
		recoveryNote(u),
		heading("app.settings.personal_data"),
		container.NewGridWithColumns(2,
			row("app.settings.retention", "retention_days", f.retention),
			container.NewVBox(widget.NewLabel(""), purgeNow)),
		heading("app.settings.sync"),
		row("app.settings.hub_url", "settings.hub_url", f.hubURL),
		widget.NewSeparator(),
		container.NewHBox(f.save),
	)
	return f.u.withWheel(container.NewVScroll(form))
}

func (f *settingsForm) focus() {
	if f.idle != nil {
		f.u.Win.Canvas().Focus(f.idle)
	}
}

// languageName is a locale's name in the current language, or its code.
func languageName(code string) string {
	k := "app.settings.lang." + code
	if i18n.Current().Has(k) {
		return i18n.T(k)
	}
	return code
}

func indexOf(list []string, v string) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return -1
}

// settingsInput is what the form's fields hold, as typed.
type settingsInput struct {
	Language, Layout                      string
	Idle, TransitDays, MaxFailed, Waiting string
	LookupURL, Hotline, Holidays, Printer string
	TariffNames, TariffCosts              []string
	BackupFolder, BackupKeep, HubURL      string
}

func (f *settingsForm) input() settingsInput {
	in := settingsInput{
		Idle: f.idle.Text, TransitDays: f.transitDays.Text, MaxFailed: f.maxFailed.Text, Waiting: f.waitingDays.Text,
		LookupURL: f.lookupURL.Text, Hotline: f.hotline.Text, Printer: f.printer.Text, Holidays: f.holidays.Text,
		BackupFolder: f.backupFolder.Text, BackupKeep: f.backupKeep.Text, HubURL: f.hubURL.Text,
	}
	if i := f.language.SelectedIndex(); i >= 0 {
		in.Language = f.langCodes[i]
	}
	if i := indexOf(f.layout.Options, f.layout.Selected); i >= 0 {
		in.Layout = layoutCodes[i]
	}
	for i := range f.tariffNames {
		in.TariffNames = append(in.TariffNames, f.tariffNames[i].Text)
		in.TariffCosts = append(in.TariffCosts, f.tariffCosts[i].Text)
	}
	return in
}

// applySettings checks the form's input and returns base with it applied,
// or every field's error at once.
func applySettings(base domain.Settings, in settingsInput) (domain.Settings, domain.Errors) {
	st := base
	var errs domain.Errors
	intIn := func(field, s string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < lo || n > hi {
			errs = append(errs, domain.Errf(field, "err.number.range", "a whole number from %d to %d", lo, hi).
				WithArgs("Min", strconv.Itoa(lo), "Max", strconv.Itoa(hi)))
		}
		return n
	}
	if indexOf(i18n.Locales(), in.Language) < 0 {
		errs = append(errs, domain.Errf("settings.language", "err.required", "required"))
	}
	st.Language = in.Language
	if indexOf(layoutCodes, in.Layout) < 0 {
		errs = append(errs, domain.Errf("settings.layout", "err.required", "required"))
	}
	st.ReceiptLayout = in.Layout
	st.IdleLockMinutes = intIn("settings.idle", in.Idle, 1, 240)
	st.TransitDays = intIn("settings.transit_days", in.TransitDays, 0, 30)
	st.MaxFailedAttempts = intIn("settings.max_failed", in.MaxFailed, 1, 10)
	st.WaitingDays = intIn("settings.waiting_days", in.Waiting, 1, 90)
	st.BackupKeep = intIn("settings.backup_keep", in.BackupKeep, 1, 365)

	st.LookupURLTemplate = domain.Clean(in.LookupURL)
	if u, err := url.Parse(st.LookupURLTemplate); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		!strings.Contains(st.LookupURLTemplate, "{receipt}") {
		errs = append(errs, domain.Errf("settings.lookup_url", "err.settings.lookup_url", "a web address containing {receipt}"))
	}
	st.Printer = domain.Clean(in.Printer) // "" opens receipts in the PDF viewer
	st.Hotline = domain.Clean(in.Hotline)
	if st.Hotline == "" {
		errs = append(errs, domain.Errf("settings.hotline", "err.required", "required"))
	}
	st.HubURL = domain.Clean(in.HubURL)
	if st.HubURL != "" {
		if u, err := url.Parse(st.HubURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, domain.Errf("settings.hub_url", "err.settings.url", "not a web address"))
		}
	}
	st.BackupFolder = domain.Clean(in.BackupFolder)
	if st.BackupFolder != "" && !filepath.IsAbs(st.BackupFolder) {
		errs = append(errs, domain.Errf("settings.backup_folder", "err.settings.folder", "a full folder path"))
	}

	st.Holidays = nil
	seen := map[string]bool{}
	for i, line := range strings.Split(in.Holidays, "\n") {
		line = domain.Clean(line)
		if line == "" {
			continue
		}
		d, err := domain.ParseDate(line, domain.Zone)
		if err != nil {
			e := asFieldError(err, "settings.holidays")
			msg := i18n.Current().Message(e.In(""))
			errs = append(errs, domain.Errf("settings.holidays", "err.settings.holiday_line", "line %d: %v", i+1, err).
				WithArgs("Line", strconv.Itoa(i+1), "Reason", msg))
			continue
		}
		s := domain.FormatDate(d)
		if !seen[s] {
			seen[s] = true
			st.Holidays = append(st.Holidays, s)
		}
	}

	st.Tariff = append([]domain.TariffEntry(nil), base.Tariff...)
	for i := range st.Tariff {
		if i >= len(in.TariffNames) {
			break
		}
		field := fmt.Sprintf("settings.tariff.%d", i)
		name := domain.Clean(in.TariffNames[i])
		if name == "" {
			errs = append(errs, domain.Errf(field, "err.required", "required"))
		}
		m, err := parseMoney(in.TariffCosts[i])
		if err != nil {
			errs = append(errs, domain.Errf(field, "err.settings.money", "not an amount").WithArgs("Value", in.TariffCosts[i]))
		}
		st.Tariff[i].Name, st.Tariff[i].Postage = name, m
	}
	return st, errs
}

// parseMoney reads an amount in đồng: digits, with dots or spaces between
// thousands and an optional ₫ or đ ("15.000 ₫", "15000").
func parseMoney(s string) (domain.Money, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "₫"), "đ"))
	s = strings.NewReplacer(".", "", " ", "", "\u00a0", "", ",", "").Replace(s)
	if s == "" || len(s) > 12 {
		return 0, errors.New("not an amount")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errors.New("not an amount")
	}
	return domain.Money(n), nil
}

// submit validates and saves the settings, naming every wrong field.
func (f *settingsForm) submit() {
	for _, l := range f.errs {
		setFieldError(l, "")
	}
	st, errs := applySettings(f.u.Settings, f.input())
	days, derr := strconv.Atoi(strings.TrimSpace(f.retention.Text))
	if derr != nil || days < 0 || days > 36500 {
		errs = append(errs, domain.Errf("retention_days", "err.number.range", "a whole number from 0 to 36500").
			WithArgs("Min", "0", "Max", "36500"))
	}
	if len(errs) > 0 {
		f.u.showFieldErrors(f.errs, errs)
		f.u.Notify(i18n.T("app.settings.not_saved"))
		return
	}
	if err := f.u.Desk.SaveSettings(f.u.Ctx, f.u.Actor(), st); err != nil {
		f.u.ShowError(err)
		return
	}
	if was, err := f.u.Store.RetentionDays(f.u.Ctx); err != nil || was != days {
		if err := f.u.Desk.SetRetentionDays(f.u.Ctx, f.u.Actor(), days); err != nil {
			f.u.ShowError(err)
			return
		}
	}
	langChanged := st.Language != f.u.Settings.Language
	f.u.Settings = st
	f.u.RefreshStatus()
	if langChanged {
		f.u.Notify(i18n.T("app.settings.saved_restart"))
	} else {
		f.u.Notify(i18n.T("app.settings.saved"))
	}
}

// recoveryNote says whether backups are encrypted to a recovery key.
func recoveryNote(u *UI) fyne.CanvasObject {
	has, err := u.Desk.HasRecoveryKey(u.Ctx)
	l := widget.NewLabel(i18n.T("app.settings.recovery_ok"))
	if err != nil || !has {
		l.SetText(i18n.T("app.settings.recovery_missing"))
		l.Importance = widget.DangerImportance
	} else {
		l.Importance = widget.LowImportance
	}
	l.Wrapping = fyne.TextWrapWord
	return l
}

// backupNow writes a backup to the backup folder at once.
func (f *settingsForm) backupNow() {
	dir := f.u.BackupDir()
	path := filepath.Join(dir, store.BackupName(f.u.Now()))
	if err := f.u.Store.Backup(f.u.Ctx, path); err != nil {
		f.u.ShowError(err)
		return
	}
	f.u.setBackupError("")
	f.u.Notify(i18n.Tf("app.settings.backup_done", map[string]string{"Path": path}))
}

// purgeNow removes at once the personal data past the retention (what the
// app does at start and daily) and says how many dossiers it purged.
func (f *settingsForm) purgeNow() {
	rep, err := f.u.Desk.Purge(f.u.Ctx, f.u.Actor(), false)
	if err != nil {
		f.u.ShowError(err)
		return
	}
	if rep.Days == 0 {
		f.u.Notify(i18n.T("app.settings.purge_off"))
		return
	}
	f.u.Notify(i18n.Tf("app.purge.done", map[string]string{"N": strconv.Itoa(len(rep.Dossiers)), "Days": strconv.Itoa(rep.Days)}))
}

func (f *settingsForm) pickFolder() {
	d := dialog.NewFolderOpen(func(l fyne.ListableURI, err error) {
		if err != nil {
			f.u.ShowError(err)
			return
		}
		if l != nil {
			f.backupFolder.SetText(l.Path())
		}
	}, f.u.Win)
	f.u.ShowDialog(d)
}

package app

// The intake screen: the paper slip of Decision 45/2016 as a keyboard-first
// form. Tab follows the slip (service, procedure, applicant, papers, place,
// money, return, codes), Enter in any field saves, Esc clears after asking,
// Ctrl+S saves from anywhere. Each field shows its error beside it; nothing
// is saved while one remains. The form is saved as a draft (debounced) on
// every change, so a crash or a power cut loses nothing, and the draft is
// deleted once the dossier is saved and its receipt printed.

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"postdesk/assets"
	"postdesk/i18n"
	"postdesk/internal/catalog"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

const (
	intakeDraftKey  = "intake"  // the staff member's own half-filled form
	pickupKeyPrefix = "pickup/" // planned home pickups, drafts of the device
	draftDelay      = 300 * time.Millisecond
	// appointmentLayout is how a home appointment is typed.
	appointmentLayout = "02/01/2006 15:04"
)

// intakeDraft is the form as typed, as a draft stores it. Values are kept
// as typed (money and dates as text) so a half-typed field comes back as it was.
type intakeDraft struct {
	Option          string     `json:"option,omitempty"`
	Procedure       string     `json:"procedure,omitempty"`      // the chosen procedure's code
	ProcedureText   string     `json:"procedure_text,omitempty"` // typed, nothing chosen yet
	Name            string     `json:"name,omitempty"`
	IDType          string     `json:"id_type,omitempty"`
	IDNumber        string     `json:"id_number,omitempty"`
	Phone           string     `json:"phone,omitempty"`
	Commune         string     `json:"commune,omitempty"`
	Address         string     `json:"address,omitempty"`
	Rep             bool       `json:"rep,omitempty"`
	RepName         string     `json:"rep_name,omitempty"`
	RepIDType       string     `json:"rep_id_type,omitempty"`
	RepIDNumber     string     `json:"rep_id_number,omitempty"`
	Docs            []draftDoc `json:"docs,omitempty"`
	MissingNotified bool       `json:"missing_notified,omitempty"`
	Place           string     `json:"place,omitempty"`
	Appointment     string     `json:"appointment,omitempty"` // dd/mm/yyyy HH:MM
	Postage         string     `json:"postage,omitempty"`
	Fee             string     `json:"fee,omitempty"`
	FeePayment      string     `json:"fee_payment,omitempty"`
	ReturnMethod    string     `json:"return_method,omitempty"`
	ReturnAddress   string     `json:"return_address,omitempty"`
	ItemCode        string     `json:"item_code,omitempty"`
	OfficialCode    string     `json:"official_code,omitempty"`
	Notes           string     `json:"notes,omitempty"`
	Manual          []string   `json:"manual,omitempty"`     // fields the clerk set by hand (no more automatic filling)
	PickupKey       string     `json:"pickup_key,omitempty"` // the planned pickup this intake fulfils
}

type draftDoc struct {
	Name     string `json:"name"`
	Received bool   `json:"received,omitempty"`
	Original bool   `json:"original,omitempty"`
	Count    string `json:"count,omitempty"`
}

// docRow is one paper of the checklist on screen.
type docRow struct {
	item     domain.DocumentItem
	received *formCheck
	original *formCheck
	count    *formEntry
	err      *widget.Label
}

// intakeForm is the intake screen.
type intakeForm struct {
	u     *UI
	keys  *formKeys
	procs *procIndex

	option   *formSelect
	picker   *procPicker
	name     *formEntry
	nameWarn *widget.Label // a one-word name: a warning, never a refusal
	idType   *formSelect
	idNumber *formEntry
	phone    *formEntry
	commune  *formSelect
	address  *formEntry
	village  *villageHint // the known village offered as the address is typed

	repCheck    *formCheck
	repBox      *fyne.Container
	repName     *formEntry
	repIDType   *formSelect
	repIDNumber *formEntry

	docsSection *fyne.Container
	docsBox     *fyne.Container
	docs        []*docRow
	noDocs      *widget.Label
	missingBox  *fyne.Container
	missingList *widget.Label
	notified    *formCheck

	place       *formSelect
	homeBox     *fyne.Container
	appointment *formEntry

	postage    *formEntry
	fee        *formEntry
	feePayment *formSelect

	returnSection *fyne.Container
	returnMethod  *formSelect
	returnAddrBox *fyne.Container
	returnAddress *formEntry

	itemCode     *formEntry
	officialBox  *fyne.Container
	officialCode *formEntry
	notes        *formEntry

	saveBtn, clearBtn, planBtn *deskButton
	lastSaved                  *widget.Label
	lastOpen                   *deskButton
	general                    *widget.Label

	errs     map[string]*widget.Label
	focusOf  map[string]fyne.Focusable
	touched  map[string]bool
	manual   map[string]bool // postage, return address: typed by hand, not filled automatically
	showAll  bool
	filling  bool
	leaving  string // the field the cursor is leaving, while its errors are checked
	pickup   string // key of the planned pickup being taken in
	lastID   string
	lastPDF  string // the last receipt file written (tests read it)
	saver    *draftSaver
	reveal   *revealer
	pickups  *pickupPanel
	content  fyne.CanvasObject
	communes []catalog.Commune
}

func buildIntake(u *UI) fyne.CanvasObject {
	f, err := newIntakeForm(u)
	if err != nil {
		fyne.LogError("intake screen", err)
		return widget.NewLabel(i18n.Message(err))
	}
	u.session.intake = f
	installScan(u)
	return f.content
}

// stopDesk writes the intake form's pending draft now and stops its timer:
// the app is closing (UI.Close calls it).
func stopDesk(u *UI) {
	if f := intakeFormOf(u); f != nil {
		f.saver.Flush()
		f.saver.stop()
	}
	if ds := dossiersOf(u); ds != nil {
		ds.mu.Lock()
		ds.closed = true
		ds.mu.Unlock()
		ds.wait()
	}
}

// holds reports whether o is root or lies under it.
func holds(root fyne.CanvasObject, o any) bool {
	if root == nil {
		return false
	}
	if c, ok := o.(fyne.CanvasObject); ok && c == root {
		return true
	}
	for _, ch := range children(root) {
		if holds(ch, o) {
			return true
		}
	}
	return false
}

func focusIntake(u *UI) {
	if f := u.session.intake; f != nil {
		if f.pickups != nil {
			f.pickups.reload()
		}
		if c := u.Win.Canvas().Focused(); c == nil || !holds(f.content, c) {
			f.focusFirst()
		}
	}
}

// intakeFormOf returns the intake screen of a UI once built (tests use it).
func intakeFormOf(u *UI) *intakeForm {
	return u.session.intake
}

// intakeCommunes is the commune list the form offers: the province's,
// come down from the hub with its catalog, or else the one shipped.
func intakeCommunes(u *UI) ([]catalog.Commune, error) {
	list, err := u.Store.Communes(u.Ctx)
	if err != nil || len(list) > 0 {
		return list, err
	}
	return catalog.ParseCommunes(strings.NewReader(string(assets.CatalogCommunes)))
}

func newIntakeForm(u *UI) (*intakeForm, error) {
	procs, err := u.Store.Procedures(u.Ctx)
	if err != nil {
		return nil, err
	}
	agencies, err := u.Store.Agencies(u.Ctx)
	if err != nil {
		return nil, err
	}
	communes, err := intakeCommunes(u)
	if err != nil {
		return nil, err
	}
	f := &intakeForm{u: u, procs: newProcIndex(procs, agencies), errs: map[string]*widget.Label{},
		focusOf: map[string]fyne.Focusable{}, touched: map[string]bool{}, manual: map[string]bool{}, communes: communes}
	f.keys = &formKeys{onEnter: f.save, onEsc: f.askClear}
	username := u.Staff.Username
	f.saver = &draftSaver{delay: draftDelay, save: func(data []byte) error {
		return u.Store.SaveDraft(context.Background(), username, intakeDraftKey, data)
	}}
	f.build()
	f.content = f.object()
	f.reveal.hook(f.content)
	f.reset()
	if err := f.restoreDraft(); err != nil {
		fyne.LogError("intake draft", err)
	}
	u.Shortcut("intake", "intake.action.save", &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl}, f.save)
	u.Shortcut("intake", "intake.action.all_received", &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierControl}, f.markAllReceived)
	u.Shortcut("intake", "intake.action.clear", &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierControl}, f.askClear)
	return f, nil
}

// entry makes a form entry for field: typing marks it touched and saves the draft.
func (f *intakeForm) entry(field, hintKey string) *formEntry {
	e := newFormEntry(f.u)
	if hintKey != "" {
		e.SetPlaceHolder(i18n.T(hintKey))
	}
	entryKeys(e, f.u, f.keys)
	e.OnChanged = func(string) { f.changed(field) }
	e.onFocusLost = func() { // the field's errors show once the cursor leaves it
		f.leaving = field
		f.validate()
		f.leaving = ""
	}
	f.focusOf[field] = e
	return e
}

func (f *intakeForm) sel(field, keyPrefix string, values []string) *formSelect {
	s := newFormSelect(f.u, f.keys, keyPrefix, values, func(string) { f.changed(field) })
	f.focusOf[field] = s
	return s
}

func (f *intakeForm) errLabel(field string) *widget.Label {
	l := errorLabel()
	f.errs[field] = l
	return l
}

// row is a form line: the label, the widget and its error under it. The
// labels share one width, so every part of the slip lines up.
func (f *intakeForm) row(labelKey, field string, w fyne.CanvasObject) []fyne.CanvasObject {
	l := widget.NewLabel(i18n.T(labelKey))
	l.Wrapping = fyne.TextWrapWord
	return []fyne.CanvasObject{container.New(labelColumn{}, l), container.NewVBox(w, f.errLabel(field))}
}

// nameRow is the applicant's name line: its errors, then the warning of
// an unusual name (domain.NameWarning) under them.
func (f *intakeForm) nameRow() []fyne.CanvasObject {
	r := f.row("intake.name", "applicant.full_name", f.name)
	r[1].(*fyne.Container).Add(f.nameWarn)
	return r
}

// addressRow is the village line, the offered village under its errors.
func (f *intakeForm) addressRow() []fyne.CanvasObject {
	r := f.row("intake.address", "applicant.address", f.address)
	r[1].(*fyne.Container).Add(f.village.label)
	return r
}

// labelColumn gives the form's labels one width.
type labelColumn struct{}

const labelColumnWidth = 170

func (labelColumn) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		o.Resize(fyne.NewSize(labelColumnWidth, o.MinSize().Height))
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(labelColumnWidth, h)
}

func (labelColumn) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(size.Width, o.MinSize().Height))
	}
}

func section(key string) fyne.CanvasObject {
	return container.NewVBox(widget.NewSeparator(), widget.NewLabelWithStyle(i18n.T(key), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
}

func grid(rows ...[]fyne.CanvasObject) *fyne.Container {
	var objs []fyne.CanvasObject
	for _, r := range rows {
		objs = append(objs, r...)
	}
	return container.New(layout.NewFormLayout(), objs...)
}

func (f *intakeForm) build() {
	u := f.u
	f.option = f.sel("option", "intake.option.", []string{string(domain.OptionSend), string(domain.OptionSendAndReturn), string(domain.OptionReturnOnly)})
	f.option.OnChanged = func(string) { f.optionChanged() }

	f.picker = newProcPicker(u, f.procs)
	f.picker.option = func() domain.ServiceOption { return domain.ServiceOption(f.option.Value()) }
	f.picker.onChoose = func(p *domain.Procedure) { f.procedureChosen(p) }
	f.picker.refuse = func(e *domain.FieldError) {
		if e == nil {
			setFieldError(f.errs["procedure"], "")
			return
		}
		setFieldError(f.errs["procedure"], fieldMessage(e))
	}
	entryKeys(f.picker.entry, u, f.keys)
	f.picker.entry.OnChanged = chainChanged(f.picker.entry.OnChanged, func() { f.changed("procedure") })
	f.focusOf["procedure"] = f.picker.entry

	f.name = f.entry("applicant.full_name", "intake.name.hint")
	f.nameWarn = errorLabel()
	f.nameWarn.Importance = widget.WarningImportance
	f.idType = f.sel("applicant.id_type", "intake.id_type.", []string{string(domain.IDCCCD), string(domain.IDLegacy9), string(domain.IDPassport)})
	f.idNumber = f.entry("applicant.id_number", "intake.id_number.hint")
	f.phone = f.entry("applicant.phone", "intake.phone.hint")
	values, labels := make([]string, len(f.communes)), make([]string, len(f.communes))
	for i, c := range f.communes {
		values[i], labels[i] = c.Label(), c.Label()
	}
	f.commune = newFormSelectLabels(u, f.keys, values, labels, func(string) { f.changed("applicant.commune") })
	f.focusOf["applicant.commune"] = f.commune
	f.address = f.entry("applicant.address", "intake.address.hint")
	f.village = newVillageHint(f)
	f.village.load()
	addrKey := f.address.onKey
	f.address.onKey = func(ev *fyne.KeyEvent) bool {
		if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && f.village.take() {
			return true // Enter takes the offered village; the next Enter saves
		}
		return addrKey != nil && addrKey(ev)
	}
	f.address.OnChanged = chainChanged(f.address.OnChanged, func() { f.village.update(f.address.Text) })

	f.repName = f.entry("representative.full_name", "")
	f.repIDType = f.sel("representative.id_type", "intake.id_type.", []string{string(domain.IDCCCD), string(domain.IDLegacy9), string(domain.IDPassport)})
	f.repIDNumber = f.entry("representative.id_number", "")
	f.repBox = grid(
		f.row("intake.rep.name", "representative.full_name", f.repName),
		f.row("intake.id_type", "representative.id_type", f.repIDType),
		f.row("intake.id_number", "representative.id_number", f.repIDNumber),
	)
	f.repCheck = newFormCheck(u, f.keys, i18n.T("intake.rep.check"), func(on bool) {
		f.repBox.Hidden = !on
		f.repBox.Refresh()
		f.changed("representative")
	})

	f.docsBox = container.NewVBox()
	f.noDocs = widget.NewLabel(i18n.T("intake.docs.none"))
	f.noDocs.Importance = widget.LowImportance
	f.missingList = widget.NewLabel("")
	f.missingList.Wrapping = fyne.TextWrapWord
	f.missingList.Importance = widget.WarningImportance
	f.notified = newFormCheck(u, f.keys, i18n.T("intake.docs.notified"), func(bool) { f.changed("missing_notified") })
	f.focusOf["missing_notified"] = f.notified
	f.missingBox = container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("intake.docs.missing"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		f.missingList, f.notified, f.errLabel("missing_notified"))
	f.docsSection = container.NewVBox(section("intake.section.documents"), f.noDocs, f.docsBox,
		f.errLabel("documents"), f.missingBox)

	f.place = f.sel("place", "intake.place.", []string{string(domain.PlaceCounter), string(domain.PlaceHome)})
	f.place.OnChanged = func(string) { f.placeChanged() }
	f.appointment = f.entry("home_appointment", "intake.appointment.hint")
	f.homeBox = grid(f.row("intake.appointment", "home_appointment", f.appointment))

	f.postage = f.entry("postage", "")
	f.postage.OnChanged = func(string) {
		if !f.filling {
			f.manual["postage"] = true
		}
		f.changed("postage")
	}
	f.fee = f.entry("fee", "")
	f.feePayment = f.sel("fee_payment", "intake.pay.", []string{string(domain.PayNow), string(domain.PayOnDelivery)})

	f.returnMethod = f.sel("return_method", "intake.return.", []string{string(domain.ReturnByPost), string(domain.ReturnAtCounter)})
	f.returnMethod.OnChanged = func(string) { f.returnChanged() }
	f.returnAddress = f.entry("return_address", "intake.return_address.hint")
	f.returnAddress.OnChanged = func(string) {
		if !f.filling {
			f.manual["return_address"] = true
		}
		f.changed("return_address")
	}
	f.returnAddrBox = grid(f.row("intake.return_address", "return_address", f.returnAddress))
	f.returnSection = container.NewVBox(section("intake.section.return"),
		grid(f.row("intake.return_method", "return_method", f.returnMethod)), f.returnAddrBox)

	f.itemCode = f.entry("item_code", "intake.item_code.hint")
	f.officialCode = f.entry("official_code", "intake.official_code.hint")
	f.officialBox = grid(f.row("intake.official_code", "official_code", f.officialCode))
	f.notes = f.entry("notes", "")

	f.saveBtn = newDeskButton(u, i18n.T("intake.save"), f.save)
	f.saveBtn.Importance = widget.HighImportance
	f.clearBtn = newDeskButton(u, i18n.T("intake.clear"), f.askClear)
	f.planBtn = newDeskButton(u, i18n.T("intake.plan_pickup"), f.planPickup)
	f.general = errorLabel()
	f.lastSaved = widget.NewLabel("")
	f.lastSaved.Importance = widget.SuccessImportance
	f.lastSaved.Hide()
	f.lastOpen = newDeskButton(u, i18n.T("intake.open_last"), func() {
		if f.lastID != "" {
			u.OpenDossier(f.lastID)
		}
	})
	f.lastOpen.Hide()
	f.pickups = newPickupPanel(f)
}

// chainChanged runs first (the widget's own handler) and then next.
func chainChanged(first func(string), next func()) func(string) {
	return func(s string) {
		if first != nil {
			first(s)
		}
		next()
	}
}

// object lays the slip out: the form on the left (scrolling), today's
// home pickups on the right.
func (f *intakeForm) object() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(i18n.T("intake.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	form := container.NewVBox(
		container.NewBorder(nil, nil, title, container.NewHBox(f.lastSaved, f.lastOpen)),
		grid(f.row("intake.option", "option", f.option)),
		section("intake.section.procedure"),
		grid(f.row("intake.procedure", "procedure", f.picker.box)),
		section("intake.section.applicant"),
		grid(
			f.nameRow(),
			f.row("intake.id_type", "applicant.id_type", f.idType),
			f.row("intake.id_number", "applicant.id_number", f.idNumber),
			f.row("intake.phone", "applicant.phone", f.phone),
			f.row("intake.commune", "applicant.commune", f.commune),
			f.addressRow(),
		),
		f.repCheck, f.repBox,
		f.docsSection,
		section("intake.section.place"),
		grid(f.row("intake.place", "place", f.place)), f.homeBox,
		section("intake.section.money"),
		grid(
			f.row("intake.postage", "postage", f.postage),
			f.row("intake.fee", "fee", f.fee),
			f.row("intake.fee_payment", "fee_payment", f.feePayment),
		),
		f.returnSection,
		section("intake.section.other"),
		grid(f.row("intake.item_code", "item_code", f.itemCode)), f.officialBox,
		grid(f.row("intake.notes", "notes", f.notes)),
		f.general,
		container.NewHBox(f.saveBtn, f.clearBtn, f.planBtn),
		widget.NewLabelWithStyle(i18n.T("intake.keys"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
	)
	scroll := container.NewVScroll(container.NewPadded(form))
	f.reveal = &revealer{scroll: scroll}
	// The day's home pickups beside the slip, or below it on a narrow window.
	return f.u.withWheel(newBesideOrBelow(scroll, f.pickups.object(), 0.68))
}

// focusFirst puts the cursor in the first field of the slip.
func (f *intakeForm) focusFirst() { f.u.Win.Canvas().Focus(f.option) }

// reset fills the defaults of an empty slip.
func (f *intakeForm) reset() {
	defer f.fill()()
	f.option.SetValue(string(domain.OptionSendAndReturn))
	f.picker.clear()
	for _, e := range []*formEntry{f.name, f.idNumber, f.phone, f.address, f.repName, f.repIDNumber,
		f.appointment, f.postage, f.fee, f.returnAddress, f.itemCode, f.officialCode, f.notes} {
		e.SetText("")
	}
	f.idType.SetValue(string(domain.IDCCCD))
	f.repIDType.SetValue(string(domain.IDCCCD))
	f.commune.SetValue(f.defaultCommune())
	f.repCheck.SetChecked(false)
	f.repBox.Hide()
	f.setDocs(nil)
	f.notified.SetChecked(false)
	f.place.SetValue(string(domain.PlaceCounter))
	f.feePayment.SetValue(string(domain.PayNow))
	f.returnMethod.SetValue(string(domain.ReturnByPost))
	f.touched, f.manual, f.showAll, f.pickup = map[string]bool{}, map[string]bool{}, false, ""
	f.fee.SetText("0")
	f.applyVisibility()
	f.autoFill()
	f.showErrors(nil)
}

// fill marks the form as being filled by the program (not typed), so the
// change handlers do nothing; call the returned func to end it. Nested
// fills end with the outermost.
func (f *intakeForm) fill() func() {
	prev := f.filling
	f.filling = true
	return func() { f.filling = prev }
}

// defaultCommune is the post point's commune when the list has it.
func (f *intakeForm) defaultCommune() string {
	want := domain.Fold(f.u.PostPoint.Commune)
	for _, c := range f.communes {
		if domain.Fold(c.Name) == want || domain.Fold(c.Label()) == want {
			return c.Label()
		}
	}
	return ""
}

// setDocs shows the checklist of a procedure (nil: none chosen).
func (f *intakeForm) setDocs(items []domain.DocumentItem) {
	for k := range f.errs {
		if strings.HasPrefix(k, "documents.") {
			delete(f.errs, k)
			delete(f.focusOf, k)
		}
	}
	f.docs = nil
	var objs []fyne.CanvasObject
	for i, it := range items {
		i, r := i, &docRow{item: it}
		field := "documents." + strconv.Itoa(i)
		r.received = newFormCheck(f.u, f.keys, it.Name, func(bool) { f.changed(field + ".received") })
		r.received.SetChecked(it.Received)
		r.original = newFormCheck(f.u, f.keys, i18n.T("intake.docs.original"), func(bool) { f.changed(field + ".original") })
		r.original.SetChecked(it.Original)
		r.count = newFormEntry(f.u)
		entryKeys(r.count, f.u, f.keys)
		r.count.SetText(strconv.Itoa(max(it.Count, 1)))
		r.count.OnChanged = func(string) { f.changed(field + ".count") }
		r.err = errorLabel()
		f.errs[field+".count"] = r.err
		f.focusOf[field+".count"] = r.count
		f.focusOf[field+".received"] = r.received
		req := widget.NewLabel(i18n.T("intake.docs.optional"))
		req.Importance = widget.LowImportance
		if it.Required {
			req.SetText(i18n.T("intake.docs.required"))
			req.Importance = widget.WarningImportance
		}
		countBox := container.NewGridWrap(fyne.NewSize(64, r.count.MinSize().Height), r.count)
		right := container.NewHBox(req, r.original, widget.NewLabel(i18n.T("intake.docs.count")), countBox)
		objs = append(objs, container.NewVBox(container.NewBorder(nil, nil, nil, right, r.received), r.err))
		f.docs = append(f.docs, r)
	}
	f.docsBox.Objects = objs
	f.docsBox.Refresh()
	f.reveal.hook(f.docsBox)
	f.noDocs.Hidden = len(items) > 0 || f.picker.Procedure() == nil
	f.updateMissing()
}

// updateMissing lists the required papers not received.
func (f *intakeForm) updateMissing() {
	var names []string
	for _, r := range f.docs {
		if r.item.Required && !r.received.Checked {
			names = append(names, r.item.Name)
		}
	}
	if len(names) == 0 || !domain.ServiceOption(f.option.Value()).Sends() {
		f.missingBox.Hide()
		return
	}
	f.missingList.SetText(strings.Join(names, "\n"))
	f.missingBox.Show()
}

func (f *intakeForm) markAllReceived() {
	for _, r := range f.docs {
		r.received.SetChecked(true)
	}
}

func (f *intakeForm) optionChanged() {
	f.applyVisibility()
	if p := f.picker.Procedure(); p != nil {
		if e := domain.IntakeProcedureError(*p, f.option.Value2()); e != nil {
			setFieldError(f.errs["procedure"], fieldMessage(e))
		} else {
			setFieldError(f.errs["procedure"], "")
		}
	}
	f.autoFill()
	f.changed("option")
}

func (f *intakeForm) placeChanged() {
	if f.place.Value() == string(domain.PlaceHome) && strings.TrimSpace(f.appointment.Text) == "" && !f.filling {
		done := f.fill()
		f.appointment.SetText(f.u.Now().In(domain.Zone).Format(appointmentLayout))
		done()
	}
	f.applyVisibility()
	f.autoFill()
	f.changed("place")
}

func (f *intakeForm) returnChanged() {
	f.applyVisibility()
	f.changed("return_method")
}

// procedureChosen fills the checklist and the fee of the chosen procedure.
func (f *intakeForm) procedureChosen(p *domain.Procedure) {
	if p == nil {
		f.setDocs(nil)
		return
	}
	f.setDocs(domain.IntakeDocuments(*p))
	done := f.fill()
	if p.FeeKnown {
		f.fee.SetText(moneyText(p.Fee))
	}
	done()
	f.applyVisibility()
}

// Value2 is the select's value as a service option.
func (s *formSelect) Value2() domain.ServiceOption { return domain.ServiceOption(s.Value()) }

// applyVisibility shows the parts of the slip the choices call for.
func (f *intakeForm) applyVisibility() {
	opt := f.option.Value2()
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(f.docsSection, (opt.Sends() || opt == "") && f.picker.Procedure() != nil)
	show(f.returnSection, opt.Returns())
	show(f.returnAddrBox, opt.Returns() && f.returnMethod.Value() == string(domain.ReturnByPost))
	show(f.officialBox, opt == domain.OptionReturnOnly)
	show(f.homeBox, f.place.Value() == string(domain.PlaceHome))
	show(f.planBtn, f.place.Value() == string(domain.PlaceHome))
	f.noDocs.Hidden = f.picker.Procedure() == nil || len(f.docs) > 0
	f.updateMissing()
}

// autoFill sets the postage from the tariff and the return address from the
// applicant's, unless the clerk typed them.
func (f *intakeForm) autoFill() {
	defer f.fill()()
	if !f.manual["postage"] {
		f.postage.SetText(moneyText(f.tariffPostage()))
	}
	if !f.manual["return_address"] {
		f.returnAddress.SetText(joinAddress(f.address.Text, f.commune.Value()))
	}
}

// tariffPostage is the postage the settings' tariff asks for these choices.
func (f *intakeForm) tariffPostage() domain.Money {
	return desk.TariffPostage(f.u.Settings, f.option.Value2(), domain.ReturnMethod(f.returnMethod.Value()), domain.Place(f.place.Value()))
}

func moneyText(m domain.Money) string {
	if m == 0 {
		return "0"
	}
	s := domain.FormatMoney(m)
	return strings.TrimSuffix(s, " ₫")
}

func joinAddress(address, commune string) string {
	address, commune = domain.Clean(address), domain.Clean(commune)
	switch {
	case address == "":
		return commune
	case commune == "":
		return address
	}
	return address + ", " + commune
}

// changed reacts to an edit: the field counts as touched (its errors show
// from now on), dependent values follow, and the draft is saved soon.
func (f *intakeForm) changed(field string) {
	if f.filling {
		return
	}
	f.u.Touch()
	f.touched[field] = true
	switch {
	case field == "applicant.address" || field == "applicant.commune":
		f.autoFill()
	case field == "return_method" || field == "option" || field == "place":
		f.autoFill()
	case strings.HasSuffix(field, ".received"):
		f.updateMissing()
	}
	f.validate()
	f.saveDraft()
}

// validate shows the errors of the touched fields (all after a save attempt).
func (f *intakeForm) validate() domain.Errors {
	_, _, errs := f.collect()
	f.showErrors(errs)
	warn := ""
	if k := domain.NameWarning(f.name.Text); k != "" && (f.showAll || f.isTouched("applicant.full_name")) {
		warn = i18n.T(k)
	}
	setFieldError(f.nameWarn, warn)
	return errs
}

// showErrors puts each error beside its field.
func (f *intakeForm) showErrors(errs domain.Errors) {
	texts := map[string][]string{}
	var general []string
	typing := f.typingIn()
	for _, e := range errs {
		if !f.showAll && (!f.isTouched(e.Field) || e.Field == typing) {
			continue
		}
		if _, ok := f.errs[e.Field]; ok {
			texts[e.Field] = append(texts[e.Field], fieldMessage(e))
		} else {
			general = append(general, i18n.Message(e))
		}
	}
	for field, l := range f.errs {
		setFieldError(l, strings.Join(texts[field], "\n"))
	}
	setFieldError(f.general, strings.Join(general, "\n"))
}

// typingIn is the field whose entry has the cursor: its errors wait until
// the clerk leaves it (a number half typed is not yet wrong), except an S10
// code, checked as soon as its 13 characters are in — the scanner's case.
func (f *intakeForm) typingIn() string {
	foc := f.u.Win.Canvas().Focused()
	for field, w := range f.focusOf {
		if w != foc || field == f.leaving {
			continue
		}
		if e, ok := w.(*formEntry); ok {
			if field == "item_code" && len(strings.Join(strings.Fields(e.Text), "")) >= 13 {
				return ""
			}
			return field
		}
	}
	return ""
}

// isTouched: has the clerk been at this field (or its part of the slip)?
func (f *intakeForm) isTouched(field string) bool {
	if f.touched[field] {
		return true
	}
	switch {
	case field == "missing_notified" || field == "documents":
		for k := range f.touched {
			if strings.HasSuffix(k, ".received") {
				return true
			}
		}
	case strings.HasPrefix(field, "documents."):
		return f.touched[strings.TrimSuffix(field, ".count")+".count"]
	case field == "procedure":
		return f.touched["procedure"]
	case strings.HasPrefix(field, "representative."):
		return f.touched[field]
	}
	return false
}

// collect reads the slip into a dossier, tidied and checked.
func (f *intakeForm) collect() (domain.Dossier, *domain.Procedure, domain.Errors) {
	var errs domain.Errors
	proc := f.picker.Procedure()
	d := domain.Dossier{
		Option: f.option.Value2(),
		Applicant: domain.Person{FullName: f.name.Text, IDType: domain.IDType(f.idType.Value()), IDNumber: f.idNumber.Text,
			Phone: f.phone.Text, Commune: f.commune.Value(), Address: f.address.Text},
		MissingNotified: f.notified.Checked,
		Place:           domain.Place(f.place.Value()),
		FeePayment:      domain.Payment(f.feePayment.Value()),
		ReturnMethod:    domain.ReturnMethod(f.returnMethod.Value()),
		ReturnAddress:   f.returnAddress.Text,
		ItemCode:        f.itemCode.Text,
		OfficialCode:    f.officialCode.Text,
		Notes:           f.notes.Text,
	}
	if proc != nil {
		d.ProcedureCode = proc.Code
	}
	if f.repCheck.Checked {
		d.Representative = &domain.Person{FullName: f.repName.Text, IDType: domain.IDType(f.repIDType.Value()), IDNumber: f.repIDNumber.Text}
	}
	parsed := map[string]bool{}
	for i, r := range f.docs {
		it := r.item
		it.Received, it.Original = r.received.Checked, r.original.Checked
		n, err := strconv.Atoi(strings.TrimSpace(r.count.Text))
		if err != nil && it.Received {
			field := "documents." + strconv.Itoa(i) + ".count"
			errs = append(errs, domain.Errf(field, "err.intake.document_count",
				"the number of copies must be from 1 to %d", domain.MaxDocumentCount).
				WithArgs("Name", it.Name, "Max", strconv.Itoa(domain.MaxDocumentCount)))
			parsed[field] = true
			n = 1
		}
		it.Count = n
		if !it.Received {
			it.Count = 0
		}
		d.Documents = append(d.Documents, it)
	}
	money := func(field, text string) domain.Money {
		m, err := domain.ParseMoney(text)
		if err != nil {
			errs = append(errs, err.(*domain.FieldError).In(field))
			parsed[field] = true
		}
		return m
	}
	d.Postage = money("postage", f.postage.Text)
	d.Fee = money("fee", f.fee.Text)
	if d.Place == domain.PlaceHome && strings.TrimSpace(f.appointment.Text) != "" {
		t, err := parseAppointment(f.appointment.Text)
		if err != nil {
			errs = append(errs, err)
			parsed["home_appointment"] = true
		} else {
			d.HomeAppointment = &t
		}
	}
	var p domain.Procedure
	if proc != nil {
		p = *proc
	}
	tidy, verrs := domain.PrepareIntake(d, p)
	for _, e := range verrs {
		if !parsed[e.Field] {
			errs = append(errs, e)
		}
	}
	return tidy, proc, errs
}

// parseAppointment reads "dd/mm/yyyy HH:MM" (also "d/m/yyyy H:MM" or
// "HHhMM") in Vietnam time.
func parseAppointment(s string) (time.Time, *domain.FieldError) {
	bad := domain.Errf("home_appointment", "err.intake.appointment_format",
		"%q is not a date and time like 25/11/2026 14:30", s).WithArgs("Value", s)
	parts := strings.Fields(domain.Clean(s))
	if len(parts) != 2 {
		return time.Time{}, bad
	}
	day, err := domain.ParseDate(parts[0], domain.Zone)
	if err != nil {
		return time.Time{}, bad
	}
	hm := strings.FieldsFunc(strings.ToLower(parts[1]), func(r rune) bool { return r == ':' || r == 'h' || r == '.' })
	if len(hm) != 2 || len(hm[1]) != 2 {
		return time.Time{}, bad
	}
	h, err1 := strconv.Atoi(hm[0])
	m, err2 := strconv.Atoi(hm[1])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return time.Time{}, bad
	}
	return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute), nil
}

// fieldOrder is the slip's order, to put the cursor on the first error.
func (f *intakeForm) fieldOrder() []string {
	order := []string{"option", "procedure", "applicant.full_name", "applicant.id_type", "applicant.id_number",
		"applicant.phone", "applicant.commune", "applicant.address",
		"representative.full_name", "representative.id_type", "representative.id_number"}
	for i := range f.docs {
		order = append(order, "documents."+strconv.Itoa(i)+".count")
	}
	return append(order, "documents", "missing_notified", "place", "home_appointment", "postage", "fee", "fee_payment",
		"return_method", "return_address", "item_code", "official_code", "notes")
}

// save checks the slip and, when nothing is wrong, records the intake,
// prints its receipt and clears the form for the next citizen.
func (f *intakeForm) save() {
	f.showAll = true
	d, _, errs := f.collect()
	f.showErrors(errs)
	if len(errs) > 0 {
		f.focusFirstError(errs)
		f.u.Notify(i18n.Tf("intake.has_errors", map[string]string{"N": strconv.Itoa(len(errs))}))
		return
	}
	saved, err := f.u.Desk.Intake(f.u.Ctx, f.u.Actor(), d, desk.AsTyped)
	if err != nil {
		f.u.ShowError(err)
		return
	}
	f.saver.cancel(func() error {
		if err := f.u.Store.DeleteDraft(f.u.Ctx, f.u.Staff.Username, intakeDraftKey); err != nil {
			return err
		}
		if f.pickup != "" {
			return f.u.Store.DeleteDraft(f.u.Ctx, store.DeviceDrafts, f.pickup)
		}
		return nil
	})
	f.lastID = saved.ID
	f.village.learn(saved.Applicant.Address)
	msg := i18n.Tf("intake.saved", map[string]string{"ID": saved.ID})
	f.lastSaved.SetText(msg)
	f.lastSaved.Show()
	f.lastOpen.Show()
	f.u.Notify(msg)
	f.reset()
	f.pickups.reload()
	f.focusFirst()
	path, err := printReceipt(f.u, saved.ID, false)
	f.lastPDF = path
	if err != nil {
		f.u.ShowError(err)
	}
}

func (f *intakeForm) focusFirstError(errs domain.Errors) {
	bad := map[string]bool{}
	for _, e := range errs {
		bad[e.Field] = true
	}
	for _, field := range f.fieldOrder() {
		if bad[field] {
			if w, ok := f.focusOf[field]; ok {
				if o, ok := w.(fyne.CanvasObject); ok && !o.Visible() {
					continue
				}
				f.u.Win.Canvas().Focus(w)
				return
			}
		}
	}
}

// askClear clears the slip after the clerk confirms (Esc, Ctrl+N).
func (f *intakeForm) askClear() {
	if f.draft().empty() {
		f.clear() // nothing typed: nothing to lose, no question
		return
	}
	f.u.Confirm(i18n.T("intake.clear.title"), i18n.T("intake.clear.question"), f.clear)
}

// clear empties the form and drops its draft.
func (f *intakeForm) clear() {
	f.saver.cancel(func() error {
		return f.u.Store.DeleteDraft(f.u.Ctx, f.u.Staff.Username, intakeDraftKey)
	})
	f.reset()
	f.focusFirst()
}

// ---------------------------------------------------------------- drafts

// draft captures the form as typed.
func (f *intakeForm) draft() intakeDraft {
	d := intakeDraft{
		Option: f.option.Value(), Name: f.name.Text, IDType: f.idType.Value(), IDNumber: f.idNumber.Text,
		Phone: f.phone.Text, Commune: f.commune.Value(), Address: f.address.Text,
		Rep: f.repCheck.Checked, RepName: f.repName.Text, RepIDType: f.repIDType.Value(), RepIDNumber: f.repIDNumber.Text,
		MissingNotified: f.notified.Checked, Place: f.place.Value(), Appointment: f.appointment.Text,
		Postage: f.postage.Text, Fee: f.fee.Text, FeePayment: f.feePayment.Value(),
		ReturnMethod: f.returnMethod.Value(), ReturnAddress: f.returnAddress.Text,
		ItemCode: f.itemCode.Text, OfficialCode: f.officialCode.Text, Notes: f.notes.Text, PickupKey: f.pickup,
	}
	if p := f.picker.Procedure(); p != nil {
		d.Procedure = p.Code
	} else {
		d.ProcedureText = f.picker.entry.Text
	}
	for _, r := range f.docs {
		d.Docs = append(d.Docs, draftDoc{Name: r.item.Name, Received: r.received.Checked, Original: r.original.Checked, Count: r.count.Text})
	}
	for k, v := range f.manual {
		if v {
			d.Manual = append(d.Manual, k)
		}
	}
	sort.Strings(d.Manual)
	return d
}

// empty reports whether a draft holds nothing the clerk typed.
func (d intakeDraft) empty() bool {
	return d.Procedure == "" && d.ProcedureText == "" && d.Name == "" && d.IDNumber == "" && d.Phone == "" &&
		d.Address == "" && d.RepName == "" && d.ItemCode == "" && d.Notes == "" && d.PickupKey == ""
}

// load fills the form from a draft.
func (f *intakeForm) load(d intakeDraft) {
	f.reset()
	done := f.fill()
	f.option.SetValue(d.Option)
	if d.Procedure != "" {
		f.picker.set(d.Procedure)
	} else {
		f.picker.set(d.ProcedureText)
		if domain.Clean(d.ProcedureText) != "" {
			f.picker.setQuery(d.ProcedureText) // the matches, to pick from
		}
	}
	f.name.SetText(d.Name)
	f.idType.SetValue(d.IDType)
	f.idNumber.SetText(d.IDNumber)
	f.phone.SetText(d.Phone)
	f.commune.SetValue(d.Commune)
	f.address.SetText(d.Address)
	f.repCheck.SetChecked(d.Rep)
	f.repBox.Hidden = !d.Rep
	f.repName.SetText(d.RepName)
	f.repIDType.SetValue(d.RepIDType)
	f.repIDNumber.SetText(d.RepIDNumber)
	if p := f.picker.Procedure(); p != nil {
		items := domain.IntakeDocuments(*p)
		for i := range items {
			for _, dd := range d.Docs {
				if dd.Name == items[i].Name {
					items[i].Received, items[i].Original = dd.Received, dd.Original
					items[i].Count, _ = strconv.Atoi(dd.Count)
				}
			}
		}
		f.setDocs(items)
		for i, dd := range d.Docs {
			if i < len(f.docs) && f.docs[i].item.Name == dd.Name {
				f.docs[i].count.SetText(dd.Count)
			}
		}
	}
	f.notified.SetChecked(d.MissingNotified)
	f.place.SetValue(d.Place)
	f.appointment.SetText(d.Appointment)
	f.postage.SetText(d.Postage)
	f.fee.SetText(d.Fee)
	f.feePayment.SetValue(d.FeePayment)
	f.returnMethod.SetValue(d.ReturnMethod)
	f.returnAddress.SetText(d.ReturnAddress)
	f.itemCode.SetText(d.ItemCode)
	f.officialCode.SetText(d.OfficialCode)
	f.notes.SetText(d.Notes)
	f.manual = map[string]bool{}
	for _, k := range d.Manual {
		f.manual[k] = true
	}
	f.pickup = d.PickupKey
	done()
	f.applyVisibility()
	f.autoFill()
	f.validate()
}

// saveDraft stores the form soon (debounced, off the UI thread).
func (f *intakeForm) saveDraft() {
	data, err := json.Marshal(f.draft())
	if err != nil {
		fyne.LogError("intake draft", err)
		return
	}
	f.saver.schedule(data)
}

// restoreDraft fills the form from the staff member's saved draft, if any.
func (f *intakeForm) restoreDraft() error {
	row, err := f.u.Store.Draft(f.u.Ctx, f.u.Staff.Username, intakeDraftKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var d intakeDraft
	if err := json.Unmarshal(row.Data, &d); err != nil {
		return err
	}
	if d.empty() {
		return nil
	}
	f.load(d)
	// What was typed and is wrong shows at once; what is still blank does not.
	f.touched = map[string]bool{}
	for field, w := range f.focusOf {
		if e, ok := w.(*formEntry); ok && strings.TrimSpace(e.Text) != "" && field != "procedure" {
			f.touched[field] = true
		}
	}
	f.validate()
	f.u.Notify(i18n.Tf("intake.draft_restored", map[string]string{"Time": domain.FormatDateTime(row.UpdatedAt)}))
	return nil
}

// draftSaver writes the latest draft after a quiet moment, in a goroutine,
// so typing never waits for the disk. cancel makes sure no pending or
// running write lands after the draft is deleted.
type draftSaver struct {
	delay   time.Duration
	save    func(data []byte) error
	mu      sync.Mutex // guards timer, pending, gen
	timer   *time.Timer
	pending []byte
	gen     int
	stopped bool
	writeMu sync.Mutex // one write (or delete) at a time
}

// stop drops anything pending and refuses later drafts (the store is closing).
func (d *draftSaver) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopped = true
	d.pending = nil
	d.gen++
	if d.timer != nil {
		d.timer.Stop()
	}
}

func (d *draftSaver) schedule(data []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return
	}
	d.pending = data
	d.gen++
	gen := d.gen
	if d.timer != nil {
		d.timer.Stop()
	}
	d.timer = time.AfterFunc(d.delay, func() { d.flush(gen) })
}

// flush writes the pending draft if it is still the latest (gen).
func (d *draftSaver) flush(gen int) {
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	d.mu.Lock()
	if gen != d.gen || d.pending == nil {
		d.mu.Unlock()
		return
	}
	data := d.pending
	d.pending = nil
	d.mu.Unlock()
	if err := d.save(data); err != nil {
		fyne.LogError("saving the intake draft", err)
	}
}

// Flush writes the pending draft now (tests, and before the app closes).
func (d *draftSaver) Flush() {
	d.mu.Lock()
	gen := d.gen
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
	d.flush(gen)
}

// cancel drops the pending draft and runs after (e.g. deleting the stored
// draft) once no write is in flight.
func (d *draftSaver) cancel(after func() error) {
	d.mu.Lock()
	d.gen++
	d.pending = nil
	if d.timer != nil {
		d.timer.Stop()
	}
	d.mu.Unlock()
	d.writeMu.Lock()
	defer d.writeMu.Unlock()
	if after != nil {
		if err := after(); err != nil {
			fyne.LogError("intake draft", err)
		}
	}
}

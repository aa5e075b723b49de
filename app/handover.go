package app

// The handover screen (giao nhận với cơ quan): dossiers to the agency, the
// agency's outcomes entered at the post point, results back from the
// agency, and the handover records themselves. A record is drawn up as a
// draft with its PDF; nothing moves until the agency's officer signs and
// the record is confirmed (cancelling a draft changes nothing).

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/lookup"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

// handoverScreen is the screen's state.
type handoverScreen struct {
	u    *UI
	tabs *container.AppTabs
	out  *outboundTab
	in   *inboundTab
	agc  *outcomeTab
	recs *recordsTab
}

func handoverOf(u *UI) *handoverScreen {
	return u.session.handover
}

func buildHandover(u *UI) fyne.CanvasObject {
	h := &handoverScreen{u: u}
	u.session.handover = h
	h.out = newOutboundTab(h)
	h.in = newInboundTab(h)
	h.agc = newOutcomeTab(h)
	h.recs = newRecordsTab(h)
	h.tabs = container.NewAppTabs(
		container.NewTabItem(i18n.T("handover.tab.out"), h.out.object()),
		container.NewTabItem(i18n.T("handover.tab.outcomes"), h.agc.object()),
		container.NewTabItem(i18n.T("handover.tab.in"), h.in.object()),
		container.NewTabItem(i18n.T("handover.tab.records"), h.recs.object()),
	)
	h.tabs.OnSelected = func(*container.TabItem) { h.focus() }
	u.Shortcut("handover", "handover.action.draft", &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierControl}, func() {
		switch h.tabs.SelectedIndex() {
		case 0:
			h.out.draft()
		case 2:
			h.in.draft()
		}
	})
	return h.tabs
}

func focusHandover(u *UI) {
	h := handoverOf(u)
	if h == nil {
		return
	}
	h.out.reload()
	h.recs.reload()
	if code := u.session.handoverAgency; code != "" {
		u.session.handoverAgency = ""
		h.tabs.SelectIndex(0)
		h.out.selectAgency(code)
	}
	if id := u.session.handoverOutcome; id != "" {
		u.session.handoverOutcome = ""
		h.tabs.SelectIndex(1)
		h.agc.load(id)
	}
	if id := u.session.handoverRecord; id != "" {
		u.session.handoverRecord = ""
		h.tabs.SelectIndex(3)
		h.recs.open(id)
	}
	h.focus()
}

func (h *handoverScreen) focus() {
	c := h.u.Win.Canvas()
	switch h.tabs.SelectedIndex() {
	case 0:
		c.Focus(h.out.scan)
	case 1:
		c.Focus(h.agc.scan)
	case 2:
		c.Focus(h.in.scan)
	}
}

// showRecord switches to the records tab on record id.
func (h *handoverScreen) showRecord(id string) {
	h.recs.reload()
	h.tabs.SelectIndex(3)
	h.recs.open(id)
}

// ---------------------------------------------------------------- shared helpers

// rtErr turns a lifecycle MoveError into a FieldError the i18n package
// translates, naming the dossier, its state and the refused action.
func rtErr(err error) error {
	var me *domain.MoveError
	if !errors.As(err, &me) {
		return err
	}
	if me.State == "" {
		return domain.Errf("dossier", "err.dossier.unknown", "%s", me.Error()).WithArgs("Dossier", me.Dossier)
	}
	key := "err.move.illegal"
	if k, ok := moveReasons[me.Reason]; ok {
		key = k
	}
	return domain.Errf("", key, "%s", me.Error()).WithArgs("Dossier", me.Dossier,
		"State", stateLabel(me.State), "Move", moveLabel(me.Move))
}

// moveReasons maps the lifecycle's reasons to their i18n keys.
var moveReasons = map[string]string{
	"the citizen did not choose return by post":                      "err.move.no_return",
	"return-only dossiers are registered, not taken in":              "err.move.illegal",
	"only return-only dossiers are registered from an agency's list": "err.move.illegal",
	"dossier already exists":                                         "err.move.illegal",
	"no such dossier":                                                "err.dossier.unknown",
}

// errText is what to show for err.
func errText(err error) string { return i18n.Message(rtErr(err)) }

// stateLabel uses the dossiers screen's state names (state.<state>).
func stateLabel(s domain.State) string { return i18n.T("state." + string(s)) }

func moveLabel(k domain.Kind) string { return i18n.T("roundtrip.move." + string(k)) }

// findScanned finds the dossier a scanned or typed code names: a receipt QR
// (its signature must hold), a receipt number, an official dossier code or
// an S10 item code.
func findScanned(u *UI, text string) (*domain.Dossier, error) {
	text = domain.Clean(text)
	if text == "" {
		return nil, domain.Errf("code", "err.scan.empty", "scan or type a code")
	}
	res, err := lookup.Lookup(u.Ctx, u.Store, text)
	if err != nil {
		return nil, err
	}
	if res.Kind == lookup.KindQR && !res.SignatureValid {
		return nil, domain.Errf("code", "err.scan.forged", "the QR code's signature does not hold")
	}
	if res.Exact() && len(res.Dossiers) == 1 {
		return u.Store.Dossier(u.Ctx, res.Dossiers[0].ID)
	}
	return u.Store.FindByCode(u.Ctx, text)
}

// showScanned shows (with show) the dossier a scan names in the delivery
// and outcome tabs, or no dossier and the error in msg; the scan box is
// emptied for the next scan.
func showScanned(u *UI, scan *Entry, msg message, text string, show func(*domain.Dossier)) {
	d, err := findScanned(u, text)
	scan.SetText("")
	if err != nil {
		show(nil)
		msg.fail(err)
		return
	}
	msg.clear()
	show(d)
}

// showStored shows stored dossier id with show; false, with the error in
// msg, when it cannot be read.
func showStored(u *UI, msg message, id string, show func(*domain.Dossier)) bool {
	d, err := u.Store.Dossier(u.Ctx, id)
	if err != nil {
		msg.fail(err)
		return false
	}
	msg.clear()
	show(d)
	return true
}

// documentsDir is where handover records and registers are written:
// beside the database, so a backup of the folder keeps them.
func documentsDir(u *UI) string { return filepath.Join(filepath.Dir(u.Store.Path()), "documents") }

// writeDocument writes a document with write(path) into the documents
// folder and opens it in the system viewer; the path is returned.
func writeDocument(u *UI, name string, write func(path string) error) (string, error) {
	dir := documentsDir(u)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := write(path); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	_ = openInViewer(abs) // the system's PDF viewer (ShellExecute on Windows); the file is written either way
	return path, nil
}

// printHandover writes record id's PDF and opens it.
func printHandover(u *UI, id string) (string, error) {
	in, err := receipt.HandoverFor(u.Ctx, u.Store, id)
	if err != nil {
		return "", err
	}
	return writeDocument(u, id+".pdf", func(path string) error { return receipt.RenderHandoverFile(path, in) })
}

// message is a label for the outcome of the last action: red for an error.
type message struct{ *widget.Label }

func newMessage() message {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	return message{l}
}

func (m message) ok(text string) {
	m.Importance = widget.SuccessImportance
	m.SetText(text)
}

func (m message) fail(err error) {
	m.Importance = widget.DangerImportance
	m.SetText(errText(err))
}

func (m message) clear() { m.SetText("") }

// agencyLabel names an agency for lists.
func agencyLabel(a domain.Agency) string {
	if a.Name == "" {
		return a.Code
	}
	return a.Name + " (" + a.Code + ")"
}

func countText(n int) string { return i18n.Count(n) }

// ---------------------------------------------------------------- outbound

// outboundTab picks the received dossiers of one agency, by ticking them or
// scanning them one by one, and draws up the draft record.
type outboundTab struct {
	h       *handoverScreen
	agency  *widget.Select
	codes   []string // agency codes, in the select's order
	scan    *Entry
	list    *fyne.Container
	summary *widget.Label
	msg     message
	rows    []*outRow
	create  *deskButton
}

type outRow struct {
	d     *domain.Dossier
	check *widget.Check
}

func newOutboundTab(h *handoverScreen) *outboundTab {
	t := &outboundTab{h: h}
	t.agency = widget.NewSelect(nil, func(string) { t.loadAgency() })
	t.agency.PlaceHolder = i18n.T("handover.out.pick_agency")
	t.scan = h.u.NewEntry()
	t.scan.SetPlaceHolder(i18n.T("handover.scan_placeholder"))
	t.scan.OnSubmitted = func(text string) { t.scanned(text) }
	t.list = container.NewVBox()
	t.summary = widget.NewLabel("")
	t.msg = newMessage()
	t.create = newButton(i18n.T("handover.out.create"), t.draft)
	t.create.Importance = widget.HighImportance
	return t
}

func (t *outboundTab) object() fyne.CanvasObject {
	all := newButton(i18n.T("handover.select_all"), func() { t.setAll(true) })
	none := newButton(i18n.T("handover.select_none"), func() { t.setAll(false) })
	top := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("handover.out.help"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.agency")), nil, t.agency),
		container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.scan")), nil, t.scan),
		container.NewHBox(all, none, t.summary),
	)
	bottom := container.NewVBox(t.msg, container.NewHBox(t.create))
	return container.NewBorder(top, bottom, nil, nil, container.NewVScroll(t.list))
}

// reload refreshes the agencies that have dossiers waiting.
func (t *outboundTab) reload() {
	q, err := t.h.u.Store.HandoverQueue(t.h.u.Ctx)
	if err != nil {
		t.msg.fail(err)
		return
	}
	cur := t.current()
	var labels []string
	t.codes = t.codes[:0]
	for _, a := range q {
		t.codes = append(t.codes, a.Agency.Code)
		labels = append(labels, i18n.Tf("handover.out.agency_count", map[string]string{
			"Agency": agencyLabel(a.Agency), "N": countText(a.Count)}))
	}
	t.agency.Options = labels
	t.agency.Refresh()
	if cur != "" {
		t.selectAgency(cur)
	} else {
		t.loadAgency()
	}
}

// current is the selected agency's code, or "".
func (t *outboundTab) current() string {
	i := t.agency.SelectedIndex()
	if i < 0 || i >= len(t.codes) {
		return ""
	}
	return t.codes[i]
}

func (t *outboundTab) selectAgency(code string) {
	for i, c := range t.codes {
		if c == code {
			if t.agency.SelectedIndex() != i {
				t.agency.SetSelectedIndex(i) // calls loadAgency
			} else {
				t.loadAgency()
			}
			return
		}
	}
	t.agency.ClearSelected()
	t.loadAgency()
}

// loadAgency lists the agency's received dossiers, none ticked.
func (t *outboundTab) loadAgency() {
	t.rows = nil
	t.list.RemoveAll()
	code := t.current()
	if code != "" {
		ds, err := t.h.u.Store.DossiersIn(t.h.u.Ctx, code, 1000, domain.StateReceived)
		if err != nil {
			t.msg.fail(err)
			return
		}
		for _, d := range ds {
			t.addRow(d, false)
		}
	}
	if len(t.rows) == 0 {
		t.list.Add(emptyReason(t.outEmptyKey(code)))
	}
	t.list.Refresh()
	t.updateSummary()
}

// outEmptyKey says why the list of dossiers to hand over is empty.
func (t *outboundTab) outEmptyKey(code string) string {
	switch {
	case code != "":
		return "handover.out.empty_agency"
	case len(t.codes) > 0:
		return "handover.out.empty_pick"
	}
	return "handover.out.empty_none"
}

func (t *outboundTab) addRow(d *domain.Dossier, checked bool) *outRow {
	r := &outRow{d: d}
	// The tick box names the dossier; the rest of the line wraps beside it
	// (a check's own text cannot wrap, and a procedure's name is long).
	r.check = widget.NewCheck(d.ID, func(bool) { t.updateSummary() })
	r.check.Checked = checked
	rest := widget.NewLabel(d.Applicant.FullName + " · " + d.ProcedureName + " · " + domain.FormatDate(d.ReceivedAt))
	rest.Wrapping = fyne.TextWrapWord
	if len(t.rows) == 0 {
		t.list.RemoveAll() // the line saying the list is empty
	}
	t.rows = append(t.rows, r)
	t.list.Add(container.NewBorder(nil, nil, r.check, nil, rest))
	return r
}

func (t *outboundTab) setAll(on bool) {
	for _, r := range t.rows {
		r.check.SetChecked(on)
	}
	t.updateSummary()
}

// selected are the ticked dossiers, in list order.
func (t *outboundTab) selected() []*domain.Dossier {
	var out []*domain.Dossier
	for _, r := range t.rows {
		if r.check.Checked {
			out = append(out, r.d)
		}
	}
	return out
}

func (t *outboundTab) updateSummary() {
	tot := domain.TotalHandover(t.selected())
	t.summary.SetText(i18n.Tf("handover.out.summary", map[string]string{
		"N": countText(tot.Dossiers), "Papers": countText(tot.Papers), "Fees": domain.FormatMoney(tot.Fees)}))
	if tot.Dossiers == 0 {
		t.create.Disable()
	} else {
		t.create.Enable()
	}
}

// scanned ticks the dossier a scanned code names, choosing its agency when
// none is chosen yet; a dossier that cannot go is refused with the reason.
func (t *outboundTab) scanned(text string) {
	u := t.h.u
	defer func() { t.scan.SetText(""); u.Win.Canvas().Focus(t.scan) }()
	d, err := findScanned(u, text)
	if err != nil {
		t.msg.fail(err)
		return
	}
	if err := domain.CheckHandoverOutOne(t.current(), d); err != nil {
		t.msg.fail(err)
		return
	}
	if t.current() == "" {
		t.reload()
		t.selectAgency(d.AgencyCode)
	}
	for _, r := range t.rows {
		if r.d.ID == d.ID {
			if r.check.Checked {
				t.msg.fail(domain.Errf("dossier", "err.handover.duplicate", "listed twice").WithArgs("Dossier", d.ID))
				return
			}
			r.check.SetChecked(true)
			t.msg.ok(i18n.Tf("handover.scanned", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName}))
			return
		}
	}
	// Not listed (more than the list shows): add it ticked.
	t.addRow(d, true)
	t.list.Refresh()
	t.updateSummary()
	t.msg.ok(i18n.Tf("handover.scanned", map[string]string{"Dossier": d.ID, "Name": d.Applicant.FullName}))
}

// draft draws up the draft record of the ticked dossiers and shows it.
func (t *outboundTab) draft() {
	u := t.h.u
	ds := t.selected()
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	h, err := u.Desk.CreateHandover(u.Ctx, u.Actor(), domain.HandoverOut, t.current(), ids)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.msg.clear()
	t.loadAgency()
	u.Notify(i18n.Tf("handover.drafted", map[string]string{"ID": h.ID, "N": countText(len(ids))}))
	t.h.showRecord(h.ID)
}

// ---------------------------------------------------------------- records

// recordsTab lists the handover records; the chosen one shows its
// dossiers, its PDF, and (while a draft) the officer's name to confirm it
// or the button to cancel it.
type recordsTab struct {
	h       *handoverScreen
	filter  *widget.Select
	list    *fyne.Container
	detail  *fyne.Container
	msg     message
	officer *Entry
	openID  string
}

var recordFilters = []domain.HandoverStatus{domain.HandoverDraft, domain.HandoverConfirmed, domain.HandoverCancelled, ""}

func newRecordsTab(h *handoverScreen) *recordsTab {
	t := &recordsTab{h: h, list: container.NewVBox(), detail: container.NewVBox(), msg: newMessage()}
	var labels []string
	for _, f := range recordFilters {
		labels = append(labels, i18n.T("handover.filter."+filterName(f)))
	}
	t.filter = widget.NewSelect(labels, func(string) { t.reload() })
	t.filter.PlaceHolder = i18n.T("handover.filter.all")
	t.filter.SetSelectedIndex(0)
	t.officer = h.u.NewEntry()
	t.officer.SetPlaceHolder(i18n.T("handover.officer_placeholder"))
	t.officer.OnSubmitted = func(string) { t.confirm() }
	return t
}

func filterName(s domain.HandoverStatus) string {
	if s == "" {
		return "all"
	}
	return string(s)
}

func (t *recordsTab) object() fyne.CanvasObject {
	left := container.NewBorder(t.filter, nil, nil, nil, container.NewVScroll(t.list))
	right := container.NewBorder(nil, t.msg, nil, nil, container.NewVScroll(t.detail))
	// The list above the record, not beside it: a record's lines and the
	// list's titles both need the width of a 1024 px screen.
	split := container.NewVSplit(left, right)
	split.Offset = 0.35
	return split
}

func (t *recordsTab) reload() {
	if t.list == nil {
		return
	}
	st := domain.HandoverStatus("")
	if i := t.filter.SelectedIndex(); i >= 0 {
		st = recordFilters[i]
	}
	hs, err := t.h.u.Store.Handovers(t.h.u.Ctx, store.HandoverFilter{Status: st})
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.list.RemoveAll()
	if len(hs) == 0 {
		t.list.Add(emptyReason("handover.records.none"))
	}
	for _, h := range hs {
		id := h.ID
		label := i18n.Tf("handover.records.row", map[string]string{
			"ID": h.ID, "Direction": i18n.T("handover.direction." + string(h.Direction)),
			"Agency": h.AgencyCode, "Status": i18n.T("handover.status." + string(h.Status())),
			"Date": domain.FormatDate(h.CreatedAt)})
		// The line wraps; the button beside it opens the record (a button's
		// own text cannot wrap, and a record's line is long).
		line := widget.NewLabel(label)
		line.Wrapping = fyne.TextWrapWord
		t.list.Add(container.NewBorder(nil, nil, nil, newButton(i18n.T("handover.records.open"), func() { t.open(id) }), line))
	}
	t.list.Refresh()
}

// open shows record id.
func (t *recordsTab) open(id string) {
	u := t.h.u
	t.openID = id
	t.msg.clear()
	h, err := u.Store.Handover(u.Ctx, id)
	if err != nil {
		t.msg.fail(err)
		return
	}
	ds, err := u.Store.HandoverDossiers(u.Ctx, h)
	if err != nil {
		t.msg.fail(err)
		return
	}
	agency, _ := u.Store.Agency(u.Ctx, h.AgencyCode)
	tot := domain.TotalHandover(ds)
	t.detail.RemoveAll()
	title := widget.NewLabelWithStyle(i18n.T("handover.pdf.title_"+string(h.Direction))+" — "+h.ID,
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	t.detail.Add(title)
	t.detail.Add(widget.NewLabel(i18n.Tf("handover.records.head", map[string]string{
		"Agency": agencyLabel(agency), "Status": i18n.T("handover.status." + string(h.Status())),
		"N": countText(tot.Dossiers), "Papers": countText(tot.Papers), "Fees": domain.FormatMoney(tot.Fees)})))
	if h.Officer != "" {
		t.detail.Add(widget.NewLabel(i18n.Tf("handover.records.officer", map[string]string{"Name": h.Officer})))
	}
	pdf := newButton(i18n.T("handover.print"), func() {
		if path, err := printHandover(u, id); err != nil {
			t.msg.fail(err)
		} else {
			t.msg.ok(i18n.Tf("handover.printed", map[string]string{"Path": path}))
		}
	})
	actions := container.NewHBox(pdf)
	if h.Status() == domain.HandoverDraft {
		t.officer.SetText("")
		confirm := newButton(i18n.T("handover.confirm"), func() { t.askConfirm(agencyLabel(agency), len(ds)) })
		confirm.Importance = widget.HighImportance
		t.detail.Add(widget.NewLabel(i18n.T("handover.confirm_help_" + string(h.Direction))))
		t.detail.Add(container.NewBorder(nil, nil, widget.NewLabel(i18n.T("handover.officer")), nil, t.officer))
		actions.Add(confirm)
		if h.Direction != domain.HandoverReturn {
			actions.Add(newButton(i18n.T("handover.cancel"), func() {
				u.Confirm(i18n.T("handover.cancel"), i18n.Tf("handover.cancel_ask", map[string]string{"ID": id}), t.cancel)
			}))
		}
	}
	t.detail.Add(actions)
	t.detail.Add(widget.NewSeparator())
	for _, d := range ds {
		line := d.ID + " · " + d.Applicant.FullName + " · " + stateLabel(d.State)
		if d.OfficialCode != "" {
			line += " · " + d.OfficialCode
		}
		row := container.NewBorder(nil, nil, nil, nil, widget.NewLabel(line))
		if h.Direction == domain.HandoverOut && h.Status() == domain.HandoverConfirmed && d.State == domain.StateAtAgency {
			did := d.ID
			row = container.NewBorder(nil, nil, nil, newButton(i18n.T("handover.enter_slip"), func() {
				t.h.tabs.SelectIndex(1)
				t.h.agc.load(did)
			}), widget.NewLabel(line))
		}
		t.detail.Add(row)
	}
	wrapLongTexts(t.detail) // built after the screen was shown
	t.detail.Refresh()
	if h.Status() == domain.HandoverDraft {
		u.Win.Canvas().Focus(t.officer)
	}
}

// askConfirm asks before signing: the record moves every dossier on it at
// once, so the question names the agency, the count and the officer
// (Enter signs, Esc backs out and nothing is recorded). Without the
// officer's name there is nothing to ask: confirm says what is missing.
func (t *recordsTab) askConfirm(agency string, n int) {
	u := t.h.u
	if strings.TrimSpace(t.officer.Text) == "" {
		t.confirm()
		return
	}
	u.Confirm(i18n.T("handover.confirm"), i18n.Tf("handover.confirm_ask", map[string]string{
		"ID": t.openID, "Agency": agency, "N": countText(n), "Name": strings.TrimSpace(t.officer.Text)}), t.confirm)
}

func (t *recordsTab) confirm() {
	u := t.h.u
	if t.openID == "" {
		return
	}
	h, err := u.Desk.ConfirmHandover(u.Ctx, u.Actor(), t.openID, t.officer.Text)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.reload()
	t.open(h.ID)
	t.msg.ok(i18n.Tf("handover.confirmed", map[string]string{"ID": h.ID, "N": countText(len(h.Dossiers)), "Name": h.Officer}))
	u.Notify(t.msg.Text)
	t.h.out.reload()
}

func (t *recordsTab) cancel() {
	u := t.h.u
	h, err := u.Desk.CancelHandover(u.Ctx, u.Actor(), t.openID)
	if err != nil {
		t.msg.fail(err)
		return
	}
	t.reload()
	t.open(h.ID)
	t.msg.ok(i18n.Tf("handover.cancelled", map[string]string{"ID": h.ID}))
	t.h.out.reload()
	t.h.in.clearList()
}

// emptyReason is the line an empty list shows: why it is empty and, where
// there is one, the key for the next step.
func emptyReason(key string) *widget.Label {
	l := widget.NewLabel(i18n.T(key))
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.LowImportance
	return l
}

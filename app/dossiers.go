package app

// The dossiers screen: every dossier of this device in a table paged
// straight from SQLite (store.ListDossiers, 50 rows a page, fetched as the
// table scrolls, so 200,000 rows scroll as smoothly as 200), with filters —
// state, date range, procedure, agency, due soon, overdue, text — and a
// detail view (dossiers_detail.go). The scan box's results show here too.

import (
	"fyne.io/fyne/v2/layout"
	"reflect"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

const (
	dossierPageSize = 50
	dossierMaxPages = 40 // pages kept in memory; the farthest are dropped
	dueSoonDays     = 3  // "due soon": due today or within this many days
)

// deskDo runs the UI half of a background job (a dossier load, a sync
// round's report) on the Fyne thread. Tests replace it with a queue they
// drain themselves: Fyne's test driver would run it at once on the job's
// goroutine, racing the test's own calls and the other jobs.
var deskDo = fyne.Do

// dossierColumns are the table's columns: i18n key and width.
var dossierColumns = []struct {
	key   string
	width float32
}{
	{"dossiers.col.receipt", 175},
	{"dossiers.col.received", 100},
	{"dossiers.col.applicant", 180},
	{"dossiers.col.procedure", 230},
	{"dossiers.col.state", 150},
	{"dossiers.col.due", 100},
}

type dossiersScreen struct {
	u    *UI
	keys *formKeys
	// empty says why the table is empty (nothing yet, the filter, the scan).
	empty *widget.Label

	state     *formSelect
	from, to  *formEntry
	procedure *formEntry
	agency    *formSelect
	dueSoon   *formCheck
	overdue   *formCheck
	text      *formEntry
	filterErr *widget.Label
	count     *widget.Label
	banner    *fyne.Container
	bannerQ   *widget.Label
	table     *dossierTable
	list      fyne.CanvasObject
	stack     *fyne.Container
	detail    *dossierDetail

	procNames   map[string]string
	agencyNames map[string]string

	mu      sync.Mutex // guards the fields below, written by loaders
	filter  store.Filter
	gen     int // bumps with every new filter; stale loads are dropped
	total   int
	pages   map[int][]store.DossierRow
	loading map[int]bool
	fixed   []store.DossierRow // scan results instead of the filter, when not nil
	results bool
	wg      sync.WaitGroup // loads in flight (tests wait for them)
	lastPDF string         // the last receipt reprinted (tests read it)
	closed  bool           // the app is closing: no more loads
}

func buildDossiers(u *UI) fyne.CanvasObject {
	ds := newDossiersScreen(u)
	u.session.dossiers = ds
	installScan(u)
	ds.apply()
	return ds.stack
}

func focusDossiers(u *UI) {
	ds := dossiersOf(u)
	if ds == nil {
		return
	}
	if ds.detail != nil && ds.detail.visible() {
		if !holds(ds.stack, u.Win.Canvas().Focused()) {
			ds.detail.focus()
		}
		return
	}
	if !ds.results {
		ds.reload()
	}
	if !holds(ds.stack, u.Win.Canvas().Focused()) {
		u.Win.Canvas().Focus(ds.text)
	}
}

// dossiersOf returns the dossiers screen once built.
func dossiersOf(u *UI) *dossiersScreen {
	return u.session.dossiers
}

func newDossiersScreen(u *UI) *dossiersScreen {
	ds := &dossiersScreen{u: u, pages: map[int][]store.DossierRow{}, loading: map[int]bool{},
		procNames: map[string]string{}, agencyNames: map[string]string{}}
	ds.keys = &formKeys{onEnter: ds.apply}
	if procs, err := u.Store.Procedures(u.Ctx); err == nil {
		for _, p := range procs {
			ds.procNames[p.Code] = p.Name
		}
	}
	var agencyCodes, agencyLabels []string
	agencyCodes, agencyLabels = append(agencyCodes, ""), append(agencyLabels, i18n.T("dossiers.filter.all_agencies"))
	if agencies, err := u.Store.Agencies(u.Ctx); err == nil {
		for _, a := range agencies {
			ds.agencyNames[a.Code] = a.Name
			agencyCodes, agencyLabels = append(agencyCodes, a.Code), append(agencyLabels, a.Name)
		}
	}
	states := []string{""}
	stateLabels := []string{i18n.T("dossiers.filter.all_states")}
	for _, s := range domain.States {
		states, stateLabels = append(states, string(s)), append(stateLabels, dossierStateLabel(s))
	}
	ds.state = newFormSelectLabels(u, ds.keys, states, stateLabels, func(string) { ds.apply() })
	ds.state.SetSelectedIndex(0)
	ds.agency = newFormSelectLabels(u, ds.keys, agencyCodes, agencyLabels, func(string) { ds.apply() })
	ds.agency.SetSelectedIndex(0)
	mkEntry := func(hint string) *formEntry {
		e := newFormEntry(u)
		e.SetPlaceHolder(i18n.T(hint))
		entryKeys(e, u, ds.keys)
		return e
	}
	ds.from = mkEntry("dossiers.filter.from")
	ds.to = mkEntry("dossiers.filter.to")
	ds.procedure = mkEntry("dossiers.filter.procedure")
	ds.text = mkEntry("dossiers.filter.text")
	ds.dueSoon = newFormCheck(u, ds.keys, i18n.T("dossiers.filter.due_soon"), func(bool) { ds.apply() })
	ds.overdue = newFormCheck(u, ds.keys, i18n.T("dossiers.filter.overdue"), func(bool) { ds.apply() })
	ds.filterErr = errorLabel()
	ds.count = widget.NewLabel("")
	ds.bannerQ = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	clearResults := newDeskButton(u, i18n.T("dossiers.results.clear"), func() { ds.clearResults() })
	ds.banner = container.NewHBox(widget.NewLabel(i18n.T("dossiers.results.for")), ds.bannerQ, clearResults)
	ds.banner.Hide()
	apply := newDeskButton(u, i18n.T("dossiers.filter.apply"), ds.apply)
	apply.Importance = widget.HighImportance
	reset := newDeskButton(u, i18n.T("dossiers.filter.reset"), ds.resetFilters)

	ds.table = newDossierTable(ds)
	fixedW := func(w float32, o fyne.CanvasObject) fyne.CanvasObject {
		return container.NewGridWrap(fyne.NewSize(w, o.MinSize().Height), o)
	}
	filters := container.NewVBox(
		// Two short rows rather than one, so the filters fit a 1024 px screen.
		container.NewHBox(fixedW(200, ds.state), fixedW(130, ds.from), fixedW(130, ds.to)),
		container.NewHBox(fixedW(140, ds.procedure), fixedW(260, ds.agency)),
		container.NewBorder(nil, nil, container.NewHBox(ds.dueSoon, ds.overdue), container.NewHBox(apply, reset), ds.text),
		ds.filterErr,
	)
	title := widget.NewLabelWithStyle(i18n.T("dossiers.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewVBox(container.NewBorder(nil, nil, title, ds.count), filters, ds.banner)
	var widths []float32
	for _, c := range dossierColumns {
		widths = append(widths, c.width)
	}
	ds.empty = widget.NewLabel("")
	ds.empty.Wrapping = fyne.TextWrapWord
	ds.empty.Alignment = fyne.TextAlignCenter
	ds.empty.Hide()
	ds.list = container.NewBorder(top, nil, nil, nil, container.NewStack(newFitColumns(&ds.table.Table, widths, columnHeaders(dossierColumnKeys()), true),
		container.NewVBox(layout.NewSpacer(), ds.empty, layout.NewSpacer())))
	ds.stack = container.NewStack(ds.list)

	u.Shortcut("dossiers", "dossiers.action.reprint", &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierControl}, func() {
		if ds.detail != nil && ds.detail.visible() {
			ds.detail.reprint()
		}
	})
	u.Shortcut("dossiers", "dossiers.action.cancel", &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl}, func() {
		if ds.detail != nil && ds.detail.visible() {
			ds.detail.askCancel()
		}
	})
	u.Shortcut("dossiers", "dossiers.action.back", &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}, ds.back)
	u.Shortcut("dossiers", "dossiers.action.reset", &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl}, ds.resetFilters)
	return ds
}

// readFilter turns the filter bar into a store.Filter, or errors beside it.
func (ds *dossiersScreen) readFilter() (store.Filter, []string) {
	var f store.Filter
	var errs []string
	if s := ds.state.Value(); s != "" {
		f.States = []domain.State{domain.State(s)}
	}
	date := func(e *formEntry, labelKey string) time.Time {
		if strings.TrimSpace(e.Text) == "" {
			return time.Time{}
		}
		t, err := domain.ParseDate(e.Text, domain.Zone)
		if err != nil {
			errs = append(errs, i18n.T(labelKey)+": "+i18n.Message(err.(*domain.FieldError).In("")))
		}
		return t
	}
	f.From = date(ds.from, "dossiers.filter.from")
	if to := date(ds.to, "dossiers.filter.to"); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // the whole last day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs = append(errs, i18n.T("dossiers.err.range"))
	}
	f.ProcedureCode = domain.Clean(ds.procedure.Text)
	f.AgencyCode = ds.agency.Value()
	if ds.dueSoon.Checked {
		f.DueSoonDays = dueSoonDays
	}
	f.Overdue = ds.overdue.Checked
	f.Text = domain.Clean(ds.text.Text)
	f.Now = ds.u.Now()
	return f, errs
}

// apply reads the filter bar and reloads the table.
func (ds *dossiersScreen) apply() {
	if ds.stack == nil {
		return // still being built: buildDossiers applies once at the end
	}
	f, errs := ds.readFilter()
	setFieldError(ds.filterErr, strings.Join(errs, "\n"))
	if len(errs) > 0 {
		return
	}
	ds.mu.Lock()
	ds.fixed, ds.results = nil, false
	ds.mu.Unlock()
	ds.banner.Hide()
	ds.setFilter(f)
	ds.back()
}

func (ds *dossiersScreen) resetFilters() {
	ds.state.SetSelectedIndex(0)
	ds.agency.SetSelectedIndex(0)
	for _, e := range []*formEntry{ds.from, ds.to, ds.procedure, ds.text} {
		e.SetText("")
	}
	ds.dueSoon.SetChecked(false)
	ds.overdue.SetChecked(false)
	ds.apply()
}

// reload keeps the filter and reads the rows again (new dossiers, new states).
func (ds *dossiersScreen) reload() {
	ds.mu.Lock()
	f := ds.filter
	ds.mu.Unlock()
	f.Now = ds.u.Now()
	ds.setFilter(f)
}

// setFilter starts a new generation: counts, then pages on demand.
func (ds *dossiersScreen) setFilter(f store.Filter) {
	ds.mu.Lock()
	ds.filter = f
	ds.gen++
	gen := ds.gen
	ds.pages = map[int][]store.DossierRow{}
	ds.loading = map[int]bool{}
	ds.total = 0
	ds.mu.Unlock()
	ds.count.SetText(i18n.T("dossiers.counting"))
	ds.table.Refresh()
	ds.table.ScrollToTop()
	ds.wg.Add(1)
	go func() {
		defer ds.wg.Done()
		n, err := ds.u.Store.CountDossiers(ds.u.Ctx, f)
		deskDo(func() {
			ds.mu.Lock()
			stale := gen != ds.gen
			if !stale && err == nil {
				ds.total = n
			}
			ds.mu.Unlock()
			if stale {
				return
			}
			if err != nil {
				ds.u.ShowError(err)
				return
			}
			ds.count.SetText(i18n.Tf("dossiers.count", map[string]string{"N": formatThousands(n)}))
			ds.sayWhyEmpty(n, f, "")
			ds.table.Refresh()
		})
	}()
}

// showResults lists a scan's dossiers instead of the filter's.
func (ds *dossiersScreen) showResults(query string, rows []store.DossierRow) {
	ds.mu.Lock()
	ds.fixed, ds.results = rows, true
	ds.gen++
	ds.total = len(rows)
	ds.mu.Unlock()
	ds.bannerQ.SetText(query)
	ds.banner.Show()
	ds.count.SetText(i18n.Tf("dossiers.count", map[string]string{"N": formatThousands(len(rows))}))
	ds.sayWhyEmpty(len(rows), store.Filter{}, query)
	ds.back()
	ds.table.Refresh()
	ds.table.ScrollToTop()
	ds.u.Win.Canvas().Focus(ds.table)
}

func (ds *dossiersScreen) clearResults() {
	ds.banner.Hide()
	ds.apply()
}

// sayWhyEmpty shows, over an empty table, why it is empty: a scan that
// found nothing, a filter nothing matches (and how to see everything), or
// a post point with no dossier yet (and where to take one in).
func (ds *dossiersScreen) sayWhyEmpty(n int, f store.Filter, query string) {
	if n > 0 {
		ds.empty.Hide()
		return
	}
	f.Now = time.Time{}
	switch {
	case query != "":
		ds.empty.SetText(i18n.Tf("dossiers.empty.scan", map[string]string{"Query": query}))
	case !reflect.DeepEqual(f, store.Filter{}):
		ds.empty.SetText(i18n.T("dossiers.empty.filter"))
	default:
		ds.empty.SetText(i18n.T("dossiers.empty.none"))
	}
	ds.empty.Show()
}

// EmptyText is what the empty table says, "" when it has rows (tests).
func (ds *dossiersScreen) EmptyText() string {
	if !ds.empty.Visible() {
		return ""
	}
	return ds.empty.Text
}

// rowCount is the table's length now.
func (ds *dossiersScreen) rowCount() int {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.total
}

// row returns row i, or false while its page is loading (the load starts here).
func (ds *dossiersScreen) row(i int) (store.DossierRow, bool) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.results {
		if i < len(ds.fixed) {
			return ds.fixed[i], true
		}
		return store.DossierRow{}, false
	}
	page := i / dossierPageSize
	if rows, ok := ds.pages[page]; ok {
		if k := i % dossierPageSize; k < len(rows) {
			return rows[k], true
		}
		return store.DossierRow{}, false
	}
	if !ds.loading[page] && !ds.closed {
		ds.loading[page] = true
		ds.loadPage(page, ds.filter, ds.gen)
	}
	return store.DossierRow{}, false
}

// loadPage reads one page in the background (ds.mu is held by the caller).
func (ds *dossiersScreen) loadPage(page int, f store.Filter, gen int) {
	ds.wg.Add(1)
	go func() {
		defer ds.wg.Done()
		rows, err := ds.u.Store.ListDossiers(ds.u.Ctx, f, page, dossierPageSize)
		deskDo(func() {
			ds.mu.Lock()
			if gen != ds.gen {
				ds.mu.Unlock()
				return
			}
			delete(ds.loading, page)
			if err == nil {
				ds.pages[page] = rows
				ds.evict(page)
			}
			ds.mu.Unlock()
			if err != nil {
				fyne.LogError("dossier page", err)
				return
			}
			ds.table.Refresh()
		})
	}()
}

// evict drops the pages farthest from the one just read.
func (ds *dossiersScreen) evict(near int) {
	for len(ds.pages) > dossierMaxPages {
		far, dist := -1, -1
		for p := range ds.pages {
			d := p - near
			if d < 0 {
				d = -d
			}
			if d > dist {
				far, dist = p, d
			}
		}
		delete(ds.pages, far)
	}
}

// wait blocks until no page or count is loading (tests).
func (ds *dossiersScreen) wait() { ds.wg.Wait() }

// back leaves the detail for the table.
func (ds *dossiersScreen) back() {
	if ds.stack.Objects[0] != ds.list {
		ds.stack.Objects = []fyne.CanvasObject{ds.list}
		ds.stack.Refresh()
		ds.u.Win.Canvas().Focus(ds.table)
	}
}

// openDetail shows one dossier; warn is shown in red above it.
func (ds *dossiersScreen) openDetail(id, warn string) {
	det, err := newDossierDetail(ds, id, warn)
	if err != nil {
		ds.u.ShowError(err)
		return
	}
	ds.detail = det
	wrapLongTexts(det.object()) // built after the screen was shown
	ds.stack.Objects = []fyne.CanvasObject{det.object()}
	ds.stack.Refresh()
	det.focus()
}

// cell texts of a row.
func (ds *dossiersScreen) cellText(r store.DossierRow, col int) string {
	switch col {
	case 0:
		return r.ID
	case 1:
		return domain.FormatDate(r.ReceivedAt)
	case 2:
		return r.ApplicantName
	case 3:
		if n := ds.procNames[r.ProcedureCode]; n != "" {
			return r.ProcedureCode + " — " + n
		}
		return r.ProcedureCode
	case 4:
		return dossierStateLabel(r.State)
	case 5:
		if r.DueDate.IsZero() {
			return ""
		}
		return domain.FormatDate(r.DueDate)
	}
	return ""
}

// late reports whether a row waits for the agency past its due date.
func (ds *dossiersScreen) late(r store.DossierRow) bool {
	if r.DueDate.IsZero() || !contains(store.WaitingStates, r.State) {
		return false
	}
	y, m, d := ds.u.Now().In(domain.Zone).Date()
	return r.DueDate.Before(time.Date(y, m, d, 0, 0, 0, 0, domain.Zone))
}

// dossierTable is the table; Enter opens the highlighted row (as Space does).
type dossierTable struct {
	widget.Table
	ds *dossiersScreen
}

func newDossierTable(ds *dossiersScreen) *dossierTable {
	t := &dossierTable{ds: ds}
	t.Length = func() (int, int) { return ds.rowCount(), len(dossierColumns) }
	t.CreateCell = func() fyne.CanvasObject { return newCutLabel(ds.u, "") }
	t.UpdateCell = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*cutLabel)
		r, ok := ds.row(id.Row)
		if !ok {
			l.Importance = widget.LowImportance
			l.SetText("…")
			return
		}
		l.Importance = widget.MediumImportance
		if id.Col == 5 && ds.late(r) {
			l.Importance = widget.DangerImportance
		}
		l.SetText(ds.cellText(r, id.Col))
	}
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(dossierColumns) {
			o.(*widget.Label).SetText(i18n.T(dossierColumns[id.Col].key))
		}
	}
	t.OnSelected = func(id widget.TableCellID) {
		r, ok := ds.row(id.Row)
		t.UnselectAll()
		if ok {
			ds.openDetail(r.ID, "")
		}
	}
	t.ExtendBaseWidget(t)
	for i, c := range dossierColumns {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

func (t *dossierTable) TypedKey(ev *fyne.KeyEvent) {
	if t.ds.u.HandleKey(ev) {
		return
	}
	if ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter {
		ev = &fyne.KeyEvent{Name: fyne.KeySpace}
	}
	t.Table.TypedKey(ev)
}

// stateLabel and eventLabel translate a state and an event kind.
func dossierStateLabel(s domain.State) string { return i18n.T("state." + string(s)) }
func dossierEventLabel(k domain.Kind) string  { return i18n.T("event." + string(k)) }

// formatThousands writes 200000 as 200.000.
func formatThousands(n int) string { return i18n.Count(n) }

func dossierColumnKeys() []string {
	var keys []string
	for _, c := range dossierColumns {
		keys = append(keys, c.key)
	}
	return keys
}

// columnHeaders is the headers of these keys in the current language.
func columnHeaders(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = i18n.T(k)
	}
	return out
}

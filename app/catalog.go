package app

// The catalog screen (F10), for every role: the procedures of the catalog
// to read — search by code or by name without diacritics (as the intake's
// picker and the dossier search), each procedure's BCCI flags, fee,
// postage, processing days, agency and paper checklist — and the history
// of catalog imports (version, when, by whom, source file, counts). For a
// supervisor a third tab imports a new catalog (catalog_import.go).
//
// Keys: F10 opens it with the cursor in the search; typing searches, ↑↓
// move through the list, Enter shows the procedure, Esc backs out (detail
// → list → empty search). Ctrl+H shows the import history, Ctrl+O (a
// supervisor) imports a file.

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// catalogScreen is the catalog screen of one session.
type catalogScreen struct {
	u       *UI
	summary *widget.Label
	tabs    *container.AppTabs

	index   *procIndex
	search  *formEntry
	count   *widget.Label // how many match, or why none is listed
	list    *widget.List
	preview *widget.Label // the selected procedure's whole name, under the list
	matches []int         // indexes into index.procs, in the list's order
	sel     int
	body    *fyne.Container // the list view or the detail view
	listBox fyne.CanvasObject
	detail  *fyne.Container
	detailV fyne.CanvasObject
	back    *deskButton
	shown   *domain.Procedure // the procedure in the detail view, nil in the list

	history  *fyne.Container
	versions []store.CatalogVersionInfo

	imp *catalogImport // the supervisor's import tab, nil for other roles
}

// catalogScreen is the session's catalog screen (built on first show).
func (u *UI) catalogScreen() *catalogScreen {
	if c := u.session.catalog; c != nil {
		return c
	}
	u.Show("catalog")
	return u.session.catalog
}

func buildCatalog(u *UI) fyne.CanvasObject {
	c := &catalogScreen{u: u, summary: widget.NewLabel(""), count: widget.NewLabel(""), preview: widget.NewLabel("")}
	u.session.catalog = c
	c.summary.Wrapping = fyne.TextWrapWord
	c.preview.Wrapping = fyne.TextWrapWord
	c.preview.TextStyle.Bold = true
	c.count.Wrapping = fyne.TextWrapWord

	c.search = newFormEntry(u)
	c.search.SetPlaceHolder(i18n.T("catalog.search.hint"))
	c.search.OnChanged = func(string) { c.filter() }
	c.search.onKey = func(ev *fyne.KeyEvent) bool {
		switch ev.Name {
		case fyne.KeyDown:
			c.move(1)
			return true
		case fyne.KeyUp:
			c.move(-1)
			return true
		case fyne.KeyPageDown:
			c.move(pickerRows)
			return true
		case fyne.KeyPageUp:
			c.move(-pickerRows)
			return true
		case fyne.KeyReturn, fyne.KeyEnter:
			c.open()
			return true
		}
		return false
	}
	c.list = widget.NewList(func() int { return len(c.matches) },
		func() fyne.CanvasObject {
			title := newCutLabel(u, "")
			flags := widget.NewLabel("")
			return container.NewBorder(nil, nil, nil, flags, title)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			p := &c.index.procs[c.matches[i]]
			row := o.(*fyne.Container)
			row.Objects[0].(*cutLabel).SetText(p.Code + " — " + p.Name)
			flags := row.Objects[1].(*widget.Label)
			flags.SetText(bcciShort(p))
			if p.BCCIIntake {
				flags.Importance = widget.SuccessImportance
			} else {
				flags.Importance = widget.DangerImportance
			}
			flags.Refresh()
		})
	c.list.OnSelected = func(i widget.ListItemID) {
		if i != c.sel {
			c.sel = i
			c.showPreview()
		}
	}
	c.listBox = container.NewBorder(container.NewVBox(c.search, c.count), c.preview, nil, nil, c.list)

	c.back = newDeskButton(u, i18n.T("catalog.back"), c.closeDetail)
	c.detail = container.NewVBox()
	c.detailV = container.NewBorder(container.NewHBox(c.back), nil, nil, nil, u.withWheel(container.NewVScroll(c.detail)))
	c.body = container.NewStack(c.listBox)

	c.history = container.NewVBox()
	items := []*container.TabItem{
		container.NewTabItem(i18n.T("catalog.tab.procedures"), c.body),
		container.NewTabItem(i18n.T("catalog.tab.history"), u.withWheel(container.NewVScroll(c.history))),
	}
	if u.IsSupervisor() {
		c.imp = newCatalogImport(c)
		items = append(items, container.NewTabItem(i18n.T("catalog.tab.import"), c.imp.object()))
		u.Shortcut("catalog", "app.catalog.import", &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierControl}, func() {
			c.tabs.SelectIndex(2)
			c.imp.pickFile()
		})
	}
	c.tabs = container.NewAppTabs(items...)
	c.tabs.OnSelected = func(*container.TabItem) { c.focus() }
	u.Shortcut("catalog", "catalog.action.history", &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl}, func() {
		if c.tabs.SelectedIndex() == 1 {
			c.tabs.SelectIndex(0)
		} else {
			c.tabs.SelectIndex(1)
		}
	})
	title := widget.NewLabelWithStyle(i18n.T("app.nav.catalog"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	c.refresh()
	return container.NewBorder(container.NewVBox(title, c.summary), nil, nil, nil, c.tabs)
}

// bcciShort is a procedure's BCCI flags in a list row (a procedure open
// to BCCI intake returns its result by post too, as on the intake card).
func bcciShort(p *domain.Procedure) string {
	switch {
	case p.BCCIIntake:
		return i18n.T("catalog.flags.both")
	case p.BCCIReturn:
		return i18n.T("catalog.flags.return_only")
	}
	return i18n.T("catalog.flags.none")
}

// refresh rereads the catalog, its version and its import history.
func (c *catalogScreen) refresh() {
	u := c.u
	procs, err := u.Store.Procedures(u.Ctx)
	if err == nil {
		var agencies []domain.Agency
		if agencies, err = u.Store.Agencies(u.Ctx); err == nil {
			c.index = newProcIndex(procs, agencies)
		}
	}
	if err == nil {
		c.versions, err = u.Store.CatalogVersions(u.Ctx)
	}
	if err != nil {
		c.summary.SetText(i18n.Message(err))
		return
	}
	v := 0
	if len(c.versions) > 0 {
		v = c.versions[0].Version
	}
	// which province catalog came down from the hub (internal/devicesync)
	info, err := u.Store.Catalog(u.Ctx)
	if err != nil {
		c.summary.SetText(i18n.Message(err))
		return
	}
	args := map[string]string{"Version": strconv.Itoa(v), "Procedures": formatCount(len(procs)), "Agencies": formatCount(len(c.index.agency))}
	key := "app.catalog.summary_no_hub"
	if info.HubVersion > 0 {
		key = "app.catalog.summary_hub"
		args["HubVersion"], args["Date"] = strconv.Itoa(info.HubVersion), domain.FormatDate(info.HubAt.In(domain.Zone))
	}
	c.summary.SetText(i18n.Tf(key, args))
	c.showHistory()
	c.filter()
	if c.shown != nil {
		if i := c.index.byCode(c.shown.Code); i >= 0 {
			c.showDetail(&c.index.procs[i])
		} else {
			c.closeDetail()
		}
	}
}

// focus puts the cursor where the shown tab starts.
func (c *catalogScreen) focus() {
	cv := c.u.Win.Canvas()
	switch {
	case c.tabs.SelectedIndex() != 0:
		cv.Unfocus()
	case c.shown != nil:
		cv.Focus(c.back)
	default:
		cv.Focus(c.search)
	}
}

// filter lists the procedures matching the search (all of them, in code
// order, when it is empty).
func (c *catalogScreen) filter() {
	if c.index == nil {
		return
	}
	q := domain.Clean(c.search.Text)
	if q == "" {
		c.matches = make([]int, len(c.index.procs))
		for i := range c.matches {
			c.matches[i] = i
		}
	} else {
		c.matches, _ = c.index.Match(q, 0)
	}
	c.sel = 0
	c.list.UnselectAll()
	c.list.Refresh()
	if len(c.matches) > 0 {
		c.list.Select(0)
		c.list.ScrollToTop()
	}
	switch {
	case len(c.index.procs) == 0 && c.u.IsSupervisor():
		c.count.SetText(i18n.T("catalog.empty.supervisor"))
	case len(c.index.procs) == 0:
		c.count.SetText(i18n.T("catalog.empty.clerk"))
	case len(c.matches) == 0:
		c.count.SetText(i18n.Tf("catalog.none", map[string]string{"Query": q}))
	case q == "":
		c.count.SetText(i18n.Tf("catalog.count_all", map[string]string{"N": formatCount(len(c.matches))}))
	default:
		c.count.SetText(i18n.Tf("catalog.count", map[string]string{"N": formatCount(len(c.matches))}))
	}
	c.showPreview()
}

// move moves the selection by d rows, staying in the list.
func (c *catalogScreen) move(d int) {
	if len(c.matches) == 0 {
		return
	}
	c.sel = min(max(c.sel+d, 0), len(c.matches)-1)
	c.list.Select(c.sel)
	c.list.ScrollTo(c.sel)
	c.showPreview()
}

// showPreview writes the selected procedure's whole name under the list:
// a long name is cut in its row.
func (c *catalogScreen) showPreview() {
	if len(c.matches) == 0 {
		c.preview.SetText("")
		c.preview.Hide()
		return
	}
	p := c.index.procs[c.matches[c.sel]]
	c.preview.SetText(p.Code + " — " + p.Name + "  ·  " + i18n.T("catalog.enter_detail"))
	c.preview.Show()
}

// open shows the selected procedure's detail (Enter).
func (c *catalogScreen) open() {
	if len(c.matches) == 0 {
		return
	}
	c.showDetail(&c.index.procs[c.matches[c.sel]])
}

// showDetail shows everything the catalog says about p.
func (c *catalogScreen) showDetail(p *domain.Procedure) {
	c.shown = p
	agency := c.index.agency[p.AgencyCode]
	if agency == "" {
		agency = p.AgencyCode
	} else if p.AgencyCode != "" {
		agency += " (" + p.AgencyCode + ")"
	}
	fee := i18n.T("intake.procedure.fee_unknown")
	if p.FeeKnown {
		fee = domain.FormatMoney(p.Fee)
	}
	days := i18n.T("intake.procedure.days_unknown")
	if p.ProcessingDays > 0 {
		days = i18n.Tf("intake.procedure.days", map[string]string{"N": strconv.Itoa(p.ProcessingDays)})
	}
	name := widget.NewLabelWithStyle(p.Code+" — "+p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	name.Wrapping = fyne.TextWrapWord
	grid := container.New(layout.NewFormLayout(),
		procInfoKey("intake.procedure.field"), procInfoValue(strings.Trim(p.Field+" · "+p.Level, " ·")),
		procInfoKey("intake.procedure.agency"), procInfoValue(agency),
		procInfoKey("intake.procedure.processing"), procInfoValue(days),
		procInfoKey("intake.procedure.fee"), procInfoValue(fee),
		procInfoKey("catalog.postage"), procInfoValue(domain.FormatMoney(p.Postage)),
		procInfoKey("intake.procedure.bcci"), container.NewVBox(
			bcciFlag(p.BCCIIntake, "intake.procedure.bcci_intake", "intake.procedure.no_bcci_intake"),
			bcciFlag(p.BCCIReturn || p.BCCIIntake, "intake.procedure.bcci_return", "intake.procedure.no_bcci_return")),
	)
	papers := container.NewVBox(widget.NewLabelWithStyle(i18n.T("catalog.papers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	if len(p.Documents) == 0 {
		papers.Add(procInfoValue(i18n.T("catalog.papers.none")))
	}
	for i, d := range p.Documents {
		kind := i18n.T("catalog.paper.copy")
		if d.Original {
			kind = i18n.T("catalog.paper.original")
		}
		need := i18n.T("catalog.paper.optional")
		if d.Required {
			need = i18n.T("catalog.paper.required")
		}
		papers.Add(procInfoValue(strconv.Itoa(i+1) + ". " + d.Name + " (" + kind + ", " + need + ")"))
	}
	rows := []fyne.CanvasObject{name, grid, widget.NewSeparator(), papers}
	if p.Source != "" {
		rows = append(rows, lowLabel(i18n.Tf("catalog.source", map[string]string{"Source": p.Source})))
	}
	c.detail.Objects = rows
	c.detail.Refresh()
	c.body.Objects = []fyne.CanvasObject{c.detailV}
	c.body.Refresh()
	wrapLongTexts(c.detailV)
	c.u.Win.Canvas().Focus(c.back)
}

// closeDetail goes back to the list, the search as it was.
func (c *catalogScreen) closeDetail() {
	c.shown = nil
	c.body.Objects = []fyne.CanvasObject{c.listBox}
	c.body.Refresh()
	c.u.Win.Canvas().Focus(c.search)
}

// backOut is Esc on the catalog screen: the detail goes back to the list,
// a search is cleared; false when there is nothing to back out of.
func (c *catalogScreen) backOut() bool {
	switch {
	case c.tabs.SelectedIndex() != 0:
		c.tabs.SelectIndex(0)
	case c.shown != nil:
		c.closeDetail()
	case c.search.Text != "":
		c.search.SetText("")
	default:
		return false
	}
	return true
}

// showHistory lists the catalog imports, newest first.
func (c *catalogScreen) showHistory() {
	c.history.Objects = nil
	if len(c.versions) == 0 {
		key := "catalog.history.empty.clerk"
		if c.u.IsSupervisor() {
			key = "catalog.history.empty.supervisor"
		}
		c.history.Add(procInfoValue(i18n.T(key)))
	}
	names := map[string]string{}
	for _, v := range c.versions {
		who := i18n.T("catalog.history.province")
		if v.Staff != "" {
			if names[v.Staff] == "" {
				names[v.Staff] = v.Staff
				if st, err := c.u.Store.StaffMember(c.u.Ctx, v.Staff); err == nil && st.FullName != "" {
					names[v.Staff] = st.FullName
				}
			}
			who = names[v.Staff]
		}
		head := widget.NewLabelWithStyle(i18n.Tf("catalog.history.version", map[string]string{
			"Version": strconv.Itoa(v.Version), "When": domain.FormatDateTime(v.ImportedAt), "Who": who}),
			fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		head.Wrapping = fyne.TextWrapWord
		c.history.Add(head)
		c.history.Add(procInfoValue(i18n.Tf("catalog.history.counts", map[string]string{
			"File": v.FileName, "Procedures": formatCount(v.Procedures), "Agencies": formatCount(v.Agencies),
			"Added": formatCount(v.Added), "Updated": formatCount(v.Updated)})))
		c.history.Add(widget.NewSeparator())
	}
	c.history.Refresh()
}

package app

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/report"
)

// The Reports screen (F7): the province's three BCCI figures for this post
// point and a period (this year first), each met or not, what to act on
// (procedures with no BCCI dossier yet, the month-by-month chart), the
// service quality, exports (XLSX, PDF, CSV, JSON), the public notice, and —
// for a supervisor — the all-channel totals, imported from a file or typed
// in for one agency and month.

type figureCard struct {
	card   *widget.Card
	pct    *canvas.Text
	status *widget.Label
	detail *widget.Label
	rule   *widget.Label // the counting rule in one line (internal/report's doc)
}

type reportsScreen struct {
	u        *UI
	from, to *Entry
	periodOK *widget.Label
	busy     *widget.Label
	cards    []*figureCard
	notes    *widget.Label
	chart    *canvas.Image
	noBCCI   *widget.Label
	quality  *widget.Label
	rep      *report.Report
	gen      int       // the newest refresh; an older one finishing late is dropped
	shownAt  time.Time // when a report was last put on screen (wall clock)

	// supervisor: totals
	importResult *widget.Label
	imports      *widget.Label
	typedMonth   *Entry
	typedAgency  *widget.Select
	typedRows    *fyne.Container
	typedCells   map[string][2]*Entry
	typedResult  *widget.Label
	agencyCodes  []string
}

func buildReports(u *UI) fyne.CanvasObject {
	s := &reportsScreen{u: u, typedCells: map[string][2]*Entry{}}
	u.session.reports = s
	s.from, s.to = u.NewEntry(), u.NewEntry()
	s.from.SetPlaceHolder(i18n.T("reports.date_placeholder"))
	s.to.SetPlaceHolder(i18n.T("reports.date_placeholder"))
	s.setPeriod(domain.YearPeriod(u.Now().In(domain.Zone).Year()))
	s.from.OnSubmitted = func(string) { s.refresh(nil) }
	s.to.OnSubmitted = func(string) { s.refresh(nil) }
	s.periodOK = widget.NewLabel("")
	s.periodOK.Importance = widget.DangerImportance
	s.busy = widget.NewLabel("")
	now := func() time.Time { return u.Now().In(domain.Zone) }
	quick := func(key string, p func() domain.Period) *deskButton {
		return newButton(i18n.T(key), func() { s.setPeriod(p()); s.refresh(nil) })
	}
	// The period, then the quick periods on a second row (a 1024 px screen).
	period := container.NewVBox(container.NewHBox(
		widget.NewLabel(i18n.T("reports.from")), container.NewGridWrap(fyne.NewSize(130, s.from.MinSize().Height), s.from),
		widget.NewLabel(i18n.T("reports.to")), container.NewGridWrap(fyne.NewSize(130, s.to.MinSize().Height), s.to),
		newButtonWithIcon(i18n.T("reports.show"), theme.ViewRefreshIcon(), func() { s.refresh(nil) }),
	), container.NewHBox(
		quick("reports.this_month", func() domain.Period { n := now(); return domain.MonthPeriod(n.Year(), n.Month()) }),
		quick("reports.this_quarter", func() domain.Period { n := now(); return domain.QuarterPeriod(n.Year(), (int(n.Month())+2)/3) }),
		quick("reports.this_year", func() domain.Period { return domain.YearPeriod(now().Year()) }),
		quick("reports.last_year", func() domain.Period { return domain.YearPeriod(now().Year() - 1) }),
	))

	var cards []fyne.CanvasObject
	for _, k := range domain.FigureKinds {
		fc := &figureCard{pct: canvas.NewText("—", theme.Color(theme.ColorNameForeground)), status: widget.NewLabel(""), detail: widget.NewLabel("")}
		fc.pct.TextSize = 28
		fc.pct.TextStyle.Bold = true
		fc.status.Wrapping = fyne.TextWrapWord
		fc.detail.Wrapping = fyne.TextWrapWord
		fc.rule = widget.NewLabelWithStyle(i18n.T(domain.Figure{Kind: k}.RuleKey()), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		fc.rule.Wrapping = fyne.TextWrapWord
		fc.rule.SizeName = theme.SizeNameCaptionText
		// the title as a wrapping label, not the card's own (large, unwrapped) title
		title := widget.NewLabelWithStyle(i18n.T("reports.card."+string(k)), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Wrapping = fyne.TextWrapWord
		fc.card = widget.NewCard("", "", container.NewVBox(title, container.NewPadded(fc.pct), fc.status, fc.detail, fc.rule))
		s.cards = append(s.cards, fc)
		cards = append(cards, fc.card)
	}
	s.notes = widget.NewLabel("")
	s.notes.Wrapping = fyne.TextWrapWord
	s.chart = canvas.NewImageFromResource(nil)
	s.chart.FillMode = canvas.ImageFillContain
	s.chart.SetMinSize(fyne.NewSize(520, 300)) // fits beside the navigation at 1024 px
	s.noBCCI = widget.NewLabel("")
	s.noBCCI.Wrapping = fyne.TextWrapWord
	s.quality = widget.NewLabel("")
	s.quality.Wrapping = fyne.TextWrapWord

	exports := container.NewHBox(widget.NewLabel(i18n.T("reports.export")))
	for _, f := range report.Formats {
		f := f
		exports.Add(newButtonWithIcon(i18n.T("reports.format."+f), theme.DocumentSaveIcon(), func() { s.exportDialog(f) }))
	}
	exports.Add(newButtonWithIcon(i18n.T("reports.notice"), theme.DocumentPrintIcon(), s.noticeDialog))

	body := container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("reports.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		period, s.periodOK, s.busy,
		container.NewGridWithColumns(3, cards...),
		s.notes,
		exports,
		s.chart,
		widget.NewLabelWithStyle(i18n.T("report.pdf.no_bcci"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.noBCCI,
		widget.NewLabelWithStyle(i18n.T("report.pdf.quality"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.quality,
	)
	if u.IsSupervisor() {
		body.Add(widget.NewSeparator())
		body.Add(s.buildTotals())
	}
	u.Shortcut("reports", "reports.show", &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl}, func() { s.refresh(nil) })
	u.Shortcut("reports", "reports.totals.import", &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierControl}, func() { s.importDialog() })
	u.Shortcut("reports", "reports.export_xlsx", &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl}, func() { s.exportDialog("xlsx") })
	// the first report is computed before the screen shows (a post point's
	// year takes a fraction of a second); later ones in the background
	if p, ok := s.period(); ok {
		r, err := report.PointReport(u.Ctx, u.Store, p)
		var png []byte
		if err == nil {
			png, err = report.Chart(r, i18n.Current())
		}
		if err != nil {
			s.busy.SetText(i18n.Message(err))
		} else {
			s.show(r, png)
		}
	}
	return u.withWheel(container.NewVScroll(container.NewPadded(body)))
}

func (s *reportsScreen) setPeriod(p domain.Period) {
	s.from.SetText(domain.FormatDate(p.From))
	s.to.SetText(domain.FormatDate(p.To))
}

// period reads the period typed; an error is shown under it.
func (s *reportsScreen) period() (domain.Period, bool) {
	p, err := domain.ParsePeriod(s.from.Text, s.to.Text)
	if err != nil {
		s.periodOK.SetText(i18n.Message(err))
		s.periodOK.Show()
		return p, false
	}
	s.periodOK.SetText("")
	s.periodOK.Hide()
	return p, true
}

// refresh computes the report in the background (a year of a busy post
// point reads its whole log) and shows it; done, when not nil, runs after
// (tests wait on it).
func (s *reportsScreen) refresh(done func()) {
	p, ok := s.period()
	if !ok {
		if done != nil {
			done()
		}
		return
	}
	s.gen++
	gen := s.gen
	s.busy.SetText(i18n.T("reports.computing"))
	go func() {
		r, err := report.PointReport(s.u.Ctx, s.u.Store, p)
		var png []byte
		if err == nil {
			png, err = report.Chart(r, i18n.Current())
		}
		fyne.Do(func() {
			if gen == s.gen {
				if err != nil {
					s.busy.SetText(i18n.Message(err))
				} else {
					s.busy.SetText("")
					s.show(r, png)
				}
			}
			if done != nil {
				done()
			}
		})
	}()
}

// show puts a computed report on the screen.
func (s *reportsScreen) show(r *report.Report, png []byte) {
	s.rep, s.shownAt = r, time.Now()
	lang := i18n.Current()
	for i, f := range r.Total.Figures {
		fc := s.cards[i]
		target := domain.FormatPercent(f.Target)
		if pct, ok := f.Percent(); ok {
			fc.pct.Text = domain.FormatPercent(pct)
			if f.Met() {
				fc.pct.Color = theme.Color(theme.ColorNameSuccess)
				fc.status.SetText(i18n.Tf("reports.met", map[string]string{"Target": target}))
				fc.status.Importance = widget.SuccessImportance
			} else {
				fc.pct.Color = theme.Color(theme.ColorNameError)
				fc.status.SetText(i18n.Tf("reports.not_met", map[string]string{"Target": target}))
				fc.status.Importance = widget.DangerImportance
			}
			fc.detail.SetText(i18n.Tf("reports.fraction", map[string]string{"Num": formatCount(int(f.Numerator)), "Den": formatCount(int(f.Denominator))}))
		} else {
			fc.pct.Text = "—"
			fc.pct.Color = theme.Color(theme.ColorNameDisabled)
			fc.status.SetText(lang.T("report.missing_denominator"))
			fc.status.Importance = widget.WarningImportance
			fc.detail.SetText(i18n.Tf("reports.numerator_only", map[string]string{"Num": formatCount(int(f.Numerator)), "Target": target}))
		}
		fc.rule.SetText(lang.T(f.RuleKey()))
		fc.pct.Refresh()
		fc.status.Refresh()
	}
	s.notes.SetText(strings.Join(report.Notes(r, lang), "\n"))
	if len(png) > 0 {
		s.chart.Resource = fyne.NewStaticResource("bcci-chart.png", png)
		s.chart.Refresh()
	}
	none := r.NoBCCI()
	if len(none) == 0 {
		s.noBCCI.SetText(lang.T("report.pdf.no_bcci_none"))
	} else {
		lines := make([]string, 0, len(none)+1)
		lines = append(lines, i18n.Tf("reports.no_bcci_count", map[string]string{"N": strconv.Itoa(len(none))}))
		for _, p := range none {
			lines = append(lines, p.Code+" — "+p.Name+" · "+p.Field)
		}
		s.noBCCI.SetText(strings.Join(lines, "\n"))
	}
	s.quality.SetText(qualityText(r.Quality))
}

func statText(st report.Stat) string {
	if st.N == 0 {
		return "—"
	}
	f := func(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1) }
	return i18n.Tf("reports.days", map[string]string{"Median": f(st.Median), "P90": f(st.P90), "N": formatCount(st.N)})
}

func shareText(sh report.Share) string {
	if sh.Den == 0 {
		return "—"
	}
	return domain.FormatPercent(sh.Percent()) + " (" + formatCount(int(sh.Num)) + "/" + formatCount(int(sh.Den)) + ")"
}

func qualityText(q *report.QualityReport) string {
	if q == nil {
		return ""
	}
	t := q.Total
	return strings.Join([]string{
		i18n.T("report.quality.ih") + ": " + statText(t.IntakeToHandover),
		i18n.T("report.quality.hr") + ": " + statText(t.HandoverToResult),
		i18n.T("report.quality.pd") + ": " + statText(t.PostToDelivery),
		i18n.T("report.quality.h1") + ": " + shareText(t.HandedOverIn1Day),
		i18n.T("report.quality.first") + ": " + shareText(t.FirstAttempt),
	}, "\n")
}

// ---------------------------------------------------------------- exports

func (s *reportsScreen) exportName(ext string) string {
	p, _ := s.period()
	return "bao-cao-bcci-" + s.u.PostPoint.Code + "-" + p.From.Format("20060102") + "-" + p.To.Format("20060102") + "." + ext
}

func (s *reportsScreen) exportDialog(format string) {
	if s.rep == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close() // written again through a temporary file and a rename
		if !strings.HasSuffix(strings.ToLower(path), "."+format) {
			path += "." + format
		}
		if err := s.exportTo(path, format); err != nil {
			s.u.ShowError(err)
		}
	}, s.u.Win)
	d.SetFileName(s.exportName(format))
	d.SetFilter(storage.NewExtensionFileFilter([]string{"." + format}))
	s.u.ShowDialog(d)
}

// exportTo writes the report shown in format to path.
func (s *reportsScreen) exportTo(path, format string) error {
	if s.rep == nil {
		return errors.New("no report yet")
	}
	r := s.rep
	err := atomicfile.Write(path, 0o644, func(w io.Writer) error { return report.Write(w, format, r, i18n.Current()) })
	if err == nil {
		s.u.Notify(i18n.Tf("reports.exported", map[string]string{"File": filepath.Base(path)}))
	}
	return err
}

func (s *reportsScreen) noticeDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		if !strings.HasSuffix(strings.ToLower(path), ".pdf") {
			path += ".pdf"
		}
		if err := s.noticeTo(path); err != nil {
			s.u.ShowError(err)
		}
	}, s.u.Win)
	d.SetFileName("danh-muc-bcci-" + s.u.PostPoint.Code + ".pdf")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf"}))
	s.u.ShowDialog(d)
}

// noticeTo writes the public notice of the catalog to path.
func (s *reportsScreen) noticeTo(path string) error {
	procs, err := s.u.Store.Procedures(s.u.Ctx)
	if err != nil {
		return err
	}
	opt, err := report.PointNoticeOptions(s.u.Ctx, s.u.Store)
	if err != nil {
		return err
	}
	opt.Date, opt.Lang = s.u.Now(), i18n.Current()
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error { return report.WriteNotice(w, procs, opt) })
	if err == nil {
		s.u.Notify(i18n.Tf("reports.exported", map[string]string{"File": filepath.Base(path)}))
	}
	return err
}

// ---------------------------------------------------------------- totals (supervisor)

func (s *reportsScreen) buildTotals() fyne.CanvasObject {
	s.importResult = widget.NewLabel("")
	s.importResult.Wrapping = fyne.TextWrapWord
	s.imports = widget.NewLabel("")
	s.imports.Wrapping = fyne.TextWrapWord
	importBtn := newButtonWithIcon(i18n.T("reports.totals.import"), theme.FolderOpenIcon(), s.importDialog)

	s.typedMonth = s.u.NewEntry()
	s.typedMonth.SetPlaceHolder(i18n.T("reports.month_placeholder"))
	n := s.u.Now().In(domain.Zone).AddDate(0, -1, 0)
	s.typedMonth.SetText(domain.MonthOf(n).Label())
	s.typedAgency = widget.NewSelect(nil, func(string) { s.loadTyped() })
	s.typedAgency.PlaceHolder = i18n.T("reports.totals.agency")
	s.typedRows = container.NewVBox()
	s.typedResult = widget.NewLabel("")
	s.typedResult.Wrapping = fyne.TextWrapWord
	s.typedMonth.OnSubmitted = func(string) { s.loadTyped() }
	s.fillAgencies()
	s.reloadImports()
	help := widget.NewLabel(i18n.T("reports.totals.help"))
	help.Wrapping = fyne.TextWrapWord
	return container.NewVBox(
		widget.NewLabelWithStyle(i18n.T("reports.totals.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		help,
		importBtn, s.importResult, s.imports,
		widget.NewLabelWithStyle(i18n.T("reports.totals.typed"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewHBox(widget.NewLabel(i18n.T("reports.totals.month")), container.NewGridWrap(fyne.NewSize(110, s.typedMonth.MinSize().Height), s.typedMonth),
			widget.NewLabel(i18n.T("reports.totals.agency")), s.typedAgency,
			newButton(i18n.T("reports.totals.load"), s.loadTyped)),
		s.typedRows,
		newButtonWithIcon(i18n.T("reports.totals.save"), theme.DocumentSaveIcon(), s.saveTyped),
		s.typedResult,
	)
}

// fillAgencies lists the agencies with deployed procedures.
func (s *reportsScreen) fillAgencies() {
	procs, err := s.u.Store.Procedures(s.u.Ctx)
	if err != nil {
		s.typedResult.SetText(i18n.Message(err))
		return
	}
	agencies, _ := s.u.Store.Agencies(s.u.Ctx)
	name := map[string]string{}
	for _, a := range agencies {
		name[a.Code] = a.Name
	}
	seen := map[string]bool{}
	var opts []string
	s.agencyCodes = nil
	for _, p := range procs {
		if p.Deployed() && p.AgencyCode != "" && !seen[p.AgencyCode] {
			seen[p.AgencyCode] = true
			s.agencyCodes = append(s.agencyCodes, p.AgencyCode)
		}
	}
	sort.Strings(s.agencyCodes)
	for _, c := range s.agencyCodes {
		opts = append(opts, c+" · "+name[c])
	}
	s.typedAgency.Options = opts
	s.typedAgency.Refresh()
}

func (s *reportsScreen) reloadImports() {
	list, err := s.u.Store.TotalsImports(s.u.Ctx, 5)
	if err != nil {
		s.imports.SetText(i18n.Message(err))
		return
	}
	if len(list) == 0 {
		s.imports.SetText(i18n.T("reports.totals.none"))
		return
	}
	lines := []string{i18n.T("reports.totals.recent")}
	for _, im := range list {
		lines = append(lines, i18n.Tf("reports.totals.import_line", map[string]string{"When": formatWhen(im.ImportedAt),
			"Source": im.Source, "From": im.From.Label(), "To": im.To.Label(), "Rows": formatCount(im.Rows), "Staff": im.Staff}))
	}
	s.imports.SetText(strings.Join(lines, "\n"))
}

func (s *reportsScreen) importDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.importFile(path)
	}, s.u.Win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".xlsx"}))
	s.u.ShowDialog(d)
}

// importFile imports a totals file; every bad row is listed with its line.
func (s *reportsScreen) importFile(path string) {
	f, err := report.ParseTotalsFile(path)
	if err == nil {
		_, err = s.u.Desk.ImportTotals(s.u.Ctx, s.u.Actor(), f)
	}
	if err != nil {
		s.importResult.Importance = widget.DangerImportance
		s.importResult.SetText(i18n.Tf("reports.totals.refused", map[string]string{"File": filepath.Base(path)}) + "\n" + i18n.Message(err))
		return
	}
	s.importResult.Importance = widget.SuccessImportance
	s.importResult.SetText(i18n.Tf("reports.totals.done", map[string]string{"File": filepath.Base(path), "Rows": formatCount(len(f.Rows)),
		"From": f.From.Label(), "To": f.To.Label()}))
	s.reloadImports()
	s.refresh(nil)
}

func (s *reportsScreen) typedAgencyCode() string {
	i := s.typedAgency.SelectedIndex()
	if i < 0 || i >= len(s.agencyCodes) {
		return ""
	}
	return s.agencyCodes[i]
}

// loadTyped lists the chosen agency's deployed procedures with two boxes
// each (dossiers, results), filled with what is stored for the month.
func (s *reportsScreen) loadTyped() {
	s.typedRows.RemoveAll()
	s.typedCells = map[string][2]*Entry{}
	s.typedResult.SetText("")
	agency := s.typedAgencyCode()
	m, err := domain.ParseMonth(s.typedMonth.Text)
	if agency == "" || err != nil {
		if err != nil && s.typedMonth.Text != "" {
			s.typedResult.SetText(i18n.Message(err))
		}
		return
	}
	procs, err := s.u.Store.Procedures(s.u.Ctx)
	if err != nil {
		s.typedResult.SetText(i18n.Message(err))
		return
	}
	stored, _ := s.u.Store.Totals(s.u.Ctx, m, m)
	have := map[string][2]int64{}
	for _, t := range stored {
		if t.Agency == agency {
			have[t.Procedure] = [2]int64{t.Dossiers, t.Results}
		}
	}
	grid := container.NewGridWithColumns(3, widget.NewLabelWithStyle(i18n.T("report.col.procedure"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(i18n.T("report.col.total_dossiers"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		widget.NewLabelWithStyle(i18n.T("report.col.total_results"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, p := range procs {
		if !p.Deployed() || p.AgencyCode != agency {
			continue
		}
		d, r := s.u.NewEntry(), s.u.NewEntry()
		if v, ok := have[p.Code]; ok {
			d.SetText(strconv.FormatInt(v[0], 10))
			r.SetText(strconv.FormatInt(v[1], 10))
		}
		name := newCutLabel(s.u, p.Code+" — "+p.Name)
		grid.Add(name)
		grid.Add(d)
		grid.Add(r)
		s.typedCells[p.Code] = [2]*Entry{d, r}
	}
	s.typedRows.Add(grid)
	s.typedRows.Refresh()
}

// saveTyped stores the typed month of one agency as an import (it replaces
// that agency's month; an empty box is 0).
func (s *reportsScreen) saveTyped() {
	agency := s.typedAgencyCode()
	m, err := domain.ParseMonth(s.typedMonth.Text)
	if err != nil {
		s.typedResult.SetText(i18n.Message(err))
		return
	}
	if agency == "" || len(s.typedCells) == 0 {
		s.typedResult.SetText(i18n.T("reports.totals.pick_agency"))
		return
	}
	cells := map[string][2]int64{}
	var errs domain.Errors
	for code, es := range s.typedCells {
		var v [2]int64
		for i, e := range es {
			t := strings.TrimSpace(strings.NewReplacer(".", "", " ", "").Replace(e.Text))
			if t == "" {
				continue
			}
			n, err := strconv.ParseInt(t, 10, 64)
			if err != nil || n < 0 {
				errs = append(errs, domain.Errf(code, "reports.totals.bad_number", "%q is not a count", e.Text).WithArgs("Code", code, "Value", e.Text))
				continue
			}
			v[i] = n
		}
		cells[code] = v
	}
	if err := errs.Err(); err != nil {
		s.typedResult.SetText(i18n.Message(err))
		return
	}
	f := report.TypedTotals(agency, m, cells)
	if _, err := s.u.Desk.ImportTotals(s.u.Ctx, s.u.Actor(), f); err != nil {
		// typed rows have no file line: name the procedure instead
		var es domain.Errors
		if errors.As(err, &es) {
			var lines []string
			for _, e := range es {
				code := ""
				if n, err := strconv.Atoi(e.Args["Line"]); err == nil && n >= 1 && n <= len(f.Rows) {
					code = f.Rows[n-1].Procedure + ": "
				}
				msg := e.Msg
				if e.Key != "" && i18n.Current().Has(e.Key) {
					msg = i18n.Tf(e.Key, e.Args)
				}
				lines = append(lines, code+msg)
			}
			s.typedResult.SetText(strings.Join(lines, "\n"))
			return
		}
		s.typedResult.SetText(i18n.Message(err))
		return
	}
	s.typedResult.SetText(i18n.Tf("reports.totals.saved", map[string]string{"Month": m.Label(), "Agency": agency}))
	s.reloadImports()
	s.refresh(nil)
}

// chartPNG is the chart shown (for tests).
func (s *reportsScreen) chartPNG() []byte {
	if s.chart.Resource == nil {
		return nil
	}
	return bytes.Clone(s.chart.Resource.Content())
}

package app

// The procedure picker of the intake form: type-ahead over the whole catalog
// kept in memory, by code prefix ("1.0011") or by name without diacritics
// ("khai sinh"). Arrow keys move through the matches, Enter chooses. A
// procedure closed to BCCI for the chosen service option is listed but
// refused with the reason.

import (
	"image/color"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// procIndex is the catalog prepared for matching as the clerk types.
type procIndex struct {
	procs   []domain.Procedure
	codes   []string // as stored, e.g. 1.001193
	digits  []string // the code's digits only, e.g. 1001193
	names   []string // Fold(name), words separated by single spaces
	compact []string // Fold(name) without spaces, so "khaisinh" matches too
	agency  map[string]string
}

func newProcIndex(procs []domain.Procedure, agencies []domain.Agency) *procIndex {
	x := &procIndex{procs: procs, agency: map[string]string{}}
	for _, p := range procs {
		f := domain.Fold(p.Name)
		x.codes = append(x.codes, strings.ToLower(p.Code))
		x.digits = append(x.digits, onlyDigits(p.Code))
		x.names = append(x.names, f)
		x.compact = append(x.compact, strings.ReplaceAll(f, " ", ""))
	}
	for _, a := range agencies {
		x.agency[a.Code] = a.Name
	}
	return x
}

// byCode returns the index of the procedure with this exact code, or -1.
func (x *procIndex) byCode(code string) int {
	code = strings.ToLower(strings.TrimSpace(code))
	for i, c := range x.codes {
		if c == code {
			return i
		}
	}
	return -1
}

// Match returns up to limit procedures matching query, best first, and how
// many matched in all. Ranks: exact code, code prefix, three digits or more
// found in the code's digits (the distinctive end, "1193" for 1.001193),
// name prefix, a word of the name starting with the query, the query
// anywhere in the name, the query's words anywhere in any order. Ties go
// to the shorter name, then to catalog order.
func (x *procIndex) Match(query string, limit int) (idx []int, total int) {
	q := domain.Clean(query)
	if q == "" {
		return nil, 0
	}
	code := strings.ToLower(strings.ReplaceAll(q, " ", ""))
	digitFirst := code[0] >= '0' && code[0] <= '9'
	digits := onlyDigits(code)
	f := domain.Fold(q)
	fc := strings.ReplaceAll(f, " ", "")
	words := strings.Fields(f)
	type hit struct{ rank, i int }
	var hits []hit
	for i := range x.procs {
		rank := -1
		switch {
		case digitFirst && x.codes[i] == code:
			rank = 0
		case digitFirst && strings.HasPrefix(x.codes[i], code):
			rank = 1
		case digitFirst && len(digits) >= 3 && len(digits) == len(code) && strings.Contains(x.digits[i], digits):
			rank = 2
		case f == "":
		case strings.HasPrefix(x.names[i], f):
			rank = 3
		case strings.Contains(x.names[i], " "+f):
			rank = 4
		case strings.Contains(x.names[i], f):
			rank = 5
		case len(fc) >= 3 && strings.Contains(x.compact[i], fc):
			rank = 6
		case len(words) > 1 && allWordsIn(x.names[i], words):
			rank = 7
		}
		if rank >= 0 {
			hits = append(hits, hit{rank, i})
		}
	}
	// Within a rank the shorter name is the closer match: "khai sinh"
	// finds the birth registration before "… khai sinh kết hợp …".
	sort.SliceStable(hits, func(a, b int) bool {
		if hits[a].rank != hits[b].rank {
			return hits[a].rank < hits[b].rank
		}
		return len(x.names[hits[a].i]) < len(x.names[hits[b].i])
	})
	total = len(hits)
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	idx = make([]int, len(hits))
	for k, h := range hits {
		idx[k] = h.i
	}
	return idx, total
}

// onlyDigits is s without anything but its digits.
func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func allWordsIn(name string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

// pickerRows is how many matches the picker lists under the entry.
const pickerRows = 7

// procPicker is the type-ahead widget group: an entry, the list of matches
// under it while typing, and the chosen procedure's card.
type procPicker struct {
	u       *UI
	index   *procIndex
	entry   *formEntry
	list    *fyne.Container // the matches, shown while choosing
	more    *widget.Label
	card    *fyne.Container // the chosen procedure
	box     *fyne.Container // everything, for the form
	matches []int
	total   int
	sel     int
	chosen  int // index into index.procs, -1 when none
	// option gives the service option, for refusing closed procedures.
	option func() domain.ServiceOption
	// onChoose is called with the chosen procedure, or nil when cleared.
	onChoose func(p *domain.Procedure)
	// refuse shows (or clears, with nil) the reason a procedure cannot be chosen.
	refuse  func(e *domain.FieldError)
	filling bool
}

func newProcPicker(u *UI, index *procIndex) *procPicker {
	p := &procPicker{u: u, index: index, chosen: -1, sel: 0}
	p.entry = newFormEntry(u)
	p.entry.SetPlaceHolder(i18n.T("intake.procedure.hint"))
	p.list = container.NewVBox()
	p.more = widget.NewLabel("")
	p.more.Importance = widget.LowImportance
	p.more.Hide()
	p.card = container.NewVBox()
	p.card.Hide()
	p.box = container.NewVBox(p.entry, p.list, p.more, p.card)
	p.entry.OnChanged = func(text string) {
		if p.filling {
			return
		}
		if p.chosen >= 0 {
			p.chosen = -1
			p.showCard()
			if p.onChoose != nil {
				p.onChoose(nil)
			}
		}
		if p.refuse != nil {
			p.refuse(nil)
		}
		p.setQuery(text)
	}
	p.entry.onKey = func(ev *fyne.KeyEvent) bool {
		switch ev.Name {
		case fyne.KeyDown:
			p.move(1)
			return len(p.matches) > 0
		case fyne.KeyUp:
			p.move(-1)
			return len(p.matches) > 0
		case fyne.KeyReturn, fyne.KeyEnter:
			if p.chosen < 0 && len(p.matches) > 0 {
				p.choose(p.matches[p.sel])
				return true
			}
		}
		return false
	}
	// Tabbing away from an exact code chooses it: the clerk typed it whole.
	p.entry.onFocusLost = func() {
		if p.chosen < 0 {
			if i := index.byCode(p.entry.Text); i >= 0 {
				p.choose(i)
			}
		}
	}
	return p
}

// setQuery lists the matches of text (the work of one keystroke).
func (p *procPicker) setQuery(text string) {
	p.matches, p.total = p.index.Match(text, pickerRows)
	p.sel = 0
	p.showList()
}

func (p *procPicker) move(d int) {
	if len(p.matches) == 0 {
		return
	}
	p.sel = (p.sel + d + len(p.matches)) % len(p.matches)
	p.showList()
}

func (p *procPicker) showList() {
	objs := make([]fyne.CanvasObject, 0, len(p.matches))
	for k, i := range p.matches {
		i := i
		objs = append(objs, newProcRow(p, &p.index.procs[i], k == p.sel, func() {
			p.choose(i)
			p.u.Win.Canvas().Focus(p.entry)
		}))
	}
	p.list.Objects = objs
	p.list.Refresh()
	switch {
	case p.chosen < 0 && p.total > len(p.matches):
		p.more.SetText(i18n.Tf("intake.procedure.more", map[string]string{"N": strconv.Itoa(p.total - len(p.matches))}))
		p.more.Show()
	case p.chosen < 0 && p.total == 0 && domain.Clean(p.entry.Text) != "":
		p.more.SetText(i18n.T("intake.procedure.none"))
		p.more.Show()
	default:
		p.more.Hide()
	}
}

// choose picks procedure i, unless the service option makes it closed:
// then the reason is shown and nothing is chosen.
func (p *procPicker) choose(i int) {
	proc := &p.index.procs[i]
	if p.option != nil {
		if e := domain.IntakeProcedureError(*proc, p.option()); e != nil {
			if p.refuse != nil {
				p.refuse(e)
			}
			return
		}
	}
	p.chosen = i
	p.filling = true
	p.entry.SetText(proc.Code + " — " + proc.Name)
	p.filling = false
	p.matches, p.total = nil, 0
	p.showList()
	p.showCard()
	if p.refuse != nil {
		p.refuse(nil)
	}
	if p.onChoose != nil {
		p.onChoose(proc)
	}
}

// set shows code as chosen without the refusal check (restoring a draft);
// an unknown code leaves the text to type over.
func (p *procPicker) set(code string) {
	p.filling = true
	defer func() { p.filling = false }()
	p.chosen = p.index.byCode(code)
	if p.chosen >= 0 {
		proc := p.index.procs[p.chosen]
		p.entry.SetText(proc.Code + " — " + proc.Name)
	} else {
		p.entry.SetText(code)
	}
	p.matches, p.total = nil, 0
	p.showList()
	p.showCard()
}

// clear empties the picker.
func (p *procPicker) clear() { p.set("") }

// Procedure is the chosen procedure, or nil.
func (p *procPicker) Procedure() *domain.Procedure {
	if p.chosen < 0 {
		return nil
	}
	return &p.index.procs[p.chosen]
}

// showCard shows the chosen procedure's field, level, agency, days, fee and BCCI flags.
func (p *procPicker) showCard() {
	proc := p.Procedure()
	if proc == nil {
		p.card.Objects = nil
		p.card.Hide()
		return
	}
	agency := p.index.agency[proc.AgencyCode]
	if agency == "" {
		agency = proc.AgencyCode
	}
	fee := i18n.T("intake.procedure.fee_unknown")
	if proc.FeeKnown {
		fee = domain.FormatMoney(proc.Fee)
	}
	days := i18n.T("intake.procedure.days_unknown")
	if proc.ProcessingDays > 0 {
		days = i18n.Tf("intake.procedure.days", map[string]string{"N": strconv.Itoa(proc.ProcessingDays)})
	}
	grid := container.New(layout.NewFormLayout(),
		procInfoKey("intake.procedure.field"), procInfoValue(proc.Field+" · "+proc.Level),
		procInfoKey("intake.procedure.agency"), procInfoValue(agency),
		procInfoKey("intake.procedure.processing"), procInfoValue(days),
		procInfoKey("intake.procedure.fee"), procInfoValue(fee),
		procInfoKey("intake.procedure.bcci"), container.NewHBox(bcciFlag(proc.BCCIIntake, "intake.procedure.bcci_intake", "intake.procedure.no_bcci_intake"),
			bcciFlag(proc.BCCIReturn || proc.BCCIIntake, "intake.procedure.bcci_return", "intake.procedure.no_bcci_return")),
	)
	p.card.Objects = []fyne.CanvasObject{grid}
	p.card.Show()
	p.card.Refresh()
}

func procInfoKey(key string) *widget.Label {
	l := widget.NewLabel(i18n.T(key))
	l.Importance = widget.LowImportance
	return l
}

func procInfoValue(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func bcciFlag(ok bool, yes, no string) *widget.Label {
	if ok {
		l := widget.NewLabel(i18n.T(yes))
		l.Importance = widget.SuccessImportance
		return l
	}
	l := widget.NewLabel(i18n.T(no))
	l.Importance = widget.DangerImportance
	return l
}

// procRow is one match under the picker: code and name, then field, level
// and agency, and a warning when closed to BCCI intake.
type procRow struct {
	widget.BaseWidget
	p        *procPicker
	proc     *domain.Procedure
	selected bool
	onTap    func()
}

func newProcRow(p *procPicker, proc *domain.Procedure, selected bool, onTap func()) *procRow {
	r := &procRow{p: p, proc: proc, selected: selected, onTap: onTap}
	r.ExtendBaseWidget(r)
	return r
}

func (r *procRow) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	if r.selected {
		bg.FillColor = theme.Color(theme.ColorNameSelection)
	}
	bg.CornerRadius = theme.InputRadiusSize()
	title := newCutLabel(r.p.u, r.proc.Code+" — "+r.proc.Name)
	title.TextStyle.Bold = r.selected
	// One line a match: the field and level on the right, or in red why
	// the procedure cannot be taken by post.
	side := widget.NewLabel(r.proc.Field + " · " + r.proc.Level)
	if !r.selected {
		side.Importance = widget.LowImportance
	}
	if !r.proc.BCCIIntake {
		side = widget.NewLabel(i18n.T("intake.procedure.no_bcci_intake"))
		side.Importance = widget.DangerImportance
	}
	return widget.NewSimpleRenderer(container.NewStack(bg, container.NewBorder(nil, nil, nil, side, title)))
}

func (r *procRow) Tapped(*fyne.PointEvent) {
	if r.onTap != nil {
		r.onTap()
	}
}

func (r *procRow) Cursor() desktop.Cursor { return desktop.PointerCursor }

package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"postdesk/i18n"
	"postdesk/internal/csvsafe"
	"postdesk/internal/domain"
)

// Formats a report can be written in.
var Formats = []string{"json", "csv", "xlsx", "pdf"}

// FigureView is a figure as exports show it: every figure with its
// numerator and denominator; a missing denominator is null with a note.
type FigureView struct {
	Kind        domain.FigureKind `json:"kind"`
	Label       string            `json:"label"`
	Numerator   int64             `json:"numerator"`
	Denominator *int64            `json:"denominator"` // null: no all-channel totals
	Percent     *float64          `json:"percent"`     // null with the denominator
	Target      float64           `json:"target"`
	Met         bool              `json:"met"`
	Note        string            `json:"note,omitempty"`
	Rule        string            `json:"rule"` // the counting rule in one line (package doc)
}

// View makes the export form of f.
func View(f domain.Figure, lang *i18n.Catalog) FigureView {
	v := FigureView{Kind: f.Kind, Label: FigureLabel(lang, f.Kind), Numerator: f.Numerator, Target: f.Target, Met: f.Met(),
		Rule: lang.T(f.RuleKey())}
	if pct, ok := f.Percent(); ok {
		den := f.Denominator
		pct = math.Round(pct*100) / 100
		v.Denominator, v.Percent = &den, &pct
	} else {
		v.Note = lang.T("report.missing_denominator")
	}
	return v
}

func views(fs []domain.Figure, lang *i18n.Catalog) []FigureView {
	out := make([]FigureView, len(fs))
	for i, f := range fs {
		out[i] = View(f, lang)
	}
	return out
}

type unitJSON struct {
	Key               string       `json:"key"`
	Name              string       `json:"name"`
	Figures           []FigureView `json:"figures"`
	Received          int64        `json:"bcci_received"`
	Returned          int64        `json:"bcci_returned"`
	UncoveredReceived int64        `json:"uncovered_received"`
	UncoveredReturned int64        `json:"uncovered_returned"`
	UncoveredCells    []string     `json:"uncovered_cells,omitempty"`
}

type monthJSON struct {
	Month   string       `json:"month"`
	Figures []FigureView `json:"figures"`
}

type reportJSON struct {
	Scope         string            `json:"scope"`
	ScopeCode     string            `json:"scope_code,omitempty"`
	From          string            `json:"from"`
	To            string            `json:"to"`
	GeneratedAt   string            `json:"generated_at"`
	By            string            `json:"by,omitempty"`
	Targets       domain.Targets    `json:"targets"`
	Figures       []FigureView      `json:"figures"`
	Total         unitJSON          `json:"total"`
	Units         []unitJSON        `json:"units,omitempty"`
	Trend         []monthJSON       `json:"trend"`
	NoBCCI        []string          `json:"procedures_without_bcci"`
	Procedures    []ProcedureRow    `json:"procedures"`
	MissingMonths []string          `json:"months_without_totals,omitempty"`
	Quality       *QualityReport    `json:"quality,omitempty"`
	Definitions   map[string]string `json:"definitions"`
}

func unitView(u Unit, lang *i18n.Catalog) unitJSON {
	j := unitJSON{Key: u.Key, Name: u.Name, Figures: views(u.Figures, lang), Received: u.Received, Returned: u.Returned,
		UncoveredReceived: u.UncoveredReceived, UncoveredReturned: u.UncoveredReturned}
	for _, c := range u.Uncovered {
		j.UncoveredCells = append(j.UncoveredCells, c.Agency+" "+c.Month.Label())
	}
	return j
}

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report, lang *i18n.Catalog) error {
	if lang == nil {
		lang = i18n.Current()
	}
	j := reportJSON{Scope: r.Scope, ScopeCode: r.ScopeCode, From: domain.FormatDate(r.Period.From), To: domain.FormatDate(r.Period.To),
		By: r.By, Targets: r.Targets, Figures: views(r.Total.Figures, lang), Total: unitView(r.Total, lang),
		Procedures: r.Procedures, Quality: r.Quality, NoBCCI: []string{},
		Definitions: map[string]string{}}
	if !r.GeneratedAt.IsZero() {
		j.GeneratedAt = domain.FormatDateTime(r.GeneratedAt)
	}
	for _, u := range r.Units {
		j.Units = append(j.Units, unitView(u, lang))
	}
	for _, m := range r.Trend {
		j.Trend = append(j.Trend, monthJSON{Month: m.Month.Label(), Figures: views(m.Figures, lang)})
	}
	for _, p := range r.NoBCCI() {
		j.NoBCCI = append(j.NoBCCI, p.Code)
	}
	for _, m := range r.MissingMonths {
		j.MissingMonths = append(j.MissingMonths, m.Label())
	}
	for _, k := range domain.FigureKinds {
		j.Definitions[string(k)] = lang.T("report.definition." + string(k))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

// WriteCSV writes one table: the figures of the whole scope, of each unit
// and of each month, one figure a line. Percentages use a dot (machine
// readable); an unknown denominator leaves denominator and percent empty.
func WriteCSV(w io.Writer, r *Report, lang *i18n.Catalog) error {
	if lang == nil {
		lang = i18n.Current()
	}
	if _, err := w.Write([]byte("\uFEFF")); err != nil { // Excel reads UTF-8 only with a BOM
		return err
	}
	cw := csvsafe.NewWriter(w) // a unit or procedure named "=HYPERLINK(…)" stays text
	cw.Write([]string{"section", "key", "name", "from", "to", "figure", "label", "numerator", "denominator", "percent", "target", "met", "note", "rule"})
	from, to := domain.FormatDate(r.Period.From), domain.FormatDate(r.Period.To)
	put := func(section, key, name string, fs []domain.Figure) {
		for _, f := range fs {
			v := View(f, lang)
			den, pct := "", ""
			if v.Denominator != nil {
				den = strconv.FormatInt(*v.Denominator, 10)
				pct = strconv.FormatFloat(*v.Percent, 'f', 2, 64)
			}
			cw.Write([]string{section, key, name, from, to, string(f.Kind), v.Label, strconv.FormatInt(f.Numerator, 10), den, pct,
				strconv.FormatFloat(f.Target, 'f', -1, 64), strconv.FormatBool(v.Met), v.Note, v.Rule})
		}
	}
	put("total", r.ScopeCode, r.Scope, r.Total.Figures)
	for _, u := range r.Units {
		put("unit", u.Key, u.Name, u.Figures)
	}
	for _, m := range r.Trend {
		put("month", string(m.Month), m.Month.Label(), m.Figures)
	}
	cw.Flush()
	return cw.Error()
}

// xlsx styles
type xstyles struct {
	head, pct, num, bold, title, wrap, days int
}

func newStyles(f *excelize.File) (xstyles, error) {
	var s xstyles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	pctFmt := "0.0%"
	numFmt := "#,##0"
	daysFmt := "0.0"
	s.head = mk(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	s.pct = mk(&excelize.Style{CustomNumFmt: &pctFmt})
	s.num = mk(&excelize.Style{CustomNumFmt: &numFmt})
	s.days = mk(&excelize.Style{CustomNumFmt: &daysFmt})
	s.bold = mk(&excelize.Style{Font: &excelize.Font{Bold: true}})
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	s.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	return s, err
}

// sheetWriter fills one sheet row by row.
type sheetWriter struct {
	f     *excelize.File
	sheet string
	row   int
	err   error
	st    xstyles
}

func (s *sheetWriter) cell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// put writes a row of values from column 1; a value of type pctCell is a
// fraction shown as a percentage, numbers stay numbers.
func (s *sheetWriter) put(style int, vals ...any) {
	s.row++
	if s.err != nil {
		return
	}
	for i, v := range vals {
		c := s.cell(i+1, s.row)
		switch x := v.(type) {
		case pctCell:
			if !x.ok {
				s.err = s.f.SetCellValue(s.sheet, c, "")
				continue
			}
			if s.err = s.f.SetCellValue(s.sheet, c, x.v/100); s.err == nil {
				s.err = s.f.SetCellStyle(s.sheet, c, c, s.st.pct)
			}
		case daysCell:
			if s.err = s.f.SetCellValue(s.sheet, c, float64(x)); s.err == nil {
				s.err = s.f.SetCellStyle(s.sheet, c, c, s.st.days)
			}
		case nil:
		default:
			s.err = s.f.SetCellValue(s.sheet, c, v)
			if style == 0 {
				switch v.(type) {
				case int, int64:
					s.err = s.f.SetCellStyle(s.sheet, c, c, s.st.num)
				}
			}
		}
		if s.err != nil {
			return
		}
		if style != 0 {
			s.err = s.f.SetCellStyle(s.sheet, c, c, style)
		}
	}
}

type pctCell struct {
	v  float64
	ok bool
}

type daysCell float64

func pctOf(f domain.Figure) pctCell {
	p, ok := f.Percent()
	return pctCell{p, ok}
}

// denOf is the denominator as a number, or the missing-totals note.
func denOf(f domain.Figure, lang *i18n.Catalog) any {
	if !f.DenominatorKnown {
		return lang.T("report.missing_denominator")
	}
	return f.Denominator
}

func metText(f domain.Figure, lang *i18n.Catalog) string {
	if !f.DenominatorKnown {
		return lang.T("report.no_data")
	}
	if f.Met() {
		return lang.T("report.met")
	}
	return lang.T("report.not_met")
}

// sheetName keeps a sheet name within Excel's rules (31 characters, none
// of : \ / ? * [ ]).
func sheetName(s string) string {
	s = strings.NewReplacer(":", " ", "\\", " ", "/", " ", "?", " ", "*", " ", "[", "(", "]", ")").Replace(s)
	r := []rune(s)
	if len(r) > 31 {
		r = r[:31]
	}
	return strings.TrimSpace(string(r))
}

// WriteXLSX writes r as a workbook: a summary sheet (the three figures and
// the chart), one sheet per figure (by unit when grouped, and by month),
// the detail by procedure, the procedures with no BCCI dossier, and the
// service quality. Numbers are stored as numbers; percentages as fractions
// with a percent format. chart may be nil.
func WriteXLSX(w io.Writer, r *Report, lang *i18n.Catalog, chart []byte) error {
	if lang == nil {
		lang = i18n.Current()
	}
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	T := lang.T
	summary := sheetName(T("report.xlsx.summary"))
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	sw := &sheetWriter{f: f, sheet: summary, st: st}
	sw.put(st.title, T("report.title"))
	sw.put(0, T("report.scope"), r.Scope)
	sw.put(0, T("report.period"), r.Period.Label())
	if !r.GeneratedAt.IsZero() {
		sw.put(0, T("report.generated"), domain.FormatDateTime(r.GeneratedAt))
	}
	sw.row++
	sw.put(st.head, T("report.col.figure"), T("report.col.numerator"), T("report.col.denominator"), T("report.col.percent"),
		T("report.col.target"), T("report.col.result"), T("report.col.rule"))
	for i, fg := range r.Total.Figures {
		sw.put(0, fmt.Sprintf("%d. %s", i+1, FigureLabel(lang, fg.Kind)), fg.Numerator, denOf(fg, lang), pctOf(fg),
			pctCell{fg.Target, true}, metText(fg, lang), T(fg.RuleKey()))
	}
	sw.row++
	for _, note := range Notes(r, lang) {
		sw.put(st.wrap, note)
	}
	f.SetColWidth(summary, "A", "A", 48)
	f.SetColWidth(summary, "B", "F", 16)
	f.SetColWidth(summary, "G", "G", 80)
	if len(chart) > 0 && sw.err == nil {
		sw.row += 2
		sw.err = f.AddPictureFromBytes(summary, sw.cell(1, sw.row), &excelize.Picture{Extension: ".png", File: chart,
			Format: &excelize.GraphicOptions{ScaleX: 0.6, ScaleY: 0.6}})
	}
	if sw.err != nil {
		return sw.err
	}

	for i, k := range domain.FigureKinds {
		name := sheetName(fmt.Sprintf("%d. %s", i+1, T("report.xlsx.sheet."+string(k))))
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw := &sheetWriter{f: f, sheet: name, st: st}
		sw.put(st.title, fmt.Sprintf("%d. %s", i+1, FigureLabel(lang, k)))
		sw.put(st.wrap, T("report.definition."+string(k)))
		sw.put(st.wrap, T(r.Total.Figure(k).RuleKey()))
		sw.row++
		head := []any{T("report.col.unit"), T("report.col.name"), T("report.col.numerator"), T("report.col.denominator"),
			T("report.col.percent"), T("report.col.target"), T("report.col.result")}
		sw.put(st.head, head...)
		tf := r.Total.Figure(k)
		sw.put(st.bold, T("report.total"), r.Scope, tf.Numerator, denOf(tf, lang), pctOf(tf), pctCell{tf.Target, true}, metText(tf, lang))
		for _, u := range r.Units {
			uf := u.Figure(k)
			sw.put(0, u.Key, u.Name, uf.Numerator, denOf(uf, lang), pctOf(uf), pctCell{uf.Target, true}, metText(uf, lang))
		}
		sw.row++
		sw.put(st.head, T("report.col.month"), "", T("report.col.numerator"), T("report.col.denominator"),
			T("report.col.percent"), T("report.col.target"), T("report.col.result"))
		for _, m := range r.Trend {
			mf := figureOf(m.Figures, k)
			sw.put(0, m.Month.Label(), "", mf.Numerator, denOf(mf, lang), pctOf(mf), pctCell{mf.Target, true}, metText(mf, lang))
		}
		f.SetColWidth(name, "A", "A", 18)
		f.SetColWidth(name, "B", "B", 40)
		f.SetColWidth(name, "C", "G", 14)
		if sw.err != nil {
			return sw.err
		}
	}

	detail := sheetName(T("report.xlsx.procedures"))
	if _, err := f.NewSheet(detail); err != nil {
		return err
	}
	sw = &sheetWriter{f: f, sheet: detail, st: st}
	sw.put(st.head, T("report.col.code"), T("report.col.procedure"), T("report.col.field"), T("report.col.agency"),
		T("report.col.bcci_intake"), T("report.col.bcci_return"), T("report.col.received"), T("report.col.registered"),
		T("report.col.returned"), T("report.col.total_dossiers"), T("report.col.total_results"),
		T("report.col.share_received"), T("report.col.share_returned"), T("report.col.active"))
	yes := func(b bool) string {
		if b {
			return T("report.yes")
		}
		return T("report.no")
	}
	for _, p := range r.Procedures {
		var tD, tR any = T("report.missing_short"), T("report.missing_short")
		sD, sR := pctCell{}, pctCell{}
		if p.TotalsKnown {
			tD, tR = p.TotalDossiers, p.TotalResults
			sD = shareCell(p.CoveredReceived, p.TotalDossiers)
			sR = shareCell(p.CoveredReturned, p.TotalResults)
		}
		sw.put(0, p.Code, p.Name, p.Field, p.Agency, yes(p.BCCIIntake), yes(p.BCCIReturn), p.Received, p.Registered, p.Returned,
			tD, tR, sD, sR, yes(p.Active()))
	}
	f.SetColWidth(detail, "A", "A", 24)
	f.SetColWidth(detail, "B", "B", 60)
	f.SetColWidth(detail, "C", "D", 22)
	f.SetColWidth(detail, "E", "N", 12)
	f.SetPanes(detail, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	if sw.err != nil {
		return sw.err
	}

	none := sheetName(T("report.xlsx.no_bcci"))
	if _, err := f.NewSheet(none); err != nil {
		return err
	}
	sw = &sheetWriter{f: f, sheet: none, st: st}
	sw.put(st.head, T("report.col.code"), T("report.col.procedure"), T("report.col.field"), T("report.col.agency"))
	for _, p := range r.NoBCCI() {
		sw.put(0, p.Code, p.Name, p.Field, p.Agency)
	}
	f.SetColWidth(none, "A", "A", 24)
	f.SetColWidth(none, "B", "B", 70)
	f.SetColWidth(none, "C", "D", 24)
	if sw.err != nil {
		return sw.err
	}

	if q := r.Quality; q != nil {
		name := sheetName(T("report.xlsx.quality"))
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw := &sheetWriter{f: f, sheet: name, st: st}
		sw.put(st.wrap, T("report.quality.definition"))
		qualityHead := []any{T("report.col.unit"), T("report.col.name"),
			T("report.quality.n"), T("report.quality.ih_median"), T("report.quality.ih_p90"),
			T("report.quality.n"), T("report.quality.hr_median"), T("report.quality.hr_p90"),
			T("report.quality.n"), T("report.quality.pd_median"), T("report.quality.pd_p90"),
			T("report.quality.h1"), T("report.quality.h1_den"), T("report.quality.first"), T("report.quality.first_den")}
		row := func(style int, q QualityRow) {
			sw.put(style, q.Key, q.Name,
				q.IntakeToHandover.N, daysCell(q.IntakeToHandover.Median), daysCell(q.IntakeToHandover.P90),
				q.HandoverToResult.N, daysCell(q.HandoverToResult.Median), daysCell(q.HandoverToResult.P90),
				q.PostToDelivery.N, daysCell(q.PostToDelivery.Median), daysCell(q.PostToDelivery.P90),
				pctCell{q.HandedOverIn1Day.Percent(), true}, q.HandedOverIn1Day.Den,
				pctCell{q.FirstAttempt.Percent(), true}, q.FirstAttempt.Den)
		}
		sw.row++
		sw.put(st.bold, T("report.quality.by_post_point"))
		sw.put(st.head, qualityHead...)
		tot := q.Total
		tot.Key, tot.Name = T("report.total"), r.Scope
		row(st.bold, tot)
		for _, x := range q.ByPostPoint {
			row(0, x)
		}
		sw.row++
		sw.put(st.bold, T("report.quality.by_procedure"))
		sw.put(st.head, qualityHead...)
		for _, x := range q.ByProcedure {
			row(0, x)
		}
		f.SetColWidth(name, "A", "A", 24)
		f.SetColWidth(name, "B", "B", 50)
		f.SetColWidth(name, "C", "O", 12)
		if sw.err != nil {
			return sw.err
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func shareCell(num, den int64) pctCell {
	if den <= 0 {
		return pctCell{0, true}
	}
	return pctCell{100 * float64(num) / float64(den), true}
}

// Notes are the sentences a report shows under its figures: a missing
// denominator, BCCI events left out for want of totals, months without
// totals, and months cut by the period.
func Notes(r *Report, lang *i18n.Catalog) []string {
	var out []string
	for i, f := range r.Total.Figures {
		if !f.DenominatorKnown {
			out = append(out, fmt.Sprintf("%d. %s: %s", i+1, FigureLabel(lang, f.Kind), lang.T("report.missing_denominator")))
		}
	}
	if r.Total.UncoveredReceived+r.Total.UncoveredReturned > 0 && r.Total.Figure(domain.FigureDossiers).DenominatorKnown {
		out = append(out, lang.Tf("report.note.uncovered", map[string]string{
			"Received": strconv.FormatInt(r.Total.UncoveredReceived, 10), "Returned": strconv.FormatInt(r.Total.UncoveredReturned, 10)}))
	}
	if len(r.MissingMonths) > 0 && r.Total.Figure(domain.FigureDossiers).DenominatorKnown {
		var ms []string
		for _, m := range r.MissingMonths {
			ms = append(ms, m.Label())
		}
		out = append(out, lang.Tf("report.note.missing_months", map[string]string{"Months": strings.Join(ms, ", ")}))
	}
	if partialMonths(r.Period) {
		out = append(out, lang.T("report.note.partial_months"))
	}
	return out
}

// partialMonths reports whether the period starts or ends inside a month
// (totals are monthly, so figures 2 and 3 then divide part of a month's
// BCCI dossiers by the whole month's totals).
func partialMonths(p domain.Period) bool {
	return p.From.Day() != 1 || p.To.AddDate(0, 0, 1).Day() != 1
}

// Write writes r in format ("json", "csv", "xlsx" or "pdf"). The chart is
// drawn for the XLSX and the PDF.
func Write(w io.Writer, format string, r *Report, lang *i18n.Catalog) error {
	if lang == nil {
		lang = i18n.Current()
	}
	switch format {
	case "json":
		return WriteJSON(w, r, lang)
	case "csv":
		return WriteCSV(w, r, lang)
	case "xlsx", "pdf":
		chart, err := Chart(r, lang)
		if err != nil {
			return err
		}
		if format == "xlsx" {
			return WriteXLSX(w, r, lang, chart)
		}
		return WritePDF(w, r, PDFOptions{Lang: lang, Chart: chart})
	}
	return fmt.Errorf("unknown format %q (want json, csv, xlsx or pdf)", format)
}

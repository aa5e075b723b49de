package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
)

// PDFOptions tune the PDF report.
type PDFOptions struct {
	Lang  *i18n.Catalog
	Chart []byte // the trend chart PNG; nil draws it
	// Worst is how many units furthest below each target to list (hub; 0: 10).
	Worst int
}

func (o PDFOptions) lang() *i18n.Catalog {
	if o.Lang == nil {
		return i18n.Current()
	}
	return o.Lang
}

// WritePDF writes r as an A4 report: the three figures with met / not met,
// the notes, the trend chart, the units furthest below each target (when
// grouped), every unit, the procedures with no BCCI dossier, and the
// service quality.
func WritePDF(w io.Writer, r *Report, opt PDFOptions) error {
	lang := opt.lang()
	chart := opt.Chart
	if chart == nil {
		var err error
		if chart, err = Chart(r, lang); err != nil {
			return err
		}
	}
	if opt.Worst <= 0 {
		opt.Worst = 10
	}
	created := r.GeneratedAt
	if created.IsZero() {
		created = time.Now()
	}
	T := lang.T
	doc, err := receipt.Build(receipt.A4, receipt.Options{Title: T("report.title"), Subject: r.Scope, Lang: lang,
		Footer: T("report.pdf.footer"), Numbers: true, Created: created}, func(d *receipt.Doc) error {
		d.Letterhead([]receipt.Line{{Text: strings.ToUpper(r.Scope), Style: receipt.Style{Bold: true}}, {Text: r.ScopeCode}},
			[]receipt.Line{{Text: T("report.motto1"), Style: receipt.Style{Bold: true}}, {Text: T("report.motto2"), Style: receipt.Style{Bold: true}}})
		d.Heading(T("report.title"))
		d.SetLabelWidth(45)
		d.Row(T("report.period"), r.Period.Label())
		d.Row(T("report.generated"), domain.FormatDateTime(created))
		d.Subheading(T("report.pdf.figures"))
		var rows [][]string
		for i, f := range r.Total.Figures {
			rows = append(rows, figureCells(i, f, lang))
		}
		d.Table(figureColumns(lang), rows)
		for i, f := range r.Total.Figures {
			d.Text(fmt.Sprintf("%d. %s", i+1, T(f.RuleKey())), receipt.Style{Size: d.BaseSize() - 1})
		}
		for _, n := range Notes(r, lang) {
			d.Text("• "+n, receipt.Style{Italic: true, Size: d.BaseSize() - 1})
		}
		d.Space(2)
		if err := d.Image(chart, d.Width(), "C"); err != nil {
			return err
		}
		d.Space(2)

		if len(r.Units) > 0 {
			for i, k := range domain.FigureKinds {
				d.Subheading(fmt.Sprintf("%s %d. %s", T("report.pdf.worst"), i+1, FigureLabel(lang, k)))
				var rows [][]string
				for _, u := range r.Worst(k, opt.Worst) {
					// only units below the target; those without totals are in the table of every unit
					if f := u.Figure(k); f.DenominatorKnown && !f.Met() {
						rows = append(rows, []string{u.Key, u.Name, fmtInt(f.Numerator), denText(f, lang), pctText(f, lang), metText(f, lang)})
					}
				}
				if len(rows) == 0 {
					d.Text(T("report.pdf.all_met"), receipt.Style{Italic: true})
					continue
				}
				d.Table([]receipt.Column{{Title: T("report.col.unit"), Width: 28}, {Title: T("report.col.name")},
					{Title: T("report.col.numerator"), Width: 20, Align: "R"}, {Title: T("report.col.denominator"), Width: 24, Align: "R"},
					{Title: T("report.col.percent"), Width: 18, Align: "R"}, {Title: T("report.col.result"), Width: 22, Align: "C"}}, rows)
			}
			d.Subheading(T("report.pdf.units"))
			var urows [][]string
			for _, u := range r.Units {
				row := []string{u.Key, u.Name}
				for _, f := range u.Figures {
					row = append(row, pctText(f, lang)+markOf(f))
				}
				urows = append(urows, row)
			}
			d.Table([]receipt.Column{{Title: T("report.col.unit"), Width: 28}, {Title: T("report.col.name")},
				{Title: "1. " + FigureLabel(lang, domain.FigureProcedures), Width: 30, Align: "R"},
				{Title: "2. " + FigureLabel(lang, domain.FigureDossiers), Width: 30, Align: "R"},
				{Title: "3. " + FigureLabel(lang, domain.FigureResults), Width: 30, Align: "R"}}, urows)
			d.Text(T("report.pdf.mark"), receipt.Style{Italic: true, Size: d.BaseSize() - 1})
		}

		d.Subheading(T("report.pdf.no_bcci"))
		none := r.NoBCCI()
		if len(none) == 0 {
			d.Text(T("report.pdf.no_bcci_none"), receipt.Style{})
		} else {
			var rows [][]string
			for i, p := range none {
				rows = append(rows, []string{strconv.Itoa(i + 1), p.Code, p.Name, p.Field})
			}
			d.Table([]receipt.Column{{Title: T("report.col.no"), Width: 10, Align: "C"}, {Title: T("report.col.code"), Width: 34},
				{Title: T("report.col.procedure")}, {Title: T("report.col.field"), Width: 40}}, rows)
		}

		if q := r.Quality; q != nil {
			d.Subheading(T("report.pdf.quality"))
			d.Text(T("report.quality.definition"), receipt.Style{Size: d.BaseSize() - 1})
			d.Space(1)
			cols := qualityColumns(lang)
			tot := q.Total
			tot.Key, tot.Name = T("report.total"), r.Scope
			rows := [][]string{qualityCells(tot)}
			for _, x := range q.ByPostPoint {
				rows = append(rows, qualityCells(x))
			}
			d.Text(T("report.quality.by_post_point"), receipt.Style{Bold: true})
			d.Table(cols, rows)
			if len(q.ByProcedure) > 0 {
				rows = nil
				for _, x := range q.ByProcedure {
					rows = append(rows, qualityCells(x))
				}
				d.Text(T("report.quality.by_procedure"), receipt.Style{Bold: true})
				d.Table(cols, rows)
			}
		}

		d.Subheading(T("report.pdf.definitions"))
		for i, k := range domain.FigureKinds {
			d.Text(fmt.Sprintf("%d. %s", i+1, T("report.definition."+string(k))), receipt.Style{Size: d.BaseSize() - 1})
		}
		return nil
	})
	if err != nil {
		return err
	}
	return doc.Output(w)
}

func figureColumns(lang *i18n.Catalog) []receipt.Column {
	T := lang.T
	return []receipt.Column{{Title: T("report.col.figure")}, {Title: T("report.col.numerator"), Width: 20, Align: "R"},
		{Title: T("report.col.denominator"), Width: 30, Align: "R"}, {Title: T("report.col.percent"), Width: 18, Align: "R"},
		{Title: T("report.col.target"), Width: 18, Align: "R"}, {Title: T("report.col.result"), Width: 24, Align: "C"}}
}

func figureCells(i int, f domain.Figure, lang *i18n.Catalog) []string {
	return []string{fmt.Sprintf("%d. %s", i+1, FigureLabel(lang, f.Kind)), fmtInt(f.Numerator), denText(f, lang), pctText(f, lang),
		"> " + domain.FormatPercent(f.Target), metText(f, lang)}
}

func denText(f domain.Figure, lang *i18n.Catalog) string {
	if !f.DenominatorKnown {
		return lang.T("report.missing_denominator")
	}
	return fmtInt(f.Denominator)
}

func pctText(f domain.Figure, lang *i18n.Catalog) string {
	p, ok := f.Percent()
	if !ok {
		return "—"
	}
	return domain.FormatPercent(p)
}

// markOf marks a unit's figure met (✓) or not (✗) in the units table.
func markOf(f domain.Figure) string {
	if !f.DenominatorKnown {
		return ""
	}
	if f.Met() {
		return " ✓"
	}
	return " ✗"
}

// fmtInt writes a count with Vietnamese thousands dots: 12.345.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func fmtDays(s Stat) string {
	if s.N == 0 {
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(s.Median, 'f', 1, 64), ".", ",", 1) + " / " +
		strings.Replace(strconv.FormatFloat(s.P90, 'f', 1, 64), ".", ",", 1)
}

func fmtShare(s Share) string {
	if s.Den == 0 {
		return "—"
	}
	return domain.FormatPercent(s.Percent()) + " (" + fmtInt(s.Num) + "/" + fmtInt(s.Den) + ")"
}

func qualityColumns(lang *i18n.Catalog) []receipt.Column {
	T := lang.T
	return []receipt.Column{{Title: T("report.col.name")}, {Title: T("report.quality.ih"), Width: 24, Align: "R"},
		{Title: T("report.quality.hr"), Width: 24, Align: "R"}, {Title: T("report.quality.pd"), Width: 24, Align: "R"},
		{Title: T("report.quality.h1"), Width: 26, Align: "R"}, {Title: T("report.quality.first"), Width: 26, Align: "R"}}
}

func qualityCells(q QualityRow) []string {
	name := q.Name
	if q.Key != "" && q.Key != q.Name {
		name = q.Key + " " + q.Name
	}
	return []string{name, fmtDays(q.IntakeToHandover), fmtDays(q.HandoverToResult), fmtDays(q.PostToDelivery),
		fmtShare(q.HandedOverIn1Day), fmtShare(q.FirstAttempt)}
}

// NoticeOptions name the unit that pins the notice.
type NoticeOptions struct {
	Unit    string // e.g. "Bưu điện Văn hóa xã Ia O"
	Hotline string
	Date    time.Time
	Lang    *i18n.Catalog
}

// WriteNotice writes the public notice (A4): the procedures open for BCCI
// intake and return, and those that are not, grouped by field, with codes —
// the lists the province asks every unit to post ("niêm yết công khai").
func WriteNotice(w io.Writer, procs []domain.Procedure, opt NoticeOptions) error {
	lang := opt.Lang
	if lang == nil {
		lang = i18n.Current()
	}
	if opt.Date.IsZero() {
		opt.Date = time.Now()
	}
	T := lang.T
	var open, closed []domain.Procedure
	for _, p := range procs {
		if p.Deployed() {
			open = append(open, p)
		} else {
			closed = append(closed, p)
		}
	}
	doc, err := receipt.Build(receipt.A4, receipt.Options{Title: T("notice.title"), Subject: opt.Unit, Lang: lang,
		Footer: T("notice.footer"), Numbers: true, Created: opt.Date}, func(d *receipt.Doc) error {
		d.Letterhead([]receipt.Line{{Text: strings.ToUpper(opt.Unit), Style: receipt.Style{Bold: true}}},
			[]receipt.Line{{Text: T("report.motto1"), Style: receipt.Style{Bold: true}}, {Text: T("report.motto2"), Style: receipt.Style{Bold: true}}})
		d.Text(lang.Tf("notice.date", map[string]string{"Date": domain.FormatDate(opt.Date)}), receipt.Style{Italic: true, Align: "R"})
		d.Heading(T("notice.title"))
		d.Text(T("notice.intro"), receipt.Style{})
		if opt.Hotline != "" {
			d.Text(lang.Tf("notice.hotline", map[string]string{"Hotline": opt.Hotline}), receipt.Style{Bold: true})
		}
		d.Space(2)
		d.Subheading(lang.Tf("notice.open", map[string]string{"N": strconv.Itoa(len(open))}))
		x := T("notice.yes")
		no := T("notice.no_mark")
		n := 0
		for _, g := range byField(open) {
			d.Text(g.field, receipt.Style{Bold: true})
			var rows [][]string
			for _, p := range g.procs {
				n++
				in, out := no, no
				if p.BCCIIntake {
					in = x
				}
				if p.BCCIReturn {
					out = x
				}
				rows = append(rows, []string{strconv.Itoa(n), p.Code, p.Name, in, out})
			}
			d.Table([]receipt.Column{{Title: T("report.col.no"), Width: 10, Align: "C"}, {Title: T("report.col.code"), Width: 36},
				{Title: T("report.col.procedure")}, {Title: T("notice.col.intake"), Width: 22, Align: "C"},
				{Title: T("notice.col.return"), Width: 22, Align: "C"}}, rows)
		}
		d.Subheading(lang.Tf("notice.closed", map[string]string{"N": strconv.Itoa(len(closed))}))
		if len(closed) == 0 {
			d.Text(T("notice.closed_none"), receipt.Style{})
		}
		n = 0
		for _, g := range byField(closed) {
			d.Text(g.field, receipt.Style{Bold: true})
			var rows [][]string
			for _, p := range g.procs {
				n++
				rows = append(rows, []string{strconv.Itoa(n), p.Code, p.Name})
			}
			d.Table([]receipt.Column{{Title: T("report.col.no"), Width: 10, Align: "C"}, {Title: T("report.col.code"), Width: 36},
				{Title: T("report.col.procedure")}}, rows)
		}
		d.Space(2)
		d.Text(T("notice.outro"), receipt.Style{Italic: true})
		return nil
	})
	if err != nil {
		return err
	}
	return doc.Output(w)
}

type fieldGroup struct {
	field string
	procs []domain.Procedure
}

// byField groups procedures by field, fields in Vietnamese alphabetical
// order (by their diacritic-free form, then as written), codes in order.
func byField(procs []domain.Procedure) []fieldGroup {
	m := map[string][]domain.Procedure{}
	for _, p := range procs {
		m[p.Field] = append(m[p.Field], p)
	}
	var out []fieldGroup
	for f, ps := range m {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Code < ps[j].Code })
		out = append(out, fieldGroup{field: f, procs: ps})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := domain.Fold(out[i].field), domain.Fold(out[j].field)
		if a != b {
			return a < b
		}
		return out[i].field < out[j].field
	})
	return out
}

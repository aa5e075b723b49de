package hubreport

import (
	"bytes"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/report"
)

// The province report page: the three figures for a period, by commune,
// agency, field or post point, sortable by unit, with the chart, the
// procedures with no BCCI dossier, downloads (XLSX, PDF, CSV, JSON) and the
// totals import.

//go:embed page.html
var reportFiles embed.FS

// StaffPage is the report page for the hub's server (hubweb.Options.Pages).
func StaffPage() hubweb.ExtraPage {
	return hubweb.ExtraPage{Path: "/report", TitleKey: "hub.report.title", Handler: serveReport}
}

var reportTmpls sync.Map // locale → *template.Template

func reportTemplate(p *hubweb.Page) (*template.Template, error) {
	if t, ok := reportTmpls.Load(p.Catalog.Locale()); ok {
		return t.(*template.Template), nil
	}
	t, err := template.New("report").Funcs(p.Funcs()).ParseFS(reportFiles, "page.html")
	if err != nil {
		return nil, err
	}
	reportTmpls.Store(p.Catalog.Locale(), t)
	return t, nil
}

// MaxTotalsUpload is the largest totals file the page accepts.
const MaxTotalsUpload = report.MaxTotalsFile

type figureCell struct {
	Label, Percent, Numerator, Denominator, Target string
	Rule                                           string // the counting rule in one line
	Known, Met                                     bool
}

type unitRow struct {
	Key, Name string
	Cells     []figureCell
}

type reportColumn struct {
	Label, Href string
	Num, Active bool
}

type dimOption struct {
	Value, Label string
	Selected     bool
}

type qualityRow struct{ Key, Name, IH, HR, PD, H1, First string }

// worstList is the units furthest below one figure's target.
type worstList struct {
	Label string
	Units []unitRow
}

type reportView struct {
	From, To, By, CSRF, Scope, PeriodLabel, Error string
	Quality, Desc                                 bool
	Dims                                          []dimOption
	Report                                        *struct{ Figures []figureCell }
	Notes                                         []string
	Chart                                         template.URL
	Units                                         []unitRow
	Columns                                       []reportColumn
	NoBCCI                                        []report.ProcedureRow
	QualityRows                                   []qualityRow
	Worst                                         []worstList
	ImportNotice                                  string
	ImportErrors                                  []string
	query                                         url.Values
}

// Download is the link that downloads the report shown in format.
func (v *reportView) Download(format string) string {
	q := url.Values{}
	for k, vs := range v.query {
		q[k] = vs
	}
	q.Set("format", format)
	q.Del("sort")
	q.Del("desc")
	return "/report?" + q.Encode()
}

func cellOf(f domain.Figure, cat *i18n.Catalog) figureCell {
	c := figureCell{Label: report.FigureLabel(cat, f.Kind), Numerator: strconv.FormatInt(f.Numerator, 10),
		Target: domain.FormatPercent(f.Target), Met: f.Met(), Rule: cat.T(f.RuleKey())}
	if p, ok := f.Percent(); ok {
		c.Known, c.Percent, c.Denominator = true, domain.FormatPercent(p), strconv.FormatInt(f.Denominator, 10)
	}
	return c
}

func fmtStat(s report.Stat) string {
	if s.N == 0 {
		return "—"
	}
	f := func(x float64) string { return strings.Replace(strconv.FormatFloat(x, 'f', 1, 64), ".", ",", 1) }
	return f(s.Median) + " / " + f(s.P90)
}

func fmtShare(s report.Share) string {
	if s.Den == 0 {
		return "—"
	}
	return domain.FormatPercent(s.Percent()) + " (" + strconv.FormatInt(s.Num, 10) + "/" + strconv.FormatInt(s.Den, 10) + ")"
}

// sortUnits orders units by a reportColumn: "key", "name", or "1"–"3" (a
// figure's percentage; units without a denominator last either way).
func sortUnits(units []report.Unit, by string, desc bool) {
	less := func(a, b report.Unit) bool { return a.Key < b.Key }
	switch by {
	case "name":
		less = func(a, b report.Unit) bool { return domain.Fold(a.Name) < domain.Fold(b.Name) }
	case "1", "2", "3":
		k := domain.FigureKinds[by[0]-'1']
		less = func(a, b report.Unit) bool {
			pa, oka := a.Figure(k).Percent()
			pb, okb := b.Figure(k).Percent()
			if oka != okb {
				return oka != desc // unknown last (the comparison is reversed below for desc)
			}
			if pa != pb {
				return pa < pb
			}
			return a.Key < b.Key
		}
	}
	sort.SliceStable(units, func(i, j int) bool {
		if desc {
			return less(units[j], units[i])
		}
		return less(units[i], units[j])
	})
}

func serveReport(w http.ResponseWriter, r *http.Request, p *hubweb.Page) {
	cat := p.Catalog
	v := &reportView{CSRF: p.CSRF}
	if r.Method == http.MethodPost {
		v.ImportNotice, v.ImportErrors = importTotalsUpload(w, r, p)
	}
	q := r.URL.Query()
	v.query = url.Values{}
	now := p.Store.Now()
	per := domain.YearPeriod(now.In(domain.Zone).Year())
	v.From, v.To = q.Get("from"), q.Get("to")
	if v.From != "" || v.To != "" {
		pp, err := domain.ParsePeriod(v.From, v.To)
		if err != nil {
			v.Error = cat.Message(err)
		} else {
			per = pp
		}
	}
	v.From, v.To = domain.FormatDate(per.From), domain.FormatDate(per.To)
	v.query.Set("from", v.From)
	v.query.Set("to", v.To)
	v.By = q.Get("by")
	if _, set := q["by"]; !set {
		v.By = "commune"
	}
	if !ValidDim(v.By) {
		v.By = "commune"
	}
	v.query.Set("by", v.By)
	v.Quality = q.Get("quality") == "1"
	if v.Quality {
		v.query.Set("quality", "1")
	}
	v.Dims = []dimOption{{Value: "", Label: cat.T("hub.report.by.none")}}
	for _, d := range Dims {
		v.Dims = append(v.Dims, dimOption{Value: d, Label: cat.T("hub.report.by." + d), Selected: d == v.By})
	}
	v.Dims[0].Selected = v.By == ""
	v.Scope = cat.T("hub.report.province")
	v.PeriodLabel = per.Label()

	rep, err := Compute(r.Context(), p.Store, per, Options{By: v.By, Quality: v.Quality, Name: v.Scope})
	if err != nil {
		v.Error = cat.Message(err)
		renderReport(w, p, v)
		return
	}
	if f := q.Get("format"); f != "" && r.Method == http.MethodGet {
		downloadReport(w, rep, f, per, cat)
		return
	}
	v.Report = &struct{ Figures []figureCell }{}
	for _, f := range rep.Total.Figures {
		v.Report.Figures = append(v.Report.Figures, cellOf(f, cat))
	}
	v.Notes = report.Notes(rep, cat)
	if png, err := report.Chart(rep, cat); err == nil {
		v.Chart = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	}
	if len(rep.Units) > 1 {
		for i, k := range domain.FigureKinds {
			wl := worstList{Label: strconv.Itoa(i+1) + ". " + report.FigureLabel(cat, k)}
			for _, u := range rep.Worst(k, 5) {
				if f := u.Figure(k); f.DenominatorKnown && !f.Met() {
					wl.Units = append(wl.Units, unitRow{Key: u.Key, Name: u.Name, Cells: []figureCell{cellOf(f, cat)}})
				}
			}
			v.Worst = append(v.Worst, wl)
		}
	}
	sortBy, desc := q.Get("sort"), q.Get("desc") == "1"
	v.Desc = desc
	sortUnits(rep.Units, sortBy, desc)
	for _, u := range rep.Units {
		row := unitRow{Key: u.Key, Name: u.Name}
		for _, f := range u.Figures {
			row.Cells = append(row.Cells, cellOf(f, cat))
		}
		v.Units = append(v.Units, row)
	}
	colHref := func(key string) string {
		cq := url.Values{}
		for k, vs := range v.query {
			cq[k] = vs
		}
		cq.Set("sort", key)
		if key == sortBy && !desc {
			cq.Set("desc", "1")
		}
		return "/report?" + cq.Encode() + "#units"
	}
	v.Columns = []reportColumn{{Label: cat.T("report.col.unit"), Href: colHref("key"), Active: sortBy == "key" || sortBy == ""},
		{Label: cat.T("report.col.name"), Href: colHref("name"), Active: sortBy == "name"}}
	for i, k := range domain.FigureKinds {
		key := strconv.Itoa(i + 1)
		v.Columns = append(v.Columns, reportColumn{Label: key + ". " + report.FigureLabel(cat, k), Href: colHref(key), Num: true, Active: sortBy == key})
	}
	v.NoBCCI = rep.NoBCCI()
	if qr := rep.Quality; qr != nil {
		add := func(x report.QualityRow) {
			v.QualityRows = append(v.QualityRows, qualityRow{Key: x.Key, Name: x.Name, IH: fmtStat(x.IntakeToHandover),
				HR: fmtStat(x.HandoverToResult), PD: fmtStat(x.PostToDelivery), H1: fmtShare(x.HandedOverIn1Day), First: fmtShare(x.FirstAttempt)})
		}
		tot := qr.Total
		tot.Key, tot.Name = cat.T("report.total"), v.Scope
		add(tot)
		for _, x := range qr.ByPostPoint {
			add(x)
		}
	}
	renderReport(w, p, v)
}

func renderReport(w http.ResponseWriter, p *hubweb.Page, v *reportView) {
	t, err := reportTemplate(p)
	if err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "report", v); err != nil {
		http.Error(w, "template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	p.Render(w, "hub.report.title", template.HTML(buf.String()))
}

var reportContentTypes = map[string]string{
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pdf":  "application/pdf",
	"csv":  "text/csv; charset=utf-8",
	"json": "application/json; charset=utf-8",
}

func downloadReport(w http.ResponseWriter, rep *report.Report, format string, per domain.Period, cat *i18n.Catalog) {
	ct, ok := reportContentTypes[format]
	if !ok {
		http.Error(w, "unknown format", http.StatusBadRequest)
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, format, rep, cat); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	name := "bao-cao-bcci-" + per.From.Format("20060102") + "-" + per.To.Format("20060102")
	if rep.By != "" {
		name += "-" + rep.By
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// importTotalsUpload imports a totals file posted from the page (the CSRF
// token was checked before the handler ran).
func importTotalsUpload(w http.ResponseWriter, r *http.Request, p *hubweb.Page) (notice string, problems []string) {
	cat := p.Catalog
	r.Body = http.MaxBytesReader(w, r.Body, MaxTotalsUpload+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return "", []string{cat.T("hub.report.err.upload")}
	}
	file, head, err := r.FormFile("totals")
	if err != nil {
		return "", []string{cat.T("hub.report.err.upload")}
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, MaxTotalsUpload+1))
	if err != nil || len(data) > MaxTotalsUpload {
		return "", []string{cat.T("err.totals.too_large")}
	}
	name := head.Filename
	var f *report.TotalsFile
	switch strings.ToLower(name[strings.LastIndex(name, ".")+1:]) {
	case "csv":
		f, err = report.ParseTotalsCSV(data, name)
	case "xlsx":
		f, err = report.ParseTotalsXLSX(data, name)
	default:
		err = domain.Errors{domain.Errf(name, "err.totals.bad_extension", "a totals file must be .csv or .xlsx")}
	}
	if err == nil {
		_, err = p.Store.ImportReportTotals(r.Context(), p.User, f)
	}
	if err != nil {
		var es domain.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				problems = append(problems, cat.Message(e))
			}
			return "", problems
		}
		return "", []string{cat.Message(err)}
	}
	return cat.Tf("hub.report.totals_done", map[string]string{"File": name, "Rows": strconv.Itoa(len(f.Rows)),
		"From": f.From.Label(), "To": f.To.Label()}), nil
}

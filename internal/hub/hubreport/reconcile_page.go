package hubreport

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubweb"
)

//go:embed reconcile/*.html
var reconcileFiles embed.FS

// ReconcilePage is the reconciliation's staff page, for hubweb.Options.Pages.
func ReconcilePage() hubweb.ExtraPage {
	return hubweb.ExtraPage{Path: "/reconcile", TitleKey: "hub.reconcile.title", Handler: serveReconcile}
}

type reconcileCell struct {
	Agency, Name, Month                                   string
	Received, Returned, TotalDossiers, TotalResults, List string
	Problems, OnlyPostDesk, OnlyOneStop                   []string
}

// serveReconcile shows the reconciliation of a period (this month by default).
func serveReconcile(w http.ResponseWriter, r *http.Request, p *hubweb.Page) {
	cat := p.Catalog
	now := p.Store.Now().In(domain.Zone)
	per := domain.MonthPeriod(now.Year(), now.Month())
	q := r.URL.Query()
	v := struct {
		From, To, Error string
		Rows            []reconcileCell
	}{}
	if q.Get("from") != "" || q.Get("to") != "" {
		pp, err := domain.ParsePeriod(q.Get("from"), q.Get("to"))
		if err != nil {
			v.Error = cat.Message(err)
		} else {
			per = pp
		}
	}
	v.From, v.To = domain.FormatDate(per.From), domain.FormatDate(per.To)
	rows, err := p.Store.Reconcile(r.Context(), per)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	num := func(n *int64) string {
		if n == nil {
			return "—"
		}
		return strconv.FormatInt(*n, 10)
	}
	for _, row := range rows {
		var problems []string
		for _, e := range row.Issues {
			problems = append(problems, cat.Message(e))
		}
		row.Problems = problems
		v.Rows = append(v.Rows, reconcileCell{Agency: row.Agency, Name: row.Name, Month: row.Month.Label(),
			Received: strconv.FormatInt(row.Received, 10), Returned: strconv.FormatInt(row.Returned, 10),
			TotalDossiers: num(row.TotalDossiers), TotalResults: num(row.TotalResults), List: num(row.ListBCCI),
			Problems: row.Problems, OnlyPostDesk: row.OnlyPostDesk, OnlyOneStop: row.OnlyOneStop})
	}
	t, err := template.New("reconcile").Funcs(p.Funcs()).ParseFS(reconcileFiles, "reconcile/page.html")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "reconcile", v); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	p.Render(w, "hub.reconcile.title", template.HTML(strings.TrimSpace(buf.String())))
}

package hubcli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"postdesk/internal/cmdline"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubreport"
	"postdesk/internal/report"
)

func init() {
	register("hub report kpi", "--db HUB.db [--from DD/MM/YYYY --to DD/MM/YYYY | --year YYYY | --quarter Q/YYYY | --month MM/YYYY] [--by commune|agency|field|post-point] [--quality] --format json|csv|xlsx|pdf --out FILE",
		"the province's three BCCI figures over every post point, by unit", runHubReportKPI)
	register("hub report import-totals", "--db HUB.db [--staff NAME] FILE (.csv or .xlsx)",
		"import the one-stop system's all-channel totals for the province (internal/report/TOTALS.md), all or nothing", runHubReportTotals)
	register("hub report import-catalog", "--db HUB.db FILE… (.csv or .xlsx)",
		"replace the province catalog the report uses (deployed flags, fields, agencies)", runHubReportCatalog)
	register("hub report import-communes", "--db HUB.db FILE.csv",
		"replace the communes file: columns commune, post_point_code, agency_code", runHubReportCommunes)
	register("hub report targets", "--db HUB.db [--procedures N --dossiers N --results N]",
		"show or set the province's three targets (percent)", runHubReportTargets)
}

func runHubReportKPI(env *Env, args []string) error {
	fs := flags("hub report kpi")
	db := fs.String("db", "", "hub database file")
	pf := cmdline.AddReportPeriodFlags(fs)
	by := fs.String("by", "", "commune, agency, field or post-point")
	quality := fs.Bool("quality", false, "also the service quality (reads every dossier of the period)")
	format := fs.String("format", "", "json, csv, xlsx or pdf (default: the --out extension)")
	out := fs.String("out", "", "output file (- for standard output)")
	lang := fs.String("lang", "", "vi (default) or en")
	name := fs.String("name", "", "the province's name on the report")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	if !hubreport.ValidDim(*by) {
		return usagef("--by must be commune, agency, field or post-point")
	}
	f, err := cmdline.ReportFormat(*format, *out)
	if err != nil {
		return err
	}
	cat, err := cmdline.ReportLang(*lang)
	if err != nil {
		return usagef("%v", err)
	}
	h, err := openHub(*db)
	if err != nil {
		return err
	}
	defer h.Close()
	p, err := pf.Period(h.Now())
	if err != nil {
		return err
	}
	scope := *name
	if scope == "" {
		scope = cat.T("hub.report.province")
	}
	r, err := hubreport.Compute(env.Ctx, h, p, hubreport.Options{By: *by, Quality: *quality, Name: scope})
	if err != nil {
		return err
	}
	if err := cmdline.WriteOut(env.Stdout, *out, func(w io.Writer) error { return report.Write(w, f, r, cat) }); err != nil {
		return err
	}
	if *out != "-" {
		cmdline.PrintReportFigures(env.Stdout, r, cat)
		if len(r.Units) > 0 {
			fmt.Fprintf(env.Stdout, "%d units by %s\n", len(r.Units), *by)
		}
		fmt.Fprintf(env.Stdout, "written %s\n", *out)
	}
	return nil
}

func runHubReportTotals(env *Env, args []string) error {
	fs := flags("hub report import-totals")
	db := fs.String("db", "", "hub database file")
	staff := fs.String("staff", "cli", "who imports")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	return cmdline.ImportTotalsFile(env.Stdout, pos, func(f *report.TotalsFile) (int64, error) {
		h, err := openHub(*db)
		if err != nil {
			return 0, err
		}
		defer h.Close()
		return h.ImportReportTotals(env.Ctx, *staff, f)
	})
}

func runHubReportCatalog(env *Env, args []string) error {
	fs := flags("hub report import-catalog")
	db := fs.String("db", "", "hub database file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	f, err := cmdline.ParseCatalogFiles(pos)
	if err != nil {
		return err
	}
	h, err := openHub(*db)
	if err != nil {
		return err
	}
	defer h.Close()
	n, err := h.ImportReportCatalog(env.Ctx, f)
	if err != nil {
		return withContext("nothing imported", err)
	}
	fmt.Fprintf(env.Stdout, "report catalog: %d procedures, %d agencies\n", n, len(f.Agencies))
	return nil
}

func runHubReportCommunes(env *Env, args []string) error {
	fs := flags("hub report import-communes")
	db := fs.String("db", "", "hub database file")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one FILE.csv")
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	h, err := openHub(*db)
	if err != nil {
		return err
	}
	defer h.Close()
	posts, agencies, err := h.ImportReportCommunes(env.Ctx, data, pos[0])
	if err != nil {
		return withContext(pos[0]+": nothing imported", err)
	}
	fmt.Fprintf(env.Stdout, "communes: %d post points, %d agencies\n", posts, agencies)
	return nil
}

func runHubReportTargets(env *Env, args []string) error {
	fs := flags("hub report targets")
	db := fs.String("db", "", "hub database file")
	procs := fs.String("procedures", "", "target 1, percent")
	doss := fs.String("dossiers", "", "target 2, percent")
	res := fs.String("results", "", "target 3, percent")
	base := fs.String("results-base", "", "what figure 3 divides by: dossiers (the province letter, default) or results")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	h, err := openHub(*db)
	if err != nil {
		return err
	}
	defer h.Close()
	t, err := h.ReportTargets(env.Ctx)
	if err != nil {
		return err
	}
	if *procs+*doss+*res+*base != "" {
		if *base != "" {
			if !domain.ValidResultsBase(*base) {
				return usagef("--results-base %q: want dossiers or results", *base)
			}
			t.ResultsBase = *base
		}
		for _, x := range []struct {
			v   string
			dst *float64
		}{{*procs, &t.ProceduresWithBCCI}, {*doss, &t.DossiersViaBCCI}, {*res, &t.ResultsViaBCCI}} {
			if x.v == "" {
				continue
			}
			n, err := strconv.ParseFloat(x.v, 64)
			if err != nil {
				return usagef("%q is not a number", x.v)
			}
			*x.dst = n
		}
		if err := h.SetReportTargets(env.Ctx, t); err != nil {
			return err
		}
	}
	over := domain.ResultsOverDossiers
	if t.OverResults() {
		over = domain.ResultsOverResults
	}
	fmt.Fprintf(env.Stdout, "targets: procedures > %g%%, dossiers > %g%%, results > %g%% (figure 3 over all %s)\n",
		t.ProceduresWithBCCI, t.DossiersViaBCCI, t.ResultsViaBCCI, over)
	return nil
}

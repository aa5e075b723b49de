package hubcli

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"postdesk/internal/catalog"
	"postdesk/internal/cmdline"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubreport"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/report"
)

func runHubReportKPI(env *Env, args []string) error {
	fs, db := hubFlags("hub report kpi")
	rf := cmdline.AddReportFileFlags(fs)
	by := fs.String("by", "", "commune, agency, field or post-point")
	quality := fs.Bool("quality", false, "also the service quality (reads every dossier of the period)")
	name := fs.String("name", "", "the province's name on the report")
	check := func([]string) error {
		if err := rf.Check(); err != nil {
			return err
		}
		if !hubreport.ValidDim(*by) {
			return usagef("--by must be commune, agency, field or post-point")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(h *hubstore.Store, _ []string) error {
		p, err := rf.Period.Period(h.Now())
		if err != nil {
			return err
		}
		scope := *name
		if scope == "" {
			scope = rf.Lang.T("hub.report.province")
		}
		r, err := hubreport.Compute(env.Ctx, h, p, hubreport.Options{By: *by, Quality: *quality, Name: scope})
		if err != nil {
			return err
		}
		return rf.Write(env.Stdout, r, func(w io.Writer) {
			if len(r.Units) > 0 {
				fmt.Fprintf(w, "%d units by %s\n", len(r.Units), *by)
			}
		})
	})
}

func runHubReportTotals(env *Env, args []string) error {
	fs, db := hubFlags("hub report import-totals")
	staff := fs.String("staff", "cli", "who imports")
	var f *report.TotalsFile
	check := func(pos []string) (err error) {
		f, err = cmdline.TotalsFileArg(pos)
		return err
	}
	return onHub(fs, db, args, check, func(h *hubstore.Store, pos []string) error {
		id, err := h.ImportReportTotals(env.Ctx, *staff, f)
		return cmdline.TotalsImported(env.Stdout, pos[0], f, id, err)
	})
}

func runHubReportCatalog(env *Env, args []string) error {
	fs, db := hubFlags("hub report import-catalog")
	var f *catalog.File
	check := func(pos []string) (err error) {
		f, err = cmdline.ParseCatalogFiles(pos)
		return err
	}
	return onHub(fs, db, args, check, func(h *hubstore.Store, pos []string) error {
		n, err := h.ImportReportCatalog(env.Ctx, f)
		if err != nil {
			return withContext("nothing imported", err)
		}
		fmt.Fprintf(env.Stdout, "report catalog: %d procedures, %d agencies\n", n, len(f.Agencies))
		return nil
	})
}

func runHubReportCommunes(env *Env, args []string) error {
	fs, db := hubFlags("hub report import-communes")
	var data []byte
	check := func(pos []string) (err error) {
		if len(pos) != 1 {
			return usagef("give one FILE.csv")
		}
		data, err = os.ReadFile(pos[0])
		return err
	}
	return onHub(fs, db, args, check, func(h *hubstore.Store, pos []string) error {
		posts, agencies, err := h.ImportReportCommunes(env.Ctx, data, pos[0])
		if err != nil {
			return withContext(pos[0]+": nothing imported", err)
		}
		fmt.Fprintf(env.Stdout, "communes: %d post points, %d agencies\n", posts, agencies)
		return nil
	})
}

func runHubReportTargets(env *Env, args []string) error {
	fs, db := hubFlags("hub report targets")
	procs := fs.String("procedures", "", "target 1, percent")
	doss := fs.String("dossiers", "", "target 2, percent")
	res := fs.String("results", "", "target 3, percent")
	base := fs.String("results-base", "", "what figure 3 divides by: dossiers (the province letter, default) or results")
	return onHub(fs, db, args, nil, func(h *hubstore.Store, pos []string) error {
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
	})
}

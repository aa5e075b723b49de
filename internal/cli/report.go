package cli

import (
	"fmt"
	"io"

	"postdesk/i18n"
	"postdesk/internal/cmdline"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/report"
	"postdesk/internal/store"
)

func runReportKPI(env *Env, args []string) error {
	fs, db := dbFlags("report kpi")
	rf := cmdline.AddReportFileFlags(fs)
	check := func([]string) error { return rf.Check() }
	return onDB(fs, db, args, check, func(s *store.Store, _ []string) error {
		p, err := rf.Period.Period(s.Now())
		if err != nil {
			return err
		}
		r, err := report.PointReport(env.Ctx, s, p)
		if err != nil {
			return err
		}
		return rf.Write(env.Stdout, r, nil)
	})
}

func runTotalsImport(env *Env, args []string) error {
	fs, db := dbFlags("report totals import")
	staff := fs.String("staff", "cli", "who imports (recorded with the import)")
	var f *report.TotalsFile
	check := func(pos []string) (err error) {
		f, err = cmdline.TotalsFileArg(pos)
		return err
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		id, err := desk.New(s).ImportTotals(env.Ctx, cliActor(*staff), f)
		return cmdline.TotalsImported(env.Stdout, pos[0], f, id, err)
	})
}

func runTotalsList(env *Env, args []string) error {
	fs, db := dbFlags("report totals list")
	return onDB(fs, db, args, nil, func(s *store.Store, pos []string) error {
		list, err := s.TotalsImports(env.Ctx, 1000)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(env.Stdout, "no totals imported yet")
		}
		for _, i := range list {
			fmt.Fprintf(env.Stdout, "%d\t%s\t%s – %s\t%d rows\t%s\t%s\n", i.ID, domain.FormatDateTime(i.ImportedAt),
				i.From.Label(), i.To.Label(), i.Rows, i.Source, i.Staff)
		}
		return nil
	})
}

func runNotice(env *Env, args []string) error {
	fs, db := dbFlags("notice")
	out := fs.String("out", "", "output PDF")
	lang := fs.String("lang", "", "vi (default) or en")
	var cat *i18n.Catalog
	check := func([]string) (err error) {
		if *out == "" {
			return usagef("--out FILE.pdf is required")
		}
		if cat, err = cmdline.ReportLang(*lang); err != nil {
			return usagef("%v", err)
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		procs, err := s.Procedures(env.Ctx)
		if err != nil {
			return err
		}
		opt, err := report.PointNoticeOptions(env.Ctx, s)
		if err != nil {
			return err
		}
		opt.Lang = cat
		if err := cmdline.WriteOut(env.Stdout, *out, func(w io.Writer) error { return report.WriteNotice(w, procs, opt) }); err != nil {
			return err
		}
		open := 0
		for _, p := range procs {
			if p.Deployed() {
				open++
			}
		}
		fmt.Fprintf(env.Stdout, "notice written to %s: %d procedures open for BCCI, %d not\n", *out, open, len(procs)-open)
		return nil
	})
}

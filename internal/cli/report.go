package cli

import (
	"fmt"
	"io"

	"postdesk/internal/cmdline"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/report"
)

func init() {
	register("report kpi", "--db PATH [--from DD/MM/YYYY --to DD/MM/YYYY | --year YYYY | --quarter Q/YYYY | --month MM/YYYY] --format json|csv|xlsx|pdf --out FILE",
		"the province's three BCCI figures of this post point for a period (this year by default)", runReportKPI)
	register("report totals import", "--db PATH [--staff NAME] FILE (.csv or .xlsx)",
		"import the one-stop system's all-channel totals (format: internal/report/TOTALS.md), all or nothing", runTotalsImport)
	register("report totals list", "--db PATH", "list the totals imports, newest first", runTotalsList)
	register("notice", "--db PATH --out FILE.pdf", "print the public notice: procedures open and not open for BCCI, by field", runNotice)
}

func runReportKPI(env *Env, args []string) error {
	fs := flags("report kpi")
	db := fs.String("db", "", "database file")
	pf := cmdline.AddReportPeriodFlags(fs)
	format := fs.String("format", "", "json, csv, xlsx or pdf (default: the --out extension)")
	out := fs.String("out", "", "output file (- for standard output)")
	lang := fs.String("lang", "", "language of labels: vi (default) or en")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	f, err := cmdline.ReportFormat(*format, *out)
	if err != nil {
		return err
	}
	cat, err := cmdline.ReportLang(*lang)
	if err != nil {
		return usagef("%v", err)
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := pf.Period(s.Now())
	if err != nil {
		return err
	}
	r, err := report.PointReport(env.Ctx, s, p)
	if err != nil {
		return err
	}
	if err := cmdline.WriteOut(env.Stdout, *out, func(w io.Writer) error { return report.Write(w, f, r, cat) }); err != nil {
		return err
	}
	if *out != "-" {
		cmdline.PrintReportFigures(env.Stdout, r, cat)
		fmt.Fprintf(env.Stdout, "written %s\n", *out)
	}
	return nil
}

func runTotalsImport(env *Env, args []string) error {
	fs := flags("report totals import")
	db := fs.String("db", "", "database file")
	staff := fs.String("staff", "cli", "who imports (recorded with the import)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	return cmdline.ImportTotalsFile(env.Stdout, pos, func(f *report.TotalsFile) (int64, error) {
		s, err := openDB(*db)
		if err != nil {
			return 0, err
		}
		defer s.Close()
		return desk.New(s).ImportTotals(env.Ctx, cliActor(*staff), f)
	})
}

func runTotalsList(env *Env, args []string) error {
	fs := flags("report totals list")
	db := fs.String("db", "", "database file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
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
}

func runNotice(env *Env, args []string) error {
	fs := flags("notice")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "output PDF")
	lang := fs.String("lang", "", "vi (default) or en")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE.pdf is required")
	}
	cat, err := cmdline.ReportLang(*lang)
	if err != nil {
		return usagef("%v", err)
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
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
}

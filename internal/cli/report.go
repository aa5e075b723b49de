package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
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

// reportPeriodFlags are the ways to name a report's period on the command line.
type reportPeriodFlags struct {
	from, to, year, quarter, month *string
}

func addReportPeriodFlags(fs interface {
	String(name, value, usage string) *string
}) reportPeriodFlags {
	return reportPeriodFlags{
		from:    fs.String("from", "", "first day, dd/mm/yyyy"),
		to:      fs.String("to", "", "last day, dd/mm/yyyy"),
		year:    fs.String("year", "", "a calendar year, yyyy"),
		quarter: fs.String("quarter", "", "a quarter, q/yyyy (e.g. 2/2026)"),
		month:   fs.String("month", "", "a month, mm/yyyy"),
	}
}

// period resolves the flags; with none given, the current year.
func (pf reportPeriodFlags) period(now time.Time) (domain.Period, error) {
	n := 0
	for _, v := range []string{*pf.from + *pf.to, *pf.year, *pf.quarter, *pf.month} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return domain.Period{}, usagef("give one of --from/--to, --year, --quarter or --month")
	}
	switch {
	case *pf.from != "" || *pf.to != "":
		if *pf.from == "" || *pf.to == "" {
			return domain.Period{}, usagef("--from and --to go together")
		}
		return domain.ParsePeriod(*pf.from, *pf.to)
	case *pf.year != "":
		y, err := strconv.Atoi(*pf.year)
		if err != nil || y < 1900 || y > 9999 {
			return domain.Period{}, usagef("--year %q is not a year", *pf.year)
		}
		return domain.YearPeriod(y), nil
	case *pf.quarter != "":
		q, y, ok := strings.Cut(strings.TrimPrefix(strings.ToUpper(*pf.quarter), "Q"), "/")
		qn, err1 := strconv.Atoi(q)
		yn, err2 := strconv.Atoi(y)
		if !ok || err1 != nil || err2 != nil || qn < 1 || qn > 4 || yn < 1900 {
			return domain.Period{}, usagef("--quarter %q is not q/yyyy", *pf.quarter)
		}
		return domain.QuarterPeriod(yn, qn), nil
	case *pf.month != "":
		m, err := domain.ParseMonth(*pf.month)
		if err != nil {
			return domain.Period{}, err
		}
		s := m.Start()
		return domain.MonthPeriod(s.Year(), s.Month()), nil
	}
	return domain.YearPeriod(now.In(domain.Zone).Year()), nil
}

// reportFormatOf is --format, or the --out file's extension.
func reportFormatOf(format, out string) (string, error) {
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	}
	for _, f := range report.Formats {
		if f == format {
			return f, nil
		}
	}
	return "", usagef("--format must be json, csv, xlsx or pdf")
}

func reportLang(name string) (*i18n.Catalog, error) {
	if name == "" {
		name = i18n.Default
	}
	return i18n.New(name)
}

// reportWriteOut writes a file atomically, or to stdout for "-".
func reportWriteOut(env *Env, out string, write func(w io.Writer) error) error {
	if out == "-" {
		return write(env.Stdout)
	}
	return receipt.WriteFileAtomic(out, write)
}

func runReportKPI(env *Env, args []string) error {
	fs := flags("report kpi")
	db := fs.String("db", "", "database file")
	pf := addReportPeriodFlags(fs)
	format := fs.String("format", "", "json, csv, xlsx or pdf (default: the --out extension)")
	out := fs.String("out", "", "output file (- for standard output)")
	lang := fs.String("lang", "", "language of labels: vi (default) or en")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	f, err := reportFormatOf(*format, *out)
	if err != nil {
		return err
	}
	cat, err := reportLang(*lang)
	if err != nil {
		return usagef("%v", err)
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := pf.period(s.Now())
	if err != nil {
		return err
	}
	r, err := report.PointReport(env.Ctx, s, p)
	if err != nil {
		return err
	}
	if err := reportWriteOut(env, *out, func(w io.Writer) error { return report.Write(w, f, r, cat) }); err != nil {
		return err
	}
	if *out != "-" {
		printReportFigures(env.Stdout, r, cat)
		fmt.Fprintf(env.Stdout, "written %s\n", *out)
	}
	return nil
}

// printReportFigures writes the three figures as short lines.
func printReportFigures(w io.Writer, r *report.Report, cat *i18n.Catalog) {
	fmt.Fprintf(w, "%s — %s\n", r.Scope, r.Period.Label())
	for i, f := range r.Total.Figures {
		v := report.View(f, cat)
		if v.Percent == nil {
			fmt.Fprintf(w, "%d. %s: %d / — (%s)\n", i+1, v.Label, f.Numerator, v.Note)
			continue
		}
		met := cat.T("report.not_met")
		if v.Met {
			met = cat.T("report.met")
		}
		fmt.Fprintf(w, "%d. %s: %d / %d = %s (> %s: %s)\n", i+1, v.Label, f.Numerator, f.Denominator,
			domain.FormatPercent(*v.Percent), domain.FormatPercent(f.Target), met)
	}
}

func runTotalsImport(env *Env, args []string) error {
	fs := flags("report totals import")
	db := fs.String("db", "", "database file")
	staff := fs.String("staff", "cli", "who imports (recorded with the import)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one totals FILE")
	}
	f, err := report.ParseTotalsFile(pos[0])
	if err != nil {
		return withContext(pos[0]+": nothing imported", err)
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	id, err := report.ImportPoint(env.Ctx, s, *staff, f)
	if err != nil {
		var es domain.Errors
		if errors.As(err, &es) {
			return withContext(pos[0]+": nothing imported", err)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "import %d: %d rows for %d agencies, %s – %s\n", id, len(f.Rows), len(f.Agencies()), f.From.Label(), f.To.Label())
	return nil
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
	cat, err := reportLang(*lang)
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
	if err := reportWriteOut(env, *out, func(w io.Writer) error { return report.WriteNotice(w, procs, opt) }); err != nil {
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

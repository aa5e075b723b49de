package cmdline

// What the post point's and the hub's report and catalog commands share.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/catalog"
	"postdesk/internal/domain"
	"postdesk/internal/report"
)

// ReportPeriodFlags are the ways to name a report's period on the command line.
type ReportPeriodFlags struct {
	from, to, year, quarter, month *string
}

// AddReportPeriodFlags adds --from/--to, --year, --quarter and --month to fs.
func AddReportPeriodFlags(fs interface {
	String(name, value, usage string) *string
}) ReportPeriodFlags {
	return ReportPeriodFlags{
		from:    fs.String("from", "", "first day, dd/mm/yyyy"),
		to:      fs.String("to", "", "last day, dd/mm/yyyy"),
		year:    fs.String("year", "", "a calendar year, yyyy"),
		quarter: fs.String("quarter", "", "a quarter, q/yyyy (e.g. 2/2026)"),
		month:   fs.String("month", "", "a month, mm/yyyy"),
	}
}

// period resolves the flags; with none given, the current year.
func (pf ReportPeriodFlags) Period(now time.Time) (domain.Period, error) {
	n := 0
	for _, v := range []string{*pf.from + *pf.to, *pf.year, *pf.quarter, *pf.month} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return domain.Period{}, Usagef("give one of --from/--to, --year, --quarter or --month")
	}
	switch {
	case *pf.from != "" || *pf.to != "":
		if *pf.from == "" || *pf.to == "" {
			return domain.Period{}, Usagef("--from and --to go together")
		}
		return domain.ParsePeriod(*pf.from, *pf.to)
	case *pf.year != "":
		y, err := strconv.Atoi(*pf.year)
		if err != nil || y < 1900 || y > 9999 {
			return domain.Period{}, Usagef("--year %q is not a year", *pf.year)
		}
		return domain.YearPeriod(y), nil
	case *pf.quarter != "":
		q, y, ok := strings.Cut(strings.TrimPrefix(strings.ToUpper(*pf.quarter), "Q"), "/")
		qn, err1 := strconv.Atoi(q)
		yn, err2 := strconv.Atoi(y)
		if !ok || err1 != nil || err2 != nil || qn < 1 || qn > 4 || yn < 1900 {
			return domain.Period{}, Usagef("--quarter %q is not q/yyyy", *pf.quarter)
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

// ReportFileFlags are the flags of a command that writes a report file:
// the period, --format, --out and --lang.
type ReportFileFlags struct {
	Period            ReportPeriodFlags
	format, out, lang *string
	// set by Check
	Format string
	Lang   *i18n.Catalog
}

// AddReportFileFlags adds the period, --format, --out and --lang to fs.
func AddReportFileFlags(fs *flag.FlagSet) *ReportFileFlags {
	return &ReportFileFlags{Period: AddReportPeriodFlags(fs),
		format: fs.String("format", "", "json, csv, xlsx or pdf (default: the --out extension)"),
		out:    fs.String("out", "", "output file (- for standard output)"),
		lang:   fs.String("lang", "", "language of labels: vi (default) or en")}
}

// Check checks --out, --format and --lang, before anything is opened.
func (rf *ReportFileFlags) Check() (err error) {
	if *rf.out == "" {
		return Usagef("--out FILE is required")
	}
	if rf.Format, err = ReportFormat(*rf.format, *rf.out); err != nil {
		return err
	}
	if rf.Lang, err = ReportLang(*rf.lang); err != nil {
		return Usagef("%v", err)
	}
	return nil
}

// Write writes r to --out (atomically) or to stdout for "-"; to a file, it
// then prints the figures, the lines of more (nil: none) and where the file
// went.
func (rf *ReportFileFlags) Write(stdout io.Writer, r *report.Report, more func(w io.Writer)) error {
	if err := WriteOut(stdout, *rf.out, func(w io.Writer) error { return report.Write(w, rf.Format, r, rf.Lang) }); err != nil {
		return err
	}
	if *rf.out != "-" {
		PrintReportFigures(stdout, r, rf.Lang)
		if more != nil {
			more(stdout)
		}
		fmt.Fprintf(stdout, "written %s\n", *rf.out)
	}
	return nil
}

// ReportFormat is --format, or the --out file's extension.
func ReportFormat(format, out string) (string, error) {
	if format == "" {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
	}
	for _, f := range report.Formats {
		if f == format {
			return f, nil
		}
	}
	return "", Usagef("--format must be json, csv, xlsx or pdf")
}

// ReportLang is the --lang catalog, Vietnamese by default.
func ReportLang(name string) (*i18n.Catalog, error) {
	if name == "" {
		name = i18n.Default
	}
	return i18n.New(name)
}

// WriteOut writes a file atomically, or to stdout for "-".
func WriteOut(stdout io.Writer, out string, write func(w io.Writer) error) error {
	if out == "-" {
		return write(stdout)
	}
	return atomicfile.Write(out, 0o644, write)
}

// PrintReportFigures writes the three figures as short lines.
func PrintReportFigures(w io.Writer, r *report.Report, cat *i18n.Catalog) {
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

// ParseCatalogFiles reads and validates every catalog file given on the
// command line and merges them into one import (the post point's and the
// hub's import commands share it). Any bad row of any file stops it all.
func ParseCatalogFiles(paths []string) (*catalog.File, error) {
	if len(paths) == 0 {
		return nil, Usagef("give at least one catalog FILE")
	}
	var files []*catalog.File
	for _, path := range paths {
		f, err := catalog.ParseFile(path)
		if err != nil {
			return nil, WithContext(path+": nothing imported", err)
		}
		files = append(files, f)
	}
	f, err := catalog.Merge(files...)
	if err != nil {
		return nil, WithContext("nothing imported", err)
	}
	return f, nil
}

// DBPath checks a --db argument before anything is opened: it must be given,
// it must be a file path (a postgres:// or other URL is refused, creating
// nothing), and, when mustExist, the file must already be there — a
// read-only command never makes a new empty database out of a typo.
func DBPath(path string, mustExist bool) error {
	if path == "" {
		return Usagef("--db PATH is required")
	}
	if i := strings.Index(path, "://"); i > 0 {
		if scheme := strings.ToLower(path[:i]); scheme == "postgres" || scheme == "postgresql" {
			return fmt.Errorf("--db %s: PostgreSQL is not supported by this command yet; give the path of a SQLite database file", redactURL(path))
		}
		return fmt.Errorf("--db %s: not a file path; give the path of a SQLite database file", redactURL(path))
	}
	if !mustExist {
		return nil
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("--db %s: no such database file (check the path; this command does not create one)", path)
	case err != nil:
		return fmt.Errorf("--db %s: %w", path, err)
	case st.IsDir():
		return fmt.Errorf("--db %s is a folder, not a database file", path)
	}
	return nil
}

// redactURL hides a password in a connection URL quoted in an error.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return s
}

// TotalsFileArg reads and checks the one totals FILE of pos (before the
// database is opened); a bad line is listed under "FILE: nothing imported".
func TotalsFileArg(pos []string) (*report.TotalsFile, error) {
	if len(pos) != 1 {
		return nil, Usagef("give one totals FILE")
	}
	f, err := report.ParseTotalsFile(pos[0])
	if err != nil {
		return nil, WithContext(pos[0]+": nothing imported", err)
	}
	return f, nil
}

// TotalsImported reports how storing f, read from path (the post point's or the hub's
// import, all or nothing) went: err's bad lines under "FILE: nothing
// imported", else the import's number and what it held.
func TotalsImported(stdout io.Writer, path string, f *report.TotalsFile, id int64, err error) error {
	if err != nil {
		var es domain.Errors
		if errors.As(err, &es) {
			return WithContext(path+": nothing imported", err)
		}
		return err
	}
	fmt.Fprintf(stdout, "import %d: %d rows for %d agencies, %s – %s\n", id, len(f.Rows), len(f.Agencies()), f.From.Label(), f.To.Label())
	return nil
}

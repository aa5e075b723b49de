package hubcli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"postdesk/internal/catalog"
	"postdesk/internal/cmdline"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubreport"
)

// The hub's edge towards the one-stop system (docs/onestop.md) and the
// province catalog it pushes down to every device.
var oneStopCommands = []cmdline.Command{
	{Path: "hub export dossiers", Usage: "--db HUB.db --from DD/MM/YYYY --to DD/MM/YYYY [--format json|csv|xlsx] --out FILE",
		Help: "every dossier received in the period in the one-stop system's vocabulary (MaHoSo, MaTTHC, TrangThaiHoSo…)", Run: runHubExportDossiers},
	{Path: "hub catalog import", Usage: "--db HUB.db [--staff NAME] [--communes COMMUNES.csv] FILE… (.csv or .xlsx)",
		Help: "make the files the province catalog: a new version, with the commune list (given, or kept from the version before) and the hub's calendar files, sent to every device at its next sync", Run: runHubCatalogImport},
	{Path: "hub report import-onestop", Usage: "--db HUB.db FILE (.csv or .xlsx: MaHoSo, MaCoQuan, NgayTiepNhan, KenhThucHien[, MaTTHC, SoBienNhan])",
		Help: "import the one-stop system's list of dossiers for the reconciliation (all rows or none)", Run: runHubImportOneStop},
	{Path: "hub report reconcile", Usage: "--db HUB.db [--from DD/MM/YYYY --to DD/MM/YYYY | --year YYYY | --quarter Q/YYYY | --month MM/YYYY] --format json|csv|xlsx --out FILE",
		Help: "by agency and month: PostDesk's BCCI counts beside the one-stop system's, and the dossiers only one side knows", Run: runHubReconcile},
}

func runHubImportOneStop(env *Env, args []string) error {
	fs := cmdline.Flags("hub report import-onestop")
	db := fs.String("db", "", "hub database file")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("one FILE (.csv or .xlsx) is required")
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := openHub(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.ImportOneStopList(env.Ctx, f, filepath.Base(pos[0]))
	if err != nil {
		return cmdline.WithContext("nothing imported", err)
	}
	fmt.Fprintf(env.Stdout, "%d dossiers of the one-stop system stored\n", n)
	return nil
}

func runHubReconcile(env *Env, args []string) error {
	fs := cmdline.Flags("hub report reconcile")
	db := fs.String("db", "", "hub database file")
	pf := cmdline.AddReportPeriodFlags(fs)
	format := fs.String("format", "", "json, csv or xlsx (default: the --out extension)")
	out := fs.String("out", "", "output file (- for standard output)")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	f := *format
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if !slices.Contains(hubreport.ReconcileFormats, f) {
		return usagef("--format must be json, csv or xlsx")
	}
	s, err := openHub(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	p, err := pf.Period(s.Now())
	if err != nil {
		return err
	}
	rows, err := s.Reconcile(env.Ctx, p)
	if err != nil {
		return err
	}
	err = cmdline.WriteOut(env.Stdout, *out, func(w io.Writer) error { return hubreport.WriteReconcile(w, p, rows, f) })
	if err != nil {
		return err
	}
	if *out != "-" {
		diff := 0
		for _, r := range rows {
			if len(r.Problems) > 0 || len(r.OnlyPostDesk) > 0 || len(r.OnlyOneStop) > 0 {
				diff++
			}
		}
		fmt.Fprintf(env.Stdout, "written %s: %d agency-months, %d with differences\n", *out, len(rows), diff)
	}
	return nil
}

func runHubExportDossiers(env *Env, args []string) error {
	fs := cmdline.Flags("hub export dossiers")
	db := fs.String("db", "", "hub database file")
	from := fs.String("from", "", "first day received, dd/mm/yyyy")
	to := fs.String("to", "", "last day received, dd/mm/yyyy")
	format := fs.String("format", "", "json, csv or xlsx (default: the --out extension)")
	out := fs.String("out", "", "output file")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" || *from == "" || *to == "" {
		return usagef("--from, --to and --out are required")
	}
	f := *format
	if f == "" {
		f = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	}
	if f != hubreport.ExportJSON && f != hubreport.ExportCSV && f != hubreport.ExportXLSX {
		return usagef("--format must be json, csv or xlsx")
	}
	p, err := domain.ParsePeriod(*from, *to)
	if err != nil {
		return err
	}
	s, err := openHub(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := hubreport.ExportDossiersFile(env.Ctx, s, p, f, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "written %s: %d dossiers received %s–%s\n", *out, n, domain.FormatDate(p.From), domain.FormatDate(p.To))
	return nil
}

func runHubCatalogImport(env *Env, args []string) error {
	fs := cmdline.Flags("hub catalog import")
	db := fs.String("db", "", "hub database file")
	staff := fs.String("staff", "", "who imports it (kept with the version)")
	communesFile := fs.String("communes", "", "the province's commune list for the intake form (.csv: name,type,province,note); without it the version keeps the current list")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	f, err := cmdline.ParseCatalogFiles(pos)
	if err != nil {
		return err
	}
	var communes []domain.Commune
	if *communesFile != "" {
		if communes, err = catalog.ParseCommuneFile(*communesFile); err != nil {
			return cmdline.WithContext(*communesFile+": nothing imported", err)
		}
	}
	s, err := openHub(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.PushCatalog(env.Ctx, f, communes, *staff)
	if err != nil {
		return cmdline.WithContext("nothing imported", err)
	}
	if res.Same {
		fmt.Fprintf(env.Stdout, "province catalog version %d already has these %d procedures, %d agencies, %d communes and %d calendar files: nothing sent\n",
			res.Version, res.Procedures, res.Agencies, res.Communes, res.Calendars)
		return nil
	}
	fmt.Fprintf(env.Stdout, "province catalog version %d: %d procedures, %d agencies, %d communes, %d calendar files; every device takes it at its next sync\n",
		res.Version, res.Procedures, res.Agencies, res.Communes, res.Calendars)
	return nil
}

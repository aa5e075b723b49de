package cli

import (
	"context"
	"fmt"

	"postdesk/internal/catalog"
	"postdesk/internal/cmdline"
	"postdesk/internal/store"
)

func init() {
	register("catalog import", "--db PATH FILE… (.csv or .xlsx)",
		"import agencies and procedures, all or nothing; a re-import updates by code", runCatalogImport)
	register("catalog sample", "--db PATH", "import the sample catalog shipped with PostDesk", runCatalogSample)
}

func runCatalogImport(env *Env, args []string) error {
	fs := flags("catalog import")
	db := fs.String("db", "", "database file")
	staff := fs.String("staff", "cli", "who imports (recorded in the event)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	f, err := cmdline.ParseCatalogFiles(pos)
	if err != nil {
		return err
	}
	s, err := createDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := ImportCatalog(env.Ctx, s, *staff, f)
	if err != nil {
		return withContext("nothing imported", err)
	}
	fmt.Fprintf(env.Stdout, "catalog version %d: %d agencies, %d procedures (%d new, %d updated)\n",
		res.Version, len(f.Agencies), len(f.Procedures), res.Added, res.Updated)
	return nil
}

func runCatalogSample(env *Env, args []string) error {
	fs := flags("catalog sample")
	db := fs.String("db", "", "database file")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := createDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	f, err := catalog.Sample()
	if err != nil {
		return err
	}
	res, err := ImportCatalog(env.Ctx, s, "cli", f)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "sample catalog loaded as version %d: %d procedures\n", res.Version, len(f.Procedures))
	return nil
}

// ImportCatalog checks a parsed file's agencies against the database (so a
// missing one is named with its line) and stores it all or nothing.
func ImportCatalog(ctx context.Context, s *store.Store, staff string, f *catalog.File) (store.CatalogResult, error) {
	known, err := s.Agencies(ctx)
	if err != nil {
		return store.CatalogResult{}, err
	}
	exists := map[string]bool{}
	for _, a := range known {
		exists[a.Code] = true
	}
	if err := f.CheckAgencies(func(code string) bool { return exists[code] }); err != nil {
		return store.CatalogResult{}, err
	}
	return s.ImportCatalog(ctx, staff, store.CatalogImport{FileName: f.Name, SHA256: f.SHA256,
		Agencies: f.Agencies, Procedures: f.Procedures})
}

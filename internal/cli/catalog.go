package cli

import (
	"fmt"

	"postdesk/internal/catalog"
	"postdesk/internal/cmdline"
	"postdesk/internal/desk"
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
	res, err := desk.New(s).ImportCatalog(env.Ctx, cliActor(*staff), f)
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
	res, err := desk.New(s).ImportCatalog(env.Ctx, cliActor("cli"), f)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "sample catalog loaded as version %d: %d procedures\n", res.Version, len(f.Procedures))
	return nil
}

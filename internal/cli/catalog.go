package cli

import (
	"fmt"

	"postdesk/internal/catalog"
	"postdesk/internal/cmdline"
	"postdesk/internal/desk"
	"postdesk/internal/store"
)

func runCatalogImport(env *Env, args []string) error {
	fs, db := dbFlags("catalog import")
	staff := fs.String("staff", "cli", "who imports (recorded in the event)")
	var f *catalog.File
	check := func(pos []string) (err error) {
		f, err = cmdline.ParseCatalogFiles(pos)
		return err
	}
	return onNewDB(fs, db, args, check, func(s *store.Store, _ []string) error {
		res, err := desk.New(s).ImportCatalog(env.Ctx, cliActor(*staff), f)
		if err != nil {
			return withContext("nothing imported", err)
		}
		fmt.Fprintf(env.Stdout, "catalog version %d: %d agencies, %d procedures (%d new, %d updated)\n",
			res.Version, len(f.Agencies), len(f.Procedures), res.Added, res.Updated)
		return nil
	})
}

func runCatalogSample(env *Env, args []string) error {
	fs, db := dbFlags("catalog sample")
	return onNewDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
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
	})
}

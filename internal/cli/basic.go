package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"postdesk/internal/store"
)

func runVersion(env *Env, args []string) error {
	fmt.Fprintf(env.Stdout, "postdesk %s (schema %d, %s %s/%s)\n", Version, store.SchemaVersion(),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func runCheck(env *Env, args []string) error {
	fs, db := dbFlags("check")
	asJSON := fs.Bool("json", false, "print JSON")
	return onDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
		start := time.Now()
		rep, err := s.Check(env.Ctx)
		if err != nil {
			return fmt.Errorf("check failed: %w", err)
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]any{"ok": true, "events": rep.Events,
				"devices": rep.Devices, "dossiers": rep.Dossiers})
		}
		fmt.Fprintf(env.Stdout, "ok: %d events from %d devices, %d dossiers match their events (%.1fs)\n",
			rep.Events, rep.Devices, rep.Dossiers, time.Since(start).Seconds())
		return nil
	})
}

func runBackup(env *Env, args []string) error {
	fs, db := dbFlags("backup")
	out := fs.String("out", "", "backup file to write")
	check := func([]string) error {
		if *out == "" {
			return usagef("--out FILE is required")
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, _ []string) error {
		if err := s.Backup(env.Ctx, *out); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backup written: %s\n", *out)
		return nil
	})
}

func runRestore(env *Env, args []string) error {
	fs := flags("restore")
	db := fs.String("db", "", "database file to replace")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *db == "" || len(pos) != 1 {
		return usagef("--db PATH and one backup FILE are required")
	}
	if err := store.Restore(env.Ctx, *db, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %s from %s (the previous file is kept as %s.before-restore)\n", *db, pos[0], *db)
	return nil
}

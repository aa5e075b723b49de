package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"postdesk/internal/store"
)

func init() {
	register("version", "", "print the version", func(env *Env, args []string) error {
		fmt.Fprintf(env.Stdout, "postdesk %s (schema %d, %s %s/%s)\n", Version, store.SchemaVersion(),
			runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	})
	register("check", "--db PATH [--json]",
		"verify the file's integrity, every hash chain, and the projection against a replay of the events", runCheck)
	register("backup", "--db PATH --out FILE", "write a consistent copy of the database", runBackup)
	register("restore", "--db PATH FILE", "replace the database with a backup after checking the backup", runRestore)
}

func runCheck(env *Env, args []string) error {
	fs := flags("check")
	db := fs.String("db", "", "database file")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
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
}

func runBackup(env *Env, args []string) error {
	fs := flags("backup")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "backup file to write")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out FILE is required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Backup(env.Ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backup written: %s\n", *out)
	return nil
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

package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"filippo.io/age"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
	"postdesk/internal/vault"
)

func runVersion(env *Env, args []string) error {
	fmt.Fprintf(env.Stdout, "postdesk %s (schema %d, %s %s/%s)\n", Version, store.SchemaVersion(),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func runCheck(env *Env, args []string) error {
	fs, db := dbFlags("check")
	asJSON := fs.Bool("json", false, "print JSON")
	return onAnyDB(fs, db, args, nil, func(s *store.Store, _ []string) error {
		start := time.Now()
		rep, err := s.Check(env.Ctx)
		if err != nil {
			return fmt.Errorf("check failed: %w", err)
		}
		if *asJSON {
			out := map[string]any{"ok": true, "events": rep.Events, "devices": rep.Devices, "dossiers": rep.Dossiers}
			if rep.Erased != nil {
				out["erased"], out["erased_events"] = rep.Erased, rep.ErasedEvents
			}
			return json.NewEncoder(env.Stdout).Encode(out)
		}
		if e := rep.Erased; e != nil {
			fmt.Fprintf(env.Stdout, "ok, erased: the personal data of this device was erased on %s by %s on the province's order; "+
				"%d events from %d devices are in order and linked, %d of them without their payload (their content can no longer be checked); no dossiers are kept (%.1fs)\n",
				domain.FormatDateTime(e.ErasedAt), e.ErasedBy, rep.Events, rep.Devices, rep.ErasedEvents, time.Since(start).Seconds())
			return nil
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
			if errors.Is(err, store.ErrProofsMissing) {
				fmt.Fprintf(env.Stdout, "backup written: %s\n", *out)
			}
			return err
		}
		fmt.Fprintf(env.Stdout, "backup written: %s\n", *out)
		return nil
	})
}

func runRestore(env *Env, args []string) error {
	fs := flags("restore")
	db := fs.String("db", "", "database file to replace")
	keyFile := fs.String("key-file", "", "file holding the recovery key (typed or the sheet's QR text)")
	key := fs.String("key", "", "the recovery key itself, or - to read it from standard input")
	identity := fs.String("identity", "", "the province hub's identity file (postdesk-hub key export)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *db == "" || len(pos) != 1 {
		return usagef("--db PATH and one backup FILE are required")
	}
	ids, err := restoreKeys(env, *key, *keyFile, *identity)
	if err != nil {
		return err
	}
	res, err := store.Restore(env.Ctx, *db, pos[0], ids)
	if err != nil {
		return err
	}
	if res.Plain {
		fmt.Fprintln(notices, "postdesk:", i18n.T("cli.restore.plain_warning"))
	}
	fmt.Fprintf(env.Stdout, "restored %s from %s with %d proof files (the previous file is kept as %s.before-restore)\n", *db, pos[0], res.Proofs, *db)
	return nil
}

// stdin is where --key - reads the recovery key (tests replace it).
var stdin io.Reader = os.Stdin

// restoreKeys reads the keys given to restore: the recovery key typed on
// the command line or standard input, a key file, the hub's identity file.
func restoreKeys(env *Env, key, keyFile, identity string) ([]age.Identity, error) {
	var ids []age.Identity
	if key == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 4096))
		if err != nil {
			return nil, err
		}
		key = string(b)
	}
	if strings.TrimSpace(key) != "" {
		id, err := vault.ParseSecret(key)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	for _, f := range []string{keyFile, identity} {
		if f == "" {
			continue
		}
		more, err := vault.ReadIdentityFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		ids = append(ids, more...)
	}
	return ids, nil
}

func runRecoveryKeyNew(env *Env, args []string) error {
	fs := flags("recovery-key new")
	db := fs.String("db", "", "database file")
	out := fs.String("out", "", "recovery sheet to write (PDF)")
	staff := fs.String("staff", "cli", "who makes it, as recorded")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out SHEET.pdf is required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	k, err := desk.New(s).NewRecoveryKey(env.Ctx, cliActor(*staff), *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s\n%s\n\n%s\nrecovery sheet: %s\npublic recipient: %s\n", i18n.T("cli.recovery.once"),
		k.Secret, receipt.RecoveryGroups(k.Secret), k.SheetPath, k.Recipient)
	return nil
}

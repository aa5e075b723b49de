package cli

import (
	"fmt"
	"io"
	"strings"

	"postdesk/internal/desk"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// runErase erases a lost device's personal data after the province's
// order, on a supervisor's PIN (read from standard input).
func runErase(env *Env, args []string) error {
	fs, db := dbFlags("erase")
	staff := fs.String("staff", "", "the supervisor who confirms (username)")
	yes := fs.Bool("confirm", false, "confirm: erase the citizens' personal data of this device")
	check := func([]string) error {
		if *staff == "" || !*yes {
			return usagef("--staff USERNAME and --confirm are required; the PIN is read from standard input")
		}
		return nil
	}
	return onAnyDB(fs, db, args, check, func(s *store.Store, _ []string) error {
		lock, err := s.Lock(env.Ctx)
		if err != nil {
			return err
		}
		if !lock.Locked {
			return fmt.Errorf("%w: nothing is erased", store.ErrNotLocked)
		}
		b, err := io.ReadAll(io.LimitReader(stdin, 256))
		if err != nil {
			return err
		}
		st, _ := s.Settings(env.Ctx)
		res, err := desk.New(s).EraseLostDevice(env.Ctx, *staff, strings.TrimSpace(string(b)), st.BackupFolder, devicesync.KeepForHub)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "erased: the personal data of this device (revoked on %s); %d files removed\n",
			domain.FormatDateTime(lock.At), res.FilesRemoved)
		if res.UnsyncedFile != "" {
			fmt.Fprintf(env.Stdout, "%d events the hub never had are kept in %s, encrypted to the hub\n", res.UnsyncedEvents, res.UnsyncedFile)
		}
		return nil
	})
}

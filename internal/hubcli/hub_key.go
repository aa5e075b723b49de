package hubcli

import (
	"fmt"

	"postdesk/internal/atomicfile"
	"postdesk/internal/hub/hubstore"
)

// runHubKeyExport writes the hub's age identity to a new file (mode 0600):
// `postdesk restore --identity FILE` opens any enrolled device's backup
// with it, when the post point's recovery sheet is lost.
func runHubKeyExport(env *Env, args []string) error {
	fs, db := hubFlags("hub key export")
	out := fs.String("out", "", "identity file to write")
	check := func(pos []string) error {
		if *out == "" {
			return usagef("--out FILE is required")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, _ []string) error {
		text := fmt.Sprintf("# PostDesk province hub %s: age identity, opens the backups of its devices\n# public: %s\n%s\n",
			*db, s.AgeRecipient(), s.AgeIdentity())
		if err := atomicfile.WriteBytes(*out, 0o600, []byte(text)); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "hub identity written: %s (public %s)\n", *out, s.AgeRecipient())
		return nil
	})
}

// runHubRetention queues the province's retention for every device.
func runHubRetention(env *Env, args []string) error {
	fs, db := hubFlags("hub retention")
	days := fs.Int("days", -1, "days a done dossier keeps its personal fields on a device (0: for ever)")
	check := func(pos []string) error {
		if *days < 0 {
			return usagef("--days N is required")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, _ []string) error {
		if err := s.PushRetention(env.Ctx, *days, "cli"); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "retention of %d days queued for every device (applied at its next sync)\n", *days)
		return nil
	})
}

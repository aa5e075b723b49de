package hubcli

import (
	"encoding/json"
	"fmt"
	"strings"

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

// runHubPurge runs the hub's own retention (hubstore.Purge); --days sets
// it first, --dry-run lists what is due and changes nothing.
func runHubPurge(env *Env, args []string) error {
	fs, db := hubFlags("hub purge")
	days := fs.Int("days", -1, "set the hub's retention to this many days first (0: keep for ever)")
	dry := fs.Bool("dry-run", false, "list what would be purged, change nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	return onHub(fs, db, args, nil, func(s *hubstore.Store, _ []string) error {
		if *days >= 0 {
			if err := s.SetHubRetentionDays(env.Ctx, *days); err != nil {
				return err
			}
		}
		rep, err := s.Purge(env.Ctx, *dry)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(rep)
		}
		if rep.Days == 0 {
			fmt.Fprintln(env.Stdout, "hub retention: keep for ever; nothing purged")
			return nil
		}
		verb := "purged"
		if rep.DryRun {
			verb = "to purge"
		}
		fmt.Fprintf(env.Stdout, "hub retention %d days: dossiers done before %s\n%s: %d dossiers (%d events redacted, %d kept envelopes and %d proof files dropped, %d conflicts redacted)\n",
			rep.Days, rep.Before, verb, len(rep.Dossiers), rep.Events, rep.Envelopes, rep.Proofs, rep.Conflicts)
		if len(rep.Dossiers) > 0 {
			fmt.Fprintln(env.Stdout, "  "+strings.Join(rep.Dossiers, "\n  "))
		}
		if len(rep.Waiting) > 0 {
			fmt.Fprintf(env.Stdout, "not purged this run (an event not projected yet, or moved meanwhile): %s\n", strings.Join(rep.Waiting, ", "))
		}
		return nil
	})
}

package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"postdesk/internal/desk"
)

// runPurge removes the personal data of the dossiers done longer ago than
// the retention (store.Purge); --dry-run lists them and changes nothing;
// --days sets the retention first.
func runPurge(env *Env, args []string) error {
	fs := flags("purge")
	db := fs.String("db", "", "database file")
	dry := fs.Bool("dry-run", false, "list what would be purged, change nothing")
	days := fs.Int("days", -1, "set the retention to this many days first (0: keep for ever)")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	d := desk.New(s)
	if *days >= 0 {
		if err := d.SetRetentionDays(env.Ctx, cliActor("cli"), *days); err != nil {
			return err
		}
	}
	rep, err := d.Purge(env.Ctx, cliActor("cli"), *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(rep)
	}
	verb := "purged"
	if rep.DryRun {
		verb = "to purge"
	}
	if rep.Days == 0 {
		fmt.Fprintln(env.Stdout, "retention: keep for ever; nothing purged")
		return nil
	}
	fmt.Fprintf(env.Stdout, "retention %d days: dossiers done before %s\n%s: %d dossiers (%d events redacted, %d proof files removed)\n",
		rep.Days, rep.Before, verb, len(rep.Dossiers), rep.Events, rep.Proofs)
	if len(rep.Dossiers) > 0 {
		fmt.Fprintln(env.Stdout, "  "+strings.Join(rep.Dossiers, "\n  "))
	}
	if len(rep.Waiting) > 0 {
		fmt.Fprintf(env.Stdout, "waiting for the hub to hold their events first: %s\n", strings.Join(rep.Waiting, ", "))
	}
	return nil
}

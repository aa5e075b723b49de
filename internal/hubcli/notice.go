package hubcli

import (
	"fmt"

	"postdesk/internal/hub/hubstore"
)

// runHubNoticeSet sends the province's wording of the receipt's
// personal-data notice to every device.
func runHubNoticeSet(env *Env, args []string) error {
	fs, db := hubFlags("hub notice set")
	vi := fs.String("vi", "", "the notice in Vietnamese")
	en := fs.String("en", "", "the notice in English")
	staff := fs.String("staff", "cli", "who sets it (kept with the update)")
	def := fs.Bool("default", false, "send the devices back to PostDesk's own wording")
	check := func([]string) error {
		if (*vi == "" && *en == "") == !*def {
			return usagef("--vi TEXT and/or --en TEXT, or --default alone")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, _ []string) error {
		texts := map[string]string{}
		if *vi != "" {
			texts["vi"] = *vi
		}
		if *en != "" {
			texts["en"] = *en
		}
		if err := s.SetReceiptNotice(env.Ctx, texts, *staff); err != nil {
			return err
		}
		if *def {
			fmt.Fprintln(env.Stdout, "receipt notice: every device goes back to PostDesk's wording at its next sync")
		} else {
			fmt.Fprintln(env.Stdout, "receipt notice sent: every device prints it from its next sync")
		}
		return nil
	})
}

package cli

import (
	"fmt"
	"strings"

	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

func runReceipt(env *Env, args []string) error {
	fs, db := dbFlags("receipt")
	number := fs.String("dossier", "", "receipt number of the dossier")
	out := fs.String("out", "", "PDF file to write")
	layout := fs.String("layout", "", "a5 or 80mm (default: the layout chosen in settings)")
	clerk := fs.String("clerk", "", "name printed as the receiver (default: who received the dossier)")
	check := func(pos []string) error {
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		if strings.TrimSpace(*number) == "" {
			return usagef("--dossier NUMBER is required")
		}
		if *out == "" {
			return usagef("--out FILE.pdf is required")
		}
		if *layout != "" {
			if _, err := receipt.LayoutSize(*layout); err != nil {
				return err
			}
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		in, err := receipt.ForDossier(env.Ctx, s, *number, *clerk)
		if err != nil {
			return err
		}
		if *layout != "" {
			in.Layout = *layout
		}
		if err := receipt.RenderFile(*out, in); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "receipt %s written: %s\n", in.Dossier.ID, *out)
		return nil
	})
}

package cli

import (
	"fmt"
	"strings"

	"postdesk/internal/receipt"
)

func init() {
	register("receipt", "--db PATH --dossier NUMBER --out FILE.pdf [--layout a5|80mm] [--clerk NAME]",
		"render a dossier's receipt (with its signed QR code) to a PDF", runReceipt)
}

func runReceipt(env *Env, args []string) error {
	fs := flags("receipt")
	db := fs.String("db", "", "database file")
	number := fs.String("dossier", "", "receipt number of the dossier")
	out := fs.String("out", "", "PDF file to write")
	layout := fs.String("layout", "", "a5 or 80mm (default: the layout chosen in settings)")
	clerk := fs.String("clerk", "", "name printed as the receiver (default: who received the dossier)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
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
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
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
}

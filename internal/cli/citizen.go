package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"postdesk/internal/atomicfile"
	"postdesk/internal/desk"
)

func runCitizenExport(env *Env, args []string) error {
	fs := flags("citizen export")
	db := fs.String("db", "", "database file")
	id := fs.String("id", "", "the citizen's ID number (CCCD)")
	out := fs.String("out", "", "file to write: .json or .pdf")
	staff := fs.String("staff", "cli", "who exports, as the access log records")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
	if *id == "" || (format != "json" && format != "pdf") {
		return usagef("--id NUMBER and --out FILE.json or FILE.pdf are required")
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	data, err := desk.New(s).CitizenExport(env.Ctx, cliActor(*staff), strings.TrimSpace(*id), format)
	if err != nil {
		return err
	}
	if format == "pdf" {
		err = data.WritePDF(*out)
	} else {
		err = atomicfile.Write(*out, 0o600, func(w io.Writer) error { return data.WriteJSON(w) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d dossiers of %s written to %s\n", len(data.Dossiers), *id, *out)
	return nil
}

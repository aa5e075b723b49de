package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
)

func runAccess(env *Env, args []string) error {
	fs := flags("access")
	db := fs.String("db", "", "database file")
	dossier := fs.String("dossier", "", "only this dossier (receipt number)")
	staff := fs.String("staff", "", "only this staff member (username)")
	limit := fs.Int("limit", 200, "at most this many lines")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	s, err := openDB(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	log, err := desk.New(s).AccessLog(env.Ctx, cliActor("cli"), strings.TrimSpace(*dossier), strings.TrimSpace(*staff), *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		type line struct {
			At       string   `json:"at"`
			Staff    string   `json:"staff"`
			Device   string   `json:"device"`
			What     string   `json:"what"`
			Dossiers []string `json:"dossiers"`
			Detail   string   `json:"detail,omitempty"`
		}
		out := []line{}
		for _, e := range log {
			out = append(out, line{At: e.At.UTC().Format(domain.TimeLayout), Staff: e.Staff, Device: e.Device,
				What: string(e.What), Dossiers: e.Dossiers, Detail: e.Detail})
		}
		return json.NewEncoder(env.Stdout).Encode(out)
	}
	for _, e := range log {
		fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\t%s\n", domain.FormatDateTime(e.At), e.Staff, e.Device, e.What,
			strings.Join(e.Dossiers, ","))
	}
	return nil
}

package hubcli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
)

// runHubCitizenExport writes one citizen's data over every post point, as
// JSON or PDF, and records the export in the hub's access log.
func runHubCitizenExport(env *Env, args []string) error {
	fs, db := hubFlags("hub citizen export")
	id := fs.String("cccd", "", "the citizen's ID number (CCCD, or the old 9-digit card)")
	out := fs.String("out", "", "file to write: .json or .pdf")
	staff := fs.String("staff", "cli", "who exports, as the hub's access log records")
	format := ""
	check := func([]string) error {
		format = strings.TrimPrefix(strings.ToLower(filepath.Ext(*out)), ".")
		if strings.TrimSpace(*id) == "" || (format != "json" && format != "pdf") {
			return usagef("--cccd NUMBER and --out FILE.json or FILE.pdf are required")
		}
		return nil
	}
	return onHub(fs, db, args, check, func(s *hubstore.Store, _ []string) error {
		data, err := s.CitizenExport(env.Ctx, *staff, hubstore.ViaCLI, strings.TrimSpace(*id), format)
		if err != nil {
			return err
		}
		data.Scope = i18n.T("citizen.pdf.hub_scope")
		if format == "pdf" {
			err = data.WritePDF(*out)
		} else {
			err = atomicfile.Write(*out, 0o600, func(w io.Writer) error { return data.WriteJSON(w) })
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%d dossiers of %s written to %s\n", len(data.Dossiers), strings.TrimSpace(*id), *out)
		return nil
	})
}

// runHubAccess prints the access log: the hub's own views and exports and
// every post point's, for one dossier and/or one user.
func runHubAccess(env *Env, args []string) error {
	fs, db := hubFlags("hub access")
	dossier := fs.String("dossier", "", "only this dossier (receipt number)")
	user := fs.String("user", "", "only this user (a hub user or a post point's staff username)")
	limit := fs.Int("limit", 200, "at most this many lines")
	asJSON := fs.Bool("json", false, "print JSON")
	return onHub(fs, db, args, nil, func(s *hubstore.Store, _ []string) error {
		log, err := s.AccessLog(env.Ctx, strings.TrimSpace(*dossier), strings.TrimSpace(*user), *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			if log == nil {
				log = []hubstore.AccessEntry{}
			}
			return json.NewEncoder(env.Stdout).Encode(log)
		}
		for _, e := range log {
			where := "hub " + e.Via
			if e.Via == hubstore.ViaDevice {
				where = e.Device
			}
			fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\t%s\t%s\n", domain.FormatDateTime(e.At), e.User, where, e.What,
				strings.Join(e.Dossiers, ","), e.Detail)
		}
		return nil
	})
}

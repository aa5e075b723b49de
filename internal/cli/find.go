package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/lookup"
	"postdesk/internal/store"
)

// findRow is one dossier in find's JSON.
type findRow struct {
	Receipt       string `json:"receipt"`
	State         string `json:"state"`
	Option        string `json:"option"`
	Applicant     string `json:"applicant"`
	CitizenID     string `json:"citizen_id"`
	Phone         string `json:"phone"`
	ProcedureCode string `json:"procedure_code"`
	AgencyCode    string `json:"agency_code"`
	OfficialCode  string `json:"official_code,omitempty"`
	ItemCode      string `json:"item_code,omitempty"`
	Received      string `json:"received"`      // dd/mm/yyyy
	ReceivedAt    string `json:"received_at"`   // RFC 3339, Vietnam time
	Due           string `json:"due,omitempty"` // dd/mm/yyyy
}

// errForgedQR: the QR names a receipt but its signature does not verify.
var errForgedQR = errors.New("the QR code's signature is not valid: this may be a forged receipt")

func runFind(env *Env, args []string) error {
	fs, db := dbFlags("find")
	asJSON := fs.Bool("json", false, "print JSON")
	staff := fs.String("staff", "cli", "who searches, as the access log records")
	var text string
	check := func(pos []string) error {
		// A QR payload or a name may hold spaces: the words are one text.
		text = strings.Join(pos, " ")
		if strings.TrimSpace(text) == "" {
			return usagef("TEXT to find is required")
		}
		return nil
	}
	return onDB(fs, db, args, check, func(s *store.Store, pos []string) error {
		res, err := desk.New(s).Lookup(env.Ctx, cliActor(*staff), text) // a search by ID or phone is recorded in the access log
		if err != nil {
			return err
		}
		if *asJSON {
			out := struct {
				Kind           string    `json:"kind"`
				Key            string    `json:"key,omitempty"`
				SignatureValid *bool     `json:"signature_valid,omitempty"`
				Dossiers       []findRow `json:"dossiers"`
			}{Kind: string(res.Kind), Key: res.Key, Dossiers: []findRow{}}
			if res.Kind == lookup.KindQR {
				v := res.SignatureValid
				out.SignatureValid = &v
			}
			for _, r := range res.Dossiers {
				out.Dossiers = append(out.Dossiers, toFindRow(r))
			}
			enc := json.NewEncoder(env.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(out); err != nil {
				return err
			}
		} else {
			for _, r := range res.Dossiers {
				fmt.Fprintf(env.Stdout, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.State, r.ApplicantName, r.ProcedureCode,
					domain.FormatDate(r.ReceivedAt))
			}
		}
		switch {
		case res.Kind == lookup.KindQR && !res.SignatureValid:
			return errForgedQR
		case res.Kind == lookup.KindNone:
			return lookup.ErrNotPostDesk
		case len(res.Dossiers) == 0:
			return fmt.Errorf("no dossier on this device matches %q", res.Query)
		}
		return nil
	})
}

func toFindRow(r store.DossierRow) findRow {
	f := findRow{Receipt: r.ID, State: string(r.State), Option: string(r.Option), Applicant: r.ApplicantName,
		CitizenID: r.CitizenID, Phone: r.Phone, ProcedureCode: r.ProcedureCode, AgencyCode: r.AgencyCode,
		OfficialCode: r.OfficialCode, ItemCode: r.ItemCode, Received: domain.FormatDate(r.ReceivedAt),
		ReceivedAt: r.ReceivedAt.In(domain.Zone).Format("2006-01-02T15:04:05-07:00")}
	if !r.DueDate.IsZero() {
		f.Due = domain.FormatDate(r.DueDate)
	}
	return f
}

package receipt

import (
	"encoding/json"
	"io"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// CitizenExport is everything a post point (or the hub, over every post
// point) holds about one ID number: each dossier (its current state, as the
// projection has it) with every event about it — what a citizen may ask to
// see (Law 91/2025/QH15). The device (internal/desk) and the hub
// (internal/hub/hubstore) fill it; it is written as JSON or PDF here.
type CitizenExport struct {
	IDNumber  string           `json:"id_number"`
	PostPoint domain.PostPoint `json:"post_point"`
	// Scope names where the data comes from when it is not one post point
	// (the hub: "every post point of the province").
	Scope    string           `json:"scope,omitempty"`
	MadeAt   time.Time        `json:"made_at"`
	MadeBy   string           `json:"made_by"`
	Dossiers []CitizenDossier `json:"dossiers"`
}

// CitizenDossier is one dossier of a citizen's export.
type CitizenDossier struct {
	Dossier *domain.Dossier `json:"dossier"`
	Events  []domain.Event  `json:"events"` // oldest first
}

// DossierIDs are the export's dossiers, as the access log names them.
func (c *CitizenExport) DossierIDs() []string {
	ids := make([]string, 0, len(c.Dossiers))
	for _, d := range c.Dossiers {
		ids = append(ids, d.Dossier.ID)
	}
	return ids
}

// WriteJSON writes the export as indented JSON.
func (c *CitizenExport) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WritePDF writes the export as an A4 PDF in the current language.
func (c *CitizenExport) WritePDF(path string) error { return c.RenderPDF(path, nil) }

// RenderPDF writes the export as an A4 PDF in lang (nil: the current
// language): for each dossier its personal fields, procedure and state,
// then its events (time, what, who).
func (c *CitizenExport) RenderPDF(path string, lang *i18n.Catalog) error {
	if lang == nil {
		lang = i18n.Current()
	}
	in := c
	t := lang.T
	title := t("citizen.pdf.title")
	opt := Options{Title: title + " " + in.IDNumber, Created: in.MadeAt, Lang: lang, Numbers: true, FontSize: 9,
		Footer: lang.Tf("citizen.pdf.made", map[string]string{"Time": domain.FormatDateTime(in.MadeAt), "By": in.MadeBy})}
	doc, err := Build(A4, opt, func(doc *Doc) error {
		doc.Heading(title)
		if in.Scope != "" {
			doc.Text(in.Scope, Style{Align: "C", Bold: true})
		} else {
			doc.Text(in.PostPoint.Name+" ("+in.PostPoint.Code+")", Style{Align: "C", Bold: true})
		}
		doc.SetLabelWidth(45)
		doc.Row(t("citizen.pdf.id"), in.IDNumber)
		doc.Row(t("citizen.pdf.count"), i18n.Count(len(in.Dossiers)))
		doc.Space(2)
		for _, cd := range in.Dossiers {
			d := cd.Dossier
			doc.Subheading(d.ID + " — " + t("state."+string(d.State)))
			doc.Row(t("intake.name"), d.Applicant.FullName)
			doc.Row(t("intake.id_type."+string(d.Applicant.IDType)), d.Applicant.IDNumber)
			doc.Row(t("intake.phone"), d.Applicant.Phone)
			doc.Row(t("intake.address"), d.Applicant.Address+" "+d.Applicant.Commune)
			if r := d.Representative; r != nil {
				doc.Row(t("intake.rep.name"), r.FullName+" — "+r.IDNumber)
			}
			doc.Row(t("intake.procedure"), d.ProcedureCode+" — "+d.ProcedureName)
			doc.Row(t("dossiers.field.received_at"), domain.FormatDateTime(d.ReceivedAt))
			if p := d.Delivery; p != nil {
				doc.Row(t("dossiers.field.delivered_to"), p.RecipientName+" — "+p.RecipientID)
			}
			var rows [][]string
			for _, e := range cd.Events {
				rows = append(rows, []string{domain.FormatDateTime(e.At), t("event." + string(e.Kind)), e.Staff, e.DeviceID})
			}
			doc.Table([]Column{{Title: t("citizen.pdf.when"), Width: 32}, {Title: t("citizen.pdf.what")},
				{Title: t("citizen.pdf.who"), Width: 28}, {Title: t("citizen.pdf.device"), Width: 26}}, rows)
			doc.Space(2)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return doc.WriteFile(path)
}

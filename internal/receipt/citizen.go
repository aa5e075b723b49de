package receipt

import (
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// CitizenInput is a citizen's data export: every dossier about one ID
// number, each with its events.
type CitizenInput struct {
	IDNumber  string
	PostPoint domain.PostPoint
	MadeAt    time.Time
	MadeBy    string
	Dossiers  []*domain.Dossier
	Events    [][]domain.Event // Events[i] are Dossiers[i]'s, oldest first
	Lang      *i18n.Catalog
}

// RenderCitizenFile writes the export as an A4 PDF: for each dossier its
// personal fields, procedure and state, then its events (time, what, who).
func RenderCitizenFile(path string, in CitizenInput) error {
	lang := in.Lang
	if lang == nil {
		lang = i18n.Current()
	}
	t := lang.T
	title := t("citizen.pdf.title")
	opt := Options{Title: title + " " + in.IDNumber, Created: in.MadeAt, Lang: lang, Numbers: true, FontSize: 9,
		Footer: lang.Tf("citizen.pdf.made", map[string]string{"Time": domain.FormatDateTime(in.MadeAt), "By": in.MadeBy})}
	doc, err := Build(A4, opt, func(doc *Doc) error {
		doc.Heading(title)
		doc.Text(in.PostPoint.Name+" ("+in.PostPoint.Code+")", Style{Align: "C", Bold: true})
		doc.SetLabelWidth(45)
		doc.Row(t("citizen.pdf.id"), in.IDNumber)
		doc.Row(t("citizen.pdf.count"), i18n.Count(len(in.Dossiers)))
		doc.Space(2)
		for i, d := range in.Dossiers {
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
			if i < len(in.Events) {
				for _, e := range in.Events[i] {
					rows = append(rows, []string{domain.FormatDateTime(e.At), t("event." + string(e.Kind)), e.Staff, e.DeviceID})
				}
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

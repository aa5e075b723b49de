package receipt

import (
	"context"
	"errors"
	"io"
	"strconv"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// HandoverInput is everything a handover record (biên bản giao nhận) shows.
// HandoverFor fills it from the store.
type HandoverInput struct {
	Handover  *domain.Handover
	Dossiers  []*domain.Dossier // in the record's order
	Agency    domain.Agency
	PostPoint domain.PostPoint
	StaffName string        // the postal worker who hands over or receives
	Now       time.Time     // time of printing; zero: now
	Lang      *i18n.Catalog // nil: the current locale
}

// HandoverFor loads a record, its dossiers, its agency and who drew it up.
func HandoverFor(ctx context.Context, s *store.Store, id string) (HandoverInput, error) {
	var in HandoverInput
	h, err := s.Handover(ctx, id)
	if err != nil {
		return in, err
	}
	in.Handover = h
	if in.Dossiers, err = s.HandoverDossiers(ctx, h); err != nil {
		return in, err
	}
	if in.Agency, err = s.Agency(ctx, h.AgencyCode); err != nil && !errors.Is(err, store.ErrNotFound) {
		return in, err
	}
	if _, in.PostPoint, err = s.Device(ctx); err != nil {
		return in, err
	}
	in.StaffName = h.Staff
	if st, err := s.StaffMember(ctx, h.Staff); err == nil {
		in.StaffName = st.FullName
	}
	in.Now = s.Now()
	return in, nil
}

// RenderHandover writes the record's PDF to w.
func RenderHandover(w io.Writer, in HandoverInput) error {
	doc, err := buildHandover(in)
	if err != nil {
		return err
	}
	return doc.Output(w)
}

// RenderHandoverFile writes the record's PDF to path atomically.
func RenderHandoverFile(path string, in HandoverInput) error {
	doc, err := buildHandover(in)
	if err != nil {
		return err
	}
	return doc.WriteFile(path)
}

func buildHandover(in HandoverInput) (*Doc, error) {
	h := in.Handover
	if h == nil {
		return nil, errors.New("receipt: no handover record to print")
	}
	if len(in.Dossiers) != len(h.Dossiers) {
		return nil, errors.New("receipt: the handover record's dossiers were not all loaded")
	}
	lang, now := langNow(in.Lang, in.Now)
	t := lang.T
	title := t("handover.pdf.title_" + string(h.Direction))
	opt := Options{
		Title: title + " " + h.ID, Subject: in.Agency.Name, Created: now, Lang: lang, Numbers: true, FontSize: 9,
		Footer: h.ID + " — " + lang.Tf("handover.pdf.printed", map[string]string{"Time": domain.FormatDateTime(now)}),
	}
	return Build(A4, opt, func(doc *Doc) error {
		base := doc.BaseSize()
		pp := in.PostPoint
		unit := []Line{{Text: pp.Name, Style: Style{Bold: true}}}
		if pp.Code != "" {
			unit = append(unit, Line{Text: t("handover.pdf.post_point_code") + ": " + pp.Code, Style: Style{Size: base - 1}})
		}
		doc.Letterhead(unit, []Line{
			{Text: t("receipt.motto1"), Style: Style{Bold: true, Size: base - 1}},
			{Text: t("receipt.motto2"), Style: Style{Bold: true, Size: base - 0.5}},
		})
		doc.Heading(title)
		doc.Text(t("handover.pdf.number")+": "+h.ID, Style{Align: "C", Bold: true})
		switch h.Status() {
		case domain.HandoverDraft:
			doc.Text(t("handover.pdf.draft"), Style{Align: "C", Italic: true})
		case domain.HandoverCancelled:
			doc.Text(t("handover.pdf.cancelled"), Style{Align: "C", Bold: true})
		}
		doc.Space(2)
		day := h.CreatedAt
		if h.ConfirmedAt != nil {
			day = *h.ConfirmedAt
		}
		doc.Text(lang.Tf("handover.pdf.intro", map[string]string{"Date": domain.FormatDate(day), "Place": pp.Name}), Style{})
		doc.Space(1)
		agencyName := in.Agency.Name
		if agencyName == "" {
			agencyName = h.AgencyCode
		}
		postSide := pp.Name + " — " + in.StaffName
		agencySide := agencyName + " (" + h.AgencyCode + ")"
		if h.Officer != "" {
			agencySide += " — " + h.Officer
		}
		doc.SetLabelWidth(38)
		if h.Direction == domain.HandoverIn {
			doc.Row(t("handover.pdf.giver"), agencySide)
			doc.Row(t("handover.pdf.receiver"), postSide)
		} else {
			doc.Row(t("handover.pdf.giver"), postSide)
			doc.Row(t("handover.pdf.receiver"), agencySide)
		}
		doc.Space(1)
		doc.Text(t("handover.pdf.lead_"+string(h.Direction)), Style{})
		doc.Space(1)

		cols, rows := handoverTable(lang, h.Direction, in.Dossiers)
		doc.Table(cols, rows)
		tot := domain.TotalHandover(in.Dossiers)
		doc.Text(lang.Tf("handover.pdf.totals_"+string(h.Direction), map[string]string{
			"N": strconv.Itoa(tot.Dossiers), "Papers": strconv.Itoa(tot.Papers), "Fees": domain.FormatMoney(tot.Fees),
		}), Style{Bold: true})
		doc.Space(1)
		doc.Text(t("handover.pdf.closing"), Style{Italic: true, Size: base - 0.5})
		doc.Space(4)
		post := Signature{Title: t("handover.pdf.sign_post"), Note: t("handover.pdf.sign_note"), Name: in.StaffName}
		agency := Signature{Title: t("handover.pdf.sign_agency"), Note: t("handover.pdf.sign_note"), Name: h.Officer}
		if h.Direction == domain.HandoverIn {
			doc.Signatures(22, agency, post)
		} else {
			doc.Signatures(22, post, agency)
		}
		return nil
	})
}

// handoverTable is the record's list: for dossiers going out, what the law
// asks to count (papers, fees on behalf); for results coming in or going
// back, the codes that identify each envelope.
func handoverTable(lang *i18n.Catalog, dir domain.HandoverDirection, ds []*domain.Dossier) ([]Column, [][]string) {
	t := lang.T
	rows := make([][]string, len(ds))
	switch dir {
	case domain.HandoverOut:
		cols := []Column{
			{Title: t("handover.pdf.col.no"), Width: 10, Align: "C"},
			{Title: t("handover.pdf.col.receipt"), Width: 37},
			{Title: t("handover.pdf.col.applicant"), Width: 38},
			{Title: t("handover.pdf.col.procedure")},
			{Title: t("handover.pdf.col.papers"), Width: 16, Align: "C"},
			{Title: t("handover.pdf.col.fees"), Width: 26, Align: "R"},
		}
		for i, d := range ds {
			rows[i] = []string{strconv.Itoa(i + 1), d.ID, d.Applicant.FullName, d.ProcedureName,
				strconv.Itoa(domain.PapersCounted(d)), domain.FormatMoney(domain.FeesOnBehalf(d))}
		}
		return cols, rows
	case domain.HandoverReturn:
		cols := []Column{
			{Title: t("handover.pdf.col.no"), Width: 10, Align: "C"},
			{Title: t("handover.pdf.col.receipt"), Width: 37},
			{Title: t("handover.pdf.col.official_code"), Width: 47},
			{Title: t("handover.pdf.col.applicant"), Width: 34},
			{Title: t("handover.pdf.col.reason")},
		}
		for i, d := range ds {
			reason := d.LastFailReason
			if k := "delivery.fail." + reason; lang.Has(k) {
				reason = lang.T(k)
			}
			rows[i] = []string{strconv.Itoa(i + 1), d.ID, d.OfficialCode, d.Applicant.FullName,
				reason + " (" + lang.Tf("handover.pdf.attempts", map[string]string{"N": strconv.Itoa(d.FailedAttempts)}) + ")"}
		}
		return cols, rows
	}
	cols := []Column{
		{Title: t("handover.pdf.col.no"), Width: 10, Align: "C"},
		{Title: t("handover.pdf.col.receipt"), Width: 37},
		{Title: t("handover.pdf.col.official_code"), Width: 47},
		{Title: t("handover.pdf.col.applicant"), Width: 34},
		{Title: t("handover.pdf.col.procedure")},
		{Title: t("handover.pdf.col.item_code"), Width: 27},
	}
	for i, d := range ds {
		rows[i] = []string{strconv.Itoa(i + 1), d.ID, d.OfficialCode, d.Applicant.FullName, d.ProcedureName, d.ItemCode}
	}
	return cols, rows
}

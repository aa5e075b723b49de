package receipt

import (
	"io"
	"strconv"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/register"
)

// RenderRegister writes the daily register (sổ theo dõi) as a PDF to w: the
// per-staff summary with its totals row, every line of the day, and boxes
// for the one who kept it and the head of the post point to sign after the
// cash count. lang nil: the current locale.
func RenderRegister(w io.Writer, r *register.Register, lang *i18n.Catalog) error {
	doc, err := buildRegister(r, lang)
	if err != nil {
		return err
	}
	return doc.Output(w)
}

// RenderRegisterFile writes the register's PDF to path atomically.
func RenderRegisterFile(path string, r *register.Register, lang *i18n.Catalog) error {
	doc, err := buildRegister(r, lang)
	if err != nil {
		return err
	}
	return doc.WriteFile(path)
}

func buildRegister(r *register.Register, lang *i18n.Catalog) (*Doc, error) {
	if lang == nil {
		lang = i18n.Current()
	}
	t := lang.T
	now := r.Generated
	if now.IsZero() {
		now = time.Now()
	}
	date := domain.FormatDate(r.Date)
	opt := Options{
		Title: t("register.title") + " " + date, Subject: r.PostPoint.Name, Created: now, Lang: lang, Numbers: true,
		Footer: lang.Tf("register.printed", map[string]string{"Time": domain.FormatDateTime(now)}), FontSize: 9,
	}
	return Build(A4Landscape, opt, func(doc *Doc) error {
		base := doc.BaseSize()
		unit := []Line{{Text: r.PostPoint.Name, Style: Style{Bold: true}}}
		if r.PostPoint.Code != "" {
			unit = append(unit, Line{Text: t("handover.pdf.post_point_code") + ": " + r.PostPoint.Code + " — " + r.Device,
				Style: Style{Size: base - 1}})
		}
		doc.Letterhead(unit, []Line{
			{Text: t("receipt.motto1"), Style: Style{Bold: true, Size: base - 1}},
			{Text: t("receipt.motto2"), Style: Style{Bold: true, Size: base - 0.5}},
		})
		doc.Heading(t("register.title"))
		doc.Text(lang.Tf("register.date", map[string]string{"Date": date}), Style{Align: "C", Bold: true})
		doc.Space(2)

		doc.Subheading(t("register.summary"))
		cols := []Column{{Title: t(register.SummaryColumns[0])}}
		for i, key := range register.SummaryColumns[1:] {
			c := Column{Title: t(key), Width: 15, Align: "R"}
			if i+1 >= 9 {
				c.Width = 23
			}
			cols = append(cols, c)
		}
		var rows [][]string
		row := func(label string, tt register.Totals) []string {
			out := []string{label}
			for _, v := range tt.Row() {
				switch x := v.(type) {
				case int:
					out = append(out, strconv.Itoa(x))
				case int64:
					out = append(out, domain.FormatMoney(domain.Money(x)))
				}
			}
			return out
		}
		for _, st := range r.Staff {
			rows = append(rows, row(st.StaffLabel(), st.Totals))
		}
		rows = append(rows, row(t("register.total"), r.Total))
		doc.Table(cols, rows)
		doc.Text(lang.Tf("register.cash_line", map[string]string{
			"Collected": domain.FormatMoney(r.Total.Collected()), "Cash": domain.FormatMoney(r.Total.Cash),
			"Transfer": domain.FormatMoney(r.Total.Transfer)}), Style{Bold: true})
		if len(r.Lines) == 0 {
			doc.Space(2)
			doc.Text(t("register.empty"), Style{Italic: true})
		} else {
			doc.Subheading(t("register.lines"))
			lcols := []Column{
				{Title: t("register.col.time"), Width: 14, Align: "C"},
				{Title: t("register.col.staff"), Width: 24},
				{Title: t("register.col.kind"), Width: 52},
				{Title: t("register.col.dossier"), Width: 38},
				{Title: t("register.col.detail")},
				{Title: t("register.col.postage"), Width: 24, Align: "R"},
				{Title: t("register.col.fees"), Width: 24, Align: "R"},
				{Title: t("register.col.payment"), Width: 22},
			}
			lrows := make([][]string, len(r.Lines))
			for i, l := range r.Lines {
				pay, postage, fee := "", "", ""
				if l.Postage > 0 {
					postage = domain.FormatMoney(l.Postage)
				}
				if l.Fee > 0 {
					fee = domain.FormatMoney(l.Fee)
				}
				if l.Postage+l.Fee > 0 {
					pay = t("register.cash")
					if l.Transfer {
						pay = t("register.transfer")
					}
				}
				lrows[i] = []string{l.At.In(domain.Zone).Format("15:04"), l.Staff, register.KindLabel(lang, l.Kind),
					l.Dossier, register.LineDetail(lang, l), postage, fee, pay}
			}
			doc.Table(lcols, lrows)
		}
		doc.Space(4)
		doc.Signatures(20,
			Signature{Title: t("register.sign_keeper"), Note: t("handover.pdf.sign_note")},
			Signature{Title: t("register.sign_head"), Note: t("handover.pdf.sign_note")})
		return nil
	})
}

package receipt

import (
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// RecoveryInput is what a recovery sheet shows.
type RecoveryInput struct {
	PostPoint domain.PostPoint
	Secret    string // the recovery key, "AGE-SECRET-KEY-1…"
	Recipient string // its public recipient, "age1…", kept on the device
	MadeBy    string // who made it
	Now       time.Time
	Lang      *i18n.Catalog
}

// RecoveryGroups splits a secret key into groups of four for typing, after
// its "AGE-SECRET-KEY-1" prefix.
func RecoveryGroups(secret string) string {
	const prefix = "AGE-SECRET-KEY-1"
	var b strings.Builder
	if strings.HasPrefix(secret, prefix) {
		b.WriteString(prefix + " ")
		secret = secret[len(prefix):]
	}
	for i, r := range secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// RenderRecoverySheetFile writes the post point's recovery sheet (A4): the
// key as text in groups of four and as a QR code whose text is the key
// itself, what it opens and where to keep it. It is printed once; the
// device keeps only the recipient.
func RenderRecoverySheetFile(path string, in RecoveryInput) error {
	lang := in.Lang
	if lang == nil {
		lang = i18n.Current()
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	t := lang.T
	title := t("recovery.pdf.title")
	opt := Options{Title: title + " " + in.PostPoint.Code, Created: now, Lang: lang, FontSize: 10,
		Footer: lang.Tf("recovery.pdf.made", map[string]string{"Time": domain.FormatDateTime(now), "By": in.MadeBy})}
	doc, err := Build(A4, opt, func(doc *Doc) error {
		doc.Heading(title)
		doc.Text(in.PostPoint.Name+" ("+in.PostPoint.Code+")", Style{Align: "C", Bold: true})
		doc.Space(3)
		doc.Text(t("recovery.pdf.what"), Style{})
		doc.Space(2)
		doc.Subheading(t("recovery.pdf.key"))
		doc.Text(RecoveryGroups(in.Secret), Style{Bold: true, Size: doc.BaseSize() + 2})
		doc.Space(2)
		if err := doc.QR(in.Secret, 60, "C"); err != nil {
			return err
		}
		doc.Space(2)
		doc.SetLabelWidth(45)
		doc.Row(t("recovery.pdf.recipient"), in.Recipient)
		doc.Row(t("recovery.pdf.date"), domain.FormatDateTime(now))
		doc.Space(3)
		doc.Subheading(t("recovery.pdf.keep_title"))
		doc.Text(t("recovery.pdf.keep"), Style{})
		doc.Space(2)
		doc.Subheading(t("recovery.pdf.restore_title"))
		doc.Text(t("recovery.pdf.restore"), Style{})
		return nil
	})
	if err != nil {
		return err
	}
	return doc.WriteFile(path)
}

package receipt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"postdesk/i18n"
	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Receipt layouts, as Settings.ReceiptLayout names them.
const (
	LayoutA5   = "a5"   // A5 portrait sheet
	LayoutRoll = "80mm" // 80 mm thermal roll
)

// Errors of Render and ForDossier; test with errors.Is. Each comes wrapped
// with a *domain.FieldError that i18n.Message translates.
var (
	ErrNoDossier = errors.New("dossier not found")
	ErrLayout    = errors.New("unknown receipt layout")
)

// Input is everything a receipt shows. ForDossier fills it from the store.
type Input struct {
	Dossier   *domain.Dossier
	Procedure domain.Procedure // the catalog entry; the dossier's own code and name win when set
	Agency    domain.Agency
	PostPoint domain.PostPoint
	Settings  domain.Settings
	ClerkName string        // who received the dossier, as printed
	QR        string        // text of the QR code (MakeQR); "" prints no code
	Now       time.Time     // time of printing; zero: now
	Layout    string        // LayoutA5 or LayoutRoll; "": Settings.ReceiptLayout
	Lang      *i18n.Catalog // nil: the current locale (i18n.Current)
	// Calendar counts the appointment's working days, with the settings'
	// local days off added; nil: the shipped calendar (calendar.Embedded).
	Calendar *calendar.Calendar
	// Notices are the province's wording of the personal-data notice by
	// language (store.ReceiptNotices, sent by the hub); a language without
	// one prints PostDesk's own (i18n receipt.privacy_notice).
	Notices map[string]string
}

// Notice is the personal-data notice a receipt in lang prints: the
// province's wording for that language when it set one, else PostDesk's.
func Notice(notices map[string]string, lang *i18n.Catalog) string {
	if t := strings.TrimSpace(notices[lang.Locale()]); t != "" {
		return t
	}
	return lang.T("receipt.privacy_notice")
}

// LayoutSize is the page size of a receipt layout ("" is A5).
func LayoutSize(layout string) (Size, error) {
	switch strings.ToLower(strings.TrimSpace(layout)) {
	case LayoutA5, "":
		return A5, nil
	case LayoutRoll, "80", "roll":
		return Roll80, nil
	}
	return Size{}, &codedError{ErrLayout, domain.Errf("receipt_layout", "receipt.err.layout",
		"receipt layout %q is unknown; use a5 or 80mm", layout).WithArgs("Layout", layout)}
}

// Appointment is the appointment date a receipt promises and whether there
// is one: the date recorded at intake (Dossier.ExpectedDate) when set, else
// the calendar's count from the time of receipt, the procedure's
// processing days and the settings' transit days. There is none when the
// procedure gives no processing days (the agency will set the date) or for
// a result-only registration. cal nil is the shipped calendar; the
// settings' local days off are added to it, and a bad one is an error
// rather than a wrong date.
func Appointment(d *domain.Dossier, p domain.Procedure, st domain.Settings, cal *calendar.Calendar) (time.Time, bool, error) {
	a, ok, _, err := appointment(d, p, st, cal)
	return a.Date, ok, err
}

// appointment is Appointment, also telling whether the date is what the rule
// gives today (so the receipt may explain it as processing plus transit
// days, and which years' calendars it was counted with; a date recorded
// under other settings is printed unexplained).
func appointment(d *domain.Dossier, p domain.Procedure, st domain.Settings, cal *calendar.Calendar) (due calendar.Appointment, ok, byRule bool, err error) {
	var rule calendar.Appointment
	if d.Option != domain.OptionReturnOnly && p.ProcessingDays > 0 && !d.ReceivedAt.IsZero() {
		if cal == nil {
			cal = calendar.Embedded()
		}
		holidays, err := domain.ParseHolidays(st.Holidays)
		if err != nil {
			return due, false, false, err
		}
		cal = cal.WithExtra(holidays, calendar.LocalName)
		rule = cal.Appointment(d.ReceivedAt, p.ProcessingDays, st.TransitDays)
	}
	if d.ExpectedDate != nil && !d.ExpectedDate.IsZero() {
		due = calendar.Appointment{Date: d.ExpectedDate.In(domain.Zone)}
		if !rule.Date.IsZero() && domain.FormatDate(due.Date) == domain.FormatDate(rule.Date) {
			return rule, true, true, nil
		}
		return due, true, false, nil
	}
	if rule.Date.IsZero() {
		return due, false, false, nil
	}
	return rule, true, true, nil
}

// RenderFile writes the receipt PDF to path atomically.
func RenderFile(path string, in Input) error {
	doc, err := buildReceipt(in)
	if err != nil {
		return err
	}
	return doc.WriteFile(path)
}

// Render writes the receipt PDF to w.
func Render(w io.Writer, in Input) error {
	doc, err := buildReceipt(in)
	if err != nil {
		return err
	}
	return doc.Output(w)
}

func buildReceipt(in Input) (*Doc, error) {
	if in.Dossier == nil {
		return nil, errors.New("receipt: no dossier to print")
	}
	layout := in.Layout
	if layout == "" {
		layout = in.Settings.ReceiptLayout
	}
	size, err := LayoutSize(layout)
	if err != nil {
		return nil, err
	}
	due, hasDue, byRule, err := appointment(in.Dossier, in.Procedure, in.Settings, in.Calendar)
	if err != nil {
		return nil, err
	}
	lang, now := langNow(in.Lang, in.Now)
	r := &rc{in: in, d: in.Dossier, lang: lang, due: due, hasDue: hasDue, byRule: byRule, now: now}
	opt := Options{
		Title:   lang.T("receipt.title") + " " + in.Dossier.ID,
		Subject: r.procName(),
		Created: now,
		Lang:    lang,
		Footer:  lang.Tf("receipt.footer", map[string]string{"Time": domain.FormatDateTime(now)}),
		Numbers: true,
	}
	if size.Roll() {
		opt.Margin, opt.FontSize = 4, 8.5
	} else {
		opt.Margin, opt.FontSize = 8, 8.5
	}
	return Build(size, opt, r.draw)
}

// rc is one receipt being drawn.
type rc struct {
	in     Input
	d      *domain.Dossier
	lang   *i18n.Catalog
	due    calendar.Appointment
	hasDue bool
	byRule bool      // due is processing plus transit days from the receipt: say so
	now    time.Time // time of printing
}

func (r *rc) t(key string) string { return r.lang.T(key) }

func (r *rc) procCode() string {
	if r.d.ProcedureCode != "" {
		return r.d.ProcedureCode
	}
	return r.in.Procedure.Code
}

// procName prefers the name recorded at intake: a reprint shows what the
// citizen was told even if the catalog was renamed since.
func (r *rc) procName() string {
	if r.d.ProcedureName != "" {
		return r.d.ProcedureName
	}
	return r.in.Procedure.Name
}

func (r *rc) draw(doc *Doc) error {
	roll := doc.Size().Roll()
	base := doc.BaseSize()
	pp := r.in.PostPoint

	// Letterhead: the post point, and on a sheet the national motto.
	unit := []Line{{Text: pp.Name, Style: Style{Bold: true}}}
	if pp.Code != "" {
		unit = append(unit, Line{Text: r.t("receipt.post_point_code") + ": " + pp.Code, Style: Style{Size: base - 1}})
	}
	if place := joinNonEmpty(", ", pp.Commune, pp.Province); place != "" {
		unit = append(unit, Line{Text: place, Style: Style{Size: base - 1}})
	}
	if roll {
		doc.Letterhead(unit, nil)
	} else {
		doc.Letterhead(unit, []Line{
			{Text: r.t("receipt.motto1"), Style: Style{Bold: true, Size: base - 1}},
			{Text: r.t("receipt.motto2"), Style: Style{Bold: true, Size: base - 0.5}},
		})
	}

	title := "receipt.title"
	if r.d.Option == domain.OptionReturnOnly {
		title = "receipt.title_return"
	}
	doc.Heading(r.t(title))
	doc.Text(r.t("receipt.subtitle"), Style{Italic: true, Align: "C", Size: base - 1})
	doc.Space(1.5)

	// The receipt number and time; on a sheet the QR code stands beside them.
	if roll {
		doc.SetLabelWidth(25)
		doc.Text(r.t("receipt.number"), Style{Align: "C", Size: base - 0.5})
		doc.Text(r.d.ID, Style{Bold: true, Size: base + 4, Align: "C"})
		doc.Space(1)
		r.headRows(doc)
	} else {
		doc.SetLabelWidth(38)
		// 40 mm: two pixels per module even in an 80 dpi photo of the page;
		// smaller codes of this length fail to scan at that resolution.
		const qrW = 40.0
		top := doc.Y()
		qrBottom := top
		if r.in.QR != "" {
			png, err := QRPNG(r.in.QR)
			if err != nil {
				return err
			}
			x := doc.Left() + doc.Width() - qrW
			h, err := doc.ImageAt(png, x, top-2, qrW)
			if err != nil {
				return err
			}
			ch := doc.TextAt(x-2, top-2+h-1.5, qrW+4, r.t("receipt.qr_caption"), Style{Italic: true, Align: "C", Size: base - 2})
			qrBottom = top - 2 + h - 1.5 + ch
			doc.ReserveRight(qrW+3, qrBottom)
		}
		doc.RowStyled(r.t("receipt.number"), r.d.ID, Style{Bold: true, Size: base + 3})
		r.headRows(doc)
	}

	// Applicant and representative.
	r.section(doc, "receipt.section.applicant")
	r.person(doc, r.d.Applicant)
	if rep := r.d.Representative; rep != nil && rep.FullName != "" {
		doc.Row(r.t("receipt.representative"), joinNonEmpty(", ", rep.FullName, r.idText(*rep), rep.Phone))
	}

	// Procedure and agency.
	r.section(doc, "receipt.section.procedure")
	doc.Row(r.t("receipt.procedure"), joinNonEmpty(" – ", r.procCode(), r.procName()))
	doc.Row(r.t("receipt.agency"), r.agencyName())
	doc.RowStyled(r.t("receipt.option"), r.t("receipt.option."+string(r.d.Option)), Style{})
	if r.d.OfficialCode != "" {
		doc.Row(r.t("receipt.official_code"), r.d.OfficialCode)
	}

	// The papers counted with the applicant.
	if len(r.d.Documents) > 0 {
		r.section(doc, "receipt.section.documents")
		r.documents(doc, roll)
	} else if r.d.Option.Sends() {
		r.section(doc, "receipt.section.documents")
		doc.Text(r.t("receipt.no_documents"), Style{Italic: true})
	}

	// Money, and the appointment: side by side on a sheet.
	if roll {
		r.money(doc)
		r.result(doc)
	} else {
		label := doc.labelW
		if err := doc.Columns(8*doc.LineHeight(0), []float64{0, 0},
			func(doc *Doc) error { doc.SetLabelWidth(31); r.money(doc); return nil },
			func(doc *Doc) error { doc.SetLabelWidth(33); r.result(doc); return nil },
		); err != nil {
			return err
		}
		doc.SetLabelWidth(label)
	}
	doc.Space(1)
	if r.d.ReturnMethod != "" {
		doc.Row(r.t("receipt.return_method"), r.t("receipt.return."+string(r.d.ReturnMethod)))
	}
	if r.d.ReturnMethod == domain.ReturnByPost && r.d.ReturnAddress != "" {
		doc.Row(r.t("receipt.return_address"), r.d.ReturnAddress)
	}
	if r.d.Notes != "" {
		doc.RowStyled(r.t("receipt.notes"), r.d.Notes, Style{})
	}

	// Signatures.
	doc.Space(1)
	note := r.t("receipt.sign.note")
	doc.Signatures(12,
		Signature{Title: r.t("receipt.sign.applicant"), Note: note, Name: r.d.Applicant.FullName},
		Signature{Title: r.t("receipt.sign.clerk"), Note: note, Name: r.in.ClerkName})

	// What personal data is collected and why (Law 91/2025/QH15), in
	// small type under the signatures, then the hotline; on a roll the QR
	// code at the bottom.
	// On a sheet the hotline and "keep this receipt" share one line, so the
	// notice still leaves an A5 receipt on one page.
	doc.Space(0.5)
	doc.Text(Notice(r.in.Notices, r.lang), Style{Size: base - 2.5})
	hotline := ""
	if h := r.in.Settings.Hotline; h != "" {
		hotline = r.lang.Tf("receipt.hotline", map[string]string{"Hotline": h})
	}
	if roll || hotline == "" {
		if hotline != "" {
			doc.Text(hotline, Style{Bold: true, Align: "C", Size: base - 0.5})
		}
		doc.Text(r.t("receipt.keep"), Style{Italic: true, Align: "C", Size: base - 1})
	} else {
		doc.Text(hotline+" · "+r.t("receipt.keep"), Style{Align: "C", Size: base - 1})
	}
	if roll && r.in.QR != "" {
		doc.Space(2)
		if err := doc.QR(r.in.QR, 44, "C"); err != nil {
			return err
		}
		doc.Text(r.t("receipt.qr_caption"), Style{Italic: true, Align: "C", Size: base - 1.5})
	}
	if roll {
		doc.Text(r.lang.Tf("receipt.footer", map[string]string{"Time": domain.FormatDateTime(r.now)}),
			Style{Align: "C", Size: base - 2})
		doc.CutLine()
	}
	return nil
}

// money lists postage, fees and what was paid.
func (r *rc) money(doc *Doc) {
	r.section(doc, "receipt.section.money")
	doc.Row(r.t("receipt.postage"), domain.FormatMoney(r.d.Postage))
	fee := domain.FormatMoney(r.d.Fee)
	if r.d.Fee != 0 {
		status := "receipt.fee.paid"
		if !r.d.FeePaid {
			status = "receipt.fee.unpaid"
			if r.d.FeePayment == domain.PayOnDelivery {
				status = "receipt.fee.on_delivery"
			}
		}
		fee += " (" + r.t(status) + ")"
	}
	doc.Row(r.t("receipt.fee"), fee)
	paid := r.d.Postage
	if r.d.FeePaid {
		paid += r.d.Fee
	}
	doc.Row(r.t("receipt.total_paid"), domain.FormatMoney(paid))
}

// AppointmentNote explains an appointment counted by the calendar: the
// working days it adds, and only what is true about the days skipped —
// the years whose government calendar file was loaded, or, for a year
// without one, that its days off follow the law and the usual pattern and
// may change.
func AppointmentNote(lang *i18n.Catalog, a calendar.Appointment, processing, transit int) string {
	key := "receipt.appointment_note"
	if transit <= 0 {
		key = "receipt.appointment_note_no_transit"
	}
	note := lang.Tf(key, map[string]string{"Processing": strconv.Itoa(processing), "Transit": strconv.Itoa(transit)})
	years := func(ys []int) string {
		out := make([]string, len(ys))
		for i, y := range ys {
			out[i] = strconv.Itoa(y)
		}
		return strings.Join(out, ", ")
	}
	if a.Complete() {
		return note + " " + lang.Tf("receipt.calendar_loaded", map[string]string{"Years": years(a.Years)})
	}
	return note + " " + lang.Tf("receipt.calendar_missing", map[string]string{"Years": years(a.Unloaded)})
}

// result gives the appointment date, or says there is none yet.
func (r *rc) result(doc *Doc) {
	base := doc.BaseSize()
	r.section(doc, "receipt.section.result")
	if r.hasDue {
		doc.RowStyled(r.t("receipt.appointment"), domain.FormatDate(r.due.Date), Style{Bold: true, Size: base + 2})
		if r.byRule {
			doc.Text(AppointmentNote(r.lang, r.due, r.in.Procedure.ProcessingDays, r.in.Settings.TransitDays),
				Style{Italic: true, Size: base - 1.5})
		}
	} else {
		doc.RowStyled(r.t("receipt.appointment"), r.t("receipt.appointment_unknown"), Style{Italic: true})
	}
	if r.d.DueDate != nil && !r.d.DueDate.IsZero() {
		doc.Row(r.t("receipt.agency_due"), domain.FormatDate(*r.d.DueDate))
	}
}

// headRows are the rows beside the receipt number: when and where, by whom.
func (r *rc) headRows(doc *Doc) {
	doc.RowStyled(r.t("receipt.received_at"), domain.FormatDateTime(r.d.ReceivedAt), Style{Bold: true})
	place := r.t("receipt.place." + string(r.d.Place))
	if r.d.Place == "" {
		place = r.t("receipt.place.counter")
	}
	doc.RowStyled(r.t("receipt.place"), place, Style{})
	doc.RowStyled(r.t("receipt.clerk"), r.in.ClerkName, Style{})
	if r.d.ItemCode != "" {
		doc.Row(r.t("receipt.item_code"), r.d.ItemCode)
	}
}

// section opens a part of the receipt with a short bold title.
func (r *rc) section(doc *Doc, key string) {
	st := Style{Bold: true, Size: doc.BaseSize() + 0.5}
	doc.Ensure(3 * doc.LineHeight(0))
	doc.Space(0.9)
	doc.Text(r.t(key), st)
	doc.Space(0.2)
}

func (r *rc) person(doc *Doc, p domain.Person) {
	doc.Row(r.t("receipt.name"), p.FullName)
	if p.IDNumber != "" {
		doc.Row(r.t(idKey(p.IDType)), p.IDNumber)
	}
	if p.Phone != "" {
		doc.Row(r.t("receipt.phone"), p.Phone)
	}
	if addr := joinNonEmpty(", ", p.Address, p.Commune); addr != "" {
		doc.RowStyled(r.t("receipt.address"), addr, Style{})
	}
}

// idText is an ID paper written in a line: "Số CCCD 064301000045".
func (r *rc) idText(p domain.Person) string {
	if p.IDNumber == "" {
		return ""
	}
	return r.t(idKey(p.IDType)) + " " + p.IDNumber
}

func idKey(t domain.IDType) string {
	switch t {
	case domain.IDCCCD, domain.IDLegacy9, domain.IDPassport:
		return "receipt.id." + string(t)
	}
	return "receipt.id.other"
}

func (r *rc) agencyName() string {
	a := r.in.Agency
	code := a.Code
	if code == "" {
		code = r.d.AgencyCode
	}
	switch {
	case a.Name != "" && code != "":
		return a.Name + " (" + code + ")"
	case a.Name != "":
		return a.Name
	}
	return code
}

func (r *rc) documents(doc *Doc, roll bool) {
	yes, no := r.t("receipt.yes"), r.t("receipt.no")
	var cols []Column
	if roll {
		cols = []Column{
			{Title: r.t("receipt.col.document")},
			{Title: r.t("receipt.col.kind"), Width: 16, Align: "C"},
			{Title: r.t("receipt.col.count_short"), Width: 7, Align: "C"},
			{Title: r.t("receipt.col.received_short"), Width: 11, Align: "C"},
		}
	} else {
		cols = []Column{
			{Title: r.t("receipt.col.no"), Width: 9, Align: "C"},
			{Title: r.t("receipt.col.document")},
			{Title: r.t("receipt.col.kind"), Width: 18, Align: "C"},
			{Title: r.t("receipt.col.count"), Width: 16, Align: "C"},
			{Title: r.t("receipt.col.received"), Width: 16, Align: "C"},
		}
	}
	var rows [][]string
	var missing []string
	for i, it := range r.d.Documents {
		kind := r.t("receipt.copy")
		if it.Original {
			kind = r.t("receipt.original")
		}
		got := no
		count := ""
		if it.Received {
			got = yes
			count = strconv.Itoa(it.Count)
		} else if it.Required {
			missing = append(missing, it.Name)
		}
		if roll {
			rows = append(rows, []string{it.Name, kind, count, got})
		} else {
			rows = append(rows, []string{strconv.Itoa(i + 1), it.Name, kind, count, got})
		}
	}
	doc.Table(cols, rows)
	if len(missing) > 0 {
		doc.Text(r.lang.Tf("receipt.missing", map[string]string{"List": strings.Join(missing, "; ")}),
			Style{Bold: true, Size: doc.BaseSize() - 0.5})
		if r.d.MissingNotified {
			doc.Text(r.t("receipt.missing_notified"), Style{Italic: true, Size: doc.BaseSize() - 1})
		}
	}
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// ForDossier gathers from the store everything a receipt of dossier id
// needs: the dossier, its procedure and agency (from the catalog; the
// dossier's own code and name when the catalog no longer has them), the
// post point, the settings (layout, template, hotline, transit days,
// local days off), the calendar (shipped and installed year files) and a QR signed with this device's key — as the device that
// took the dossier when that is this device, else as this device (a
// reprint). clerk is the name printed as the receiver; "" looks up the
// full name of the staff member who received the dossier. Now is the
// current time. A dossier that does not exist is ErrNoDossier, naming it.
func ForDossier(ctx context.Context, s *store.Store, id, clerk string) (Input, error) {
	id = strings.TrimSpace(id)
	if rn, err := domain.ParseReceiptNumber(id); err == nil {
		id = rn.String()
	}
	d, err := s.Dossier(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d == nil) {
		return Input{}, &codedError{ErrNoDossier, domain.Errf("dossier", "receipt.err.no_dossier",
			"no dossier %q in this database", id).WithArgs("ID", id)}
	}
	if err != nil {
		return Input{}, fmt.Errorf("receipt: loading dossier %s: %w", id, err)
	}
	in := Input{Dossier: d, Now: time.Now()}
	if in.Settings, err = s.Settings(ctx); err != nil {
		return Input{}, err
	}
	if in.Calendar, err = calendar.Load(s.CalendarDir()); err != nil {
		return Input{}, err
	}
	in.Layout = in.Settings.ReceiptLayout
	if in.Notices, err = s.ReceiptNotices(ctx); err != nil {
		return Input{}, err
	}
	dev, pp, err := s.Device(ctx)
	if err != nil {
		return Input{}, err
	}
	in.PostPoint = pp
	in.Procedure, err = s.Procedure(ctx, d.ProcedureCode)
	if errors.Is(err, store.ErrNotFound) {
		in.Procedure = domain.Procedure{Code: d.ProcedureCode, Name: d.ProcedureName, AgencyCode: d.AgencyCode}
	} else if err != nil {
		return Input{}, err
	}
	agencyCode := d.AgencyCode
	if agencyCode == "" {
		agencyCode = in.Procedure.AgencyCode
	}
	in.Agency = domain.Agency{Code: agencyCode}
	agencies, err := s.Agencies(ctx)
	if err != nil {
		return Input{}, err
	}
	for _, a := range agencies {
		if a.Code == agencyCode {
			in.Agency = a
			break
		}
	}
	in.ClerkName = strings.TrimSpace(clerk)
	if in.ClerkName == "" {
		in.ClerkName = d.ReceivedBy
		if st, err := s.StaffMember(ctx, d.ReceivedBy); err == nil && st.FullName != "" {
			in.ClerkName = st.FullName
		}
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		return Input{}, err
	}
	if d.DeviceID == dev.ID() {
		in.QR, err = MakeQR(in.Settings.LookupURLTemplate, d, key)
	} else {
		in.QR, err = SignQR(in.Settings.LookupURLTemplate, d.ID, dev.ID(), d.ReceivedAt, key)
	}
	if err != nil {
		return Input{}, err
	}
	return in, nil
}

// langNow are a document's language and time: the current ones when not
// given.
func langNow(lang *i18n.Catalog, now time.Time) (*i18n.Catalog, time.Time) {
	if lang == nil {
		lang = i18n.Current()
	}
	if now.IsZero() {
		now = time.Now()
	}
	return lang, now
}

package domain

import (
	"strconv"
	"strings"
)

// Intake rules: what a dossier must hold before it is saved at the counter
// or at the citizen's home (Decision 45/2016 Art. 6, Circular 17/2017 Art. 5).
//
// The form's fields and the errors' Field names are the same, so the intake
// screen shows each error beside its field:
//
//	option, procedure, place, home_appointment,
//	applicant.full_name, applicant.id_type, applicant.id_number, applicant.phone,
//	applicant.commune, applicant.address,
//	representative.full_name, representative.id_type, representative.id_number,
//	documents, documents.<i>.count, missing_notified,
//	postage, fee, fee_payment, return_method, return_address,
//	item_code, official_code, notes
//
// BCCI flags. The catalog has two yes/no columns, and an empty cell reads as
// "no", so BCCIReturn=false usually means "the source says nothing" (most of
// the sample catalog) rather than "closed". The rule chosen:
//   - sending a dossier by post (send, send and return) needs BCCIIntake: the
//     catalog writes 0 there on purpose for procedures that need the
//     applicant in person (residence registration, certification…), and the
//     law forbids taking those by post;
//   - returning a result by post does not need BCCIReturn when the procedure
//     is open for BCCI intake: Decision 45 lets the citizen choose return by
//     post for every procedure it covers, and a procedure open to intake by
//     post is covered;
//   - a return-only registration is refused only when the catalog opens the
//     procedure to BCCI in neither direction (both flags false): then nothing
//     says the result may travel by post.
// So a clerk is never blocked by an empty cell of an incomplete catalog, and
// is always blocked by an explicit "not by post".

// Limits that catch typing mistakes rather than legal bounds.
const (
	MaxDocumentCount = 99          // copies of one paper
	MaxMoney         = 100_000_000 // đồng: one dossier's postage or fees
	MaxNotesLength   = 2000        // characters
	MaxNameLength    = 120         // characters of a person's name
	MaxAddressLength = 300         // characters of an address
)

// IntakeDocuments is a procedure's published checklist as the form starts
// it: nothing received yet, one copy of each, originals as the catalog says.
func IntakeDocuments(p Procedure) []DocumentItem {
	out := make([]DocumentItem, 0, len(p.Documents))
	for _, r := range p.Documents {
		out = append(out, DocumentItem{Name: r.Name, Required: r.Required, Original: r.Original, Count: 1})
	}
	return out
}

// MissingDocuments lists the required papers the applicant did not bring.
func MissingDocuments(docs []DocumentItem) []DocumentItem {
	var out []DocumentItem
	for _, d := range docs {
		if d.Required && !d.Received {
			out = append(out, d)
		}
	}
	return out
}

// IntakeProcedureError says why a procedure cannot be chosen for an option,
// or nil when it can (see the BCCI rule above). The form uses it as soon as
// a procedure is picked, before anything else is typed.
func IntakeProcedureError(p Procedure, o ServiceOption) *FieldError {
	const field = "procedure"
	switch {
	case o.Sends() && !p.BCCIIntake:
		return Errf(field, "err.intake.procedure_closed",
			"procedure %s is not open for intake by post (BCCI): the applicant must apply in person at the agency", p.Code).
			WithArgs("Code", p.Code)
	case o == OptionReturnOnly && !p.BCCIIntake && !p.BCCIReturn:
		return Errf(field, "err.intake.procedure_closed_return",
			"procedure %s is not open for return of results by post (BCCI)", p.Code).WithArgs("Code", p.Code)
	}
	return nil
}

// ValidateIntake returns every reason why d cannot be saved as a new dossier
// of procedure p; none means it can. See PrepareIntake.
func ValidateIntake(d Dossier, p Procedure) Errors {
	_, errs := PrepareIntake(d, p)
	return errs
}

// PrepareIntake tidies an intake as typed (text through Clean, phone and ID
// numbers to digits, the S10 code upper-cased, the procedure's name and agency
// copied from p, fee_paid set from the payment choice) and checks every rule
// of a valid intake. The tidy dossier is returned even when errors remain, so
// the form can show what will be stored.
func PrepareIntake(d Dossier, p Procedure) (Dossier, Errors) {
	var errs Errors
	add := func(e *FieldError) {
		if e != nil {
			errs = append(errs, e)
		}
	}

	// Service option and procedure.
	if !d.Option.Valid() {
		add(Errf("option", "err.intake.option", "choose a service option: send, send and return, or return only"))
	}
	if p.Code == "" || (d.ProcedureCode != "" && d.ProcedureCode != p.Code) {
		add(Errf("procedure", "err.intake.procedure_missing", "choose the procedure"))
	} else {
		d.ProcedureCode, d.ProcedureName, d.AgencyCode = p.Code, p.Name, p.AgencyCode
		if d.Option.Valid() {
			add(IntakeProcedureError(p, d.Option))
		}
	}

	// Applicant: who the receipt and the result are for.
	var pe Errors
	d.Applicant, pe = preparePerson(d.Applicant, "applicant", true)
	errs = append(errs, pe...)
	if Clean(d.Applicant.Phone) == "" {
		add(Errf("applicant.phone", "err.phone.empty", "phone number is missing"))
	} else if n, err := NormalizePhone(d.Applicant.Phone); err != nil {
		add(err.(*FieldError).In("applicant.phone"))
	} else {
		d.Applicant.Phone = n
	}
	d.Applicant.Commune = Clean(d.Applicant.Commune)
	add(maxLen("applicant.commune", d.Applicant.Commune, MaxShortText))
	d.Applicant.Address = Clean(d.Applicant.Address)
	add(maxLen("applicant.address", d.Applicant.Address, MaxAddressLength))

	// An authorised representative is optional, but when named must be identified.
	if r := d.Representative; r != nil {
		if Clean(r.FullName) == "" && Clean(r.IDNumber) == "" {
			d.Representative = nil
		} else {
			rep, re := preparePerson(*r, "representative", false)
			rep.Phone, rep.Commune, rep.Address = Clean(rep.Phone), Clean(rep.Commune), Clean(rep.Address)
			d.Representative = &rep
			errs = append(errs, re...)
		}
	}

	// Papers: counted with the applicant; what is missing must be told.
	if d.Option.Sends() {
		received := 0
		if len(d.Documents) > MaxDocumentsListed {
			add(Errf("documents", "err.intake.too_many_documents", "%d papers; at most %d", len(d.Documents), MaxDocumentsListed).
				WithArgs("N", strconv.Itoa(len(d.Documents)), "Max", strconv.Itoa(MaxDocumentsListed)))
		}
		for i := range d.Documents {
			doc := &d.Documents[i]
			doc.Name = Clean(doc.Name)
			add(maxLen("documents."+strconv.Itoa(i)+".name", doc.Name, MaxDocumentName))
			if !doc.Received {
				continue
			}
			received++
			if doc.Count < 1 || doc.Count > MaxDocumentCount {
				add(Errf("documents."+strconv.Itoa(i)+".count", "err.intake.document_count",
					"paper %q: the number of copies must be from 1 to %d", doc.Name, MaxDocumentCount).
					WithArgs("Name", doc.Name, "Max", strconv.Itoa(MaxDocumentCount)))
			}
		}
		if len(d.Documents) > 0 && received == 0 {
			add(Errf("documents", "err.intake.no_documents", "no paper is marked as received"))
		}
		if missing := MissingDocuments(d.Documents); len(missing) > 0 && !d.MissingNotified {
			names := make([]string, len(missing))
			for i, m := range missing {
				names[i] = m.Name
			}
			add(Errf("missing_notified", "err.intake.missing_not_notified",
				"%d required papers are missing (%s): tell the applicant and tick the box",
				len(missing), strings.Join(names, "; ")).
				WithArgs("N", strconv.Itoa(len(missing)), "Names", strings.Join(names, "; ")))
		}
	} else {
		// A return-only registration carries no papers: they went to the agency.
		d.Documents, d.MissingNotified = nil, false
	}

	// Where: at home needs the address and the appointment.
	switch d.Place {
	case PlaceCounter:
		d.HomeAppointment = nil
	case PlaceHome:
		if d.Applicant.Commune == "" {
			add(Errf("applicant.commune", "err.intake.home_commune", "a home pickup needs the commune"))
		}
		if d.Applicant.Address == "" {
			add(Errf("applicant.address", "err.intake.home_address", "a home pickup needs the village or street"))
		}
		if d.HomeAppointment == nil || d.HomeAppointment.IsZero() {
			add(Errf("home_appointment", "err.intake.home_appointment", "a home pickup needs the appointment date and time"))
		}
	default:
		add(Errf("place", "err.intake.place", "choose where the dossier is taken: at the counter or at home"))
	}

	// Money.
	add(checkMoney("postage", d.Postage))
	add(checkMoney("fee", d.Fee))
	if d.Fee > 0 {
		switch d.FeePayment {
		case PayNow:
		case PayOnDelivery:
			if !d.Option.Returns() {
				add(Errf("fee_payment", "err.intake.pay_on_delivery", "fees can be paid on delivery only when the result comes back by post"))
			}
		default:
			add(Errf("fee_payment", "err.intake.fee_payment", "choose when the fees are paid: now or on delivery"))
		}
	} else if d.FeePayment == "" {
		d.FeePayment = PayNow
	}
	d.FeePaid = d.Fee > 0 && d.FeePayment == PayNow

	// Return of the result.
	d.ReturnAddress = Clean(d.ReturnAddress)
	if d.Option.Returns() {
		switch d.ReturnMethod {
		case ReturnByPost:
			if d.ReturnAddress == "" {
				add(Errf("return_address", "err.intake.return_address", "return by post needs the address to deliver to"))
			}
			add(maxLen("return_address", d.ReturnAddress, MaxAddressLength))
		case ReturnAtCounter:
			d.ReturnAddress = ""
		default:
			add(Errf("return_method", "err.intake.return_method", "choose how the result comes back: by post or at the post point"))
		}
	} else {
		// Send only: the result is collected at the agency, not through the post.
		d.ReturnMethod, d.ReturnAddress = "", ""
	}

	// Codes typed or scanned.
	if Clean(d.ItemCode) == "" {
		d.ItemCode = ""
	} else if code, err := ParseItemCode(d.ItemCode); err != nil {
		add(err.(*FieldError).In("item_code"))
	} else {
		d.ItemCode = code
	}
	if Clean(d.OfficialCode) == "" {
		d.OfficialCode = ""
	} else if oc, err := ParseOfficialCode(d.OfficialCode); err != nil {
		add(err.(*FieldError).In("official_code"))
	} else {
		d.OfficialCode = oc.String()
	}

	d.Notes = strings.TrimSpace(d.Notes)
	add(maxLen("notes", d.Notes, MaxNotesLength))
	return d, errs
}

// preparePerson tidies and checks a name and an identity paper. The phone
// is the caller's business (an applicant must have one, a representative
// need not).
func preparePerson(p Person, prefix string, applicant bool) (Person, Errors) {
	var errs Errors
	p.FullName = Clean(p.FullName)
	if p.FullName == "" {
		key := "err.intake.name_required"
		if !applicant {
			key = "err.intake.representative_name"
		}
		errs = append(errs, Errf(prefix+".full_name", key, "the full name is required"))
	} else if e := maxLen(prefix+".full_name", p.FullName, MaxNameLength); e != nil {
		errs = append(errs, e)
	} else if strings.ContainsAny(p.FullName, "0123456789") {
		errs = append(errs, Errf(prefix+".full_name", "err.intake.name_digits", "a name has no digits"))
	} else if e := CheckNameChars(p.FullName); e != nil {
		errs = append(errs, e.In(prefix+".full_name"))
	}
	id, e := checkID(p.IDType, p.IDNumber, prefix)
	p.IDNumber = id
	if e != nil {
		errs = append(errs, e)
	}
	return p, errs
}

// checkID validates an identity number by its type and returns it tidy:
// digits only for a CCCD or an old ID card; a passport or other paper is
// free text (letters and digits), upper-cased.
func checkID(t IDType, number, prefix string) (string, *FieldError) {
	field := prefix + ".id_number"
	switch t {
	case IDCCCD:
		id, err := ParseCitizenID(number, 0)
		if err != nil {
			return Clean(number), err.(*FieldError).In(field)
		}
		if id.Legacy {
			return id.Number, Errf(field, "err.intake.id_is_legacy",
				"%s has 9 digits: choose the old ID card (CMND) type, or type all 12 digits of the CCCD", id.Number)
		}
		return id.Number, nil
	case IDLegacy9:
		id, err := ParseCitizenID(number, 0)
		if err != nil && Clean(number) == "" {
			return "", err.(*FieldError).In(field)
		}
		if err != nil || !id.Legacy {
			return stripChars(Clean(number), " .-"), Errf(field, "err.intake.id_legacy",
				"an old ID card (CMND) number has exactly 9 digits")
		}
		return id.Number, nil
	case IDPassport:
		n := upperASCII(stripChars(Clean(number), " "))
		if n == "" {
			return "", Errf(field, "err.intake.id_required", "the number of the identity paper is required")
		}
		if len(n) > 20 {
			return n, Errf(field, "err.intake.id_passport", "a passport number has at most 20 letters and digits")
		}
		for _, r := range n {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
				return n, Errf(field, "err.intake.id_passport", "a passport number has at most 20 letters and digits")
			}
		}
		return n, nil
	default:
		return Clean(number), Errf(prefix+".id_type", "err.intake.id_type", "choose the kind of identity paper")
	}
}

func checkMoney(field string, m Money) *FieldError {
	if m < 0 || m > MaxMoney {
		return Errf(field, "err.intake.money", "the amount must be from 0 to %s", FormatMoney(MaxMoney)).
			WithArgs("Max", FormatMoney(MaxMoney))
	}
	return nil
}

func maxLen(field, s string, n int) *FieldError { return TextTooLong(field, s, n) }

// ParseMoney reads an amount of đồng as a clerk types it: "15000",
// "15.000", "15 000", "15,000" or "15.000 ₫" (also "đ" or "vnd"). Empty is 0.
// Errors are *FieldError on field "money" with key err.intake.money_format.
func ParseMoney(s string) (Money, error) {
	t := strings.ToLower(Clean(s))
	for _, suffix := range []string{"₫", "vnđ", "vnd", "đồng", "đ", "d"} {
		if strings.HasSuffix(t, suffix) {
			t = strings.TrimSpace(strings.TrimSuffix(t, suffix))
			break
		}
	}
	t = stripChars(t, " .,\u00a0")
	if t == "" {
		return 0, nil
	}
	if !AllDigits(t) || len(t) > 12 {
		return 0, Errf("money", "err.intake.money_format", "%q is not an amount of đồng such as 15.000", s).WithArgs("Value", s)
	}
	n, _ := strconv.ParseInt(t, 10, 64)
	return Money(n), nil
}

package catalog

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"postdesk/internal/domain"
)

// ValidateProcedure checks a procedure already in canonical form — what
// ParseCSV and ParseXLSX return, or what arrives from the province by sync —
// and returns every problem as domain.Errors (Field is the column name), or
// nil. Use it before saving a procedure that did not come through a Parse
// function.
func ValidateProcedure(p domain.Procedure) error {
	var errs domain.Errors
	add := func(column, value, key, format string, a ...any) *domain.FieldError {
		e := domain.Errf(column, key, format, a...).WithArgs("Column", column, "Value", value)
		errs = append(errs, e)
		return e
	}
	switch {
	case p.Code == "":
		add(colCode, p.Code, "err.catalog.missing", "code is required")
	case !ValidProcedureCode(p.Code):
		add(colCode, p.Code, "err.catalog.bad_code", "%q is not a procedure code", p.Code)
	}
	checkLengths(add, [][2]string{{colName, p.Name}, {colSource, p.Source}, {colField, p.Field}, {colLevel, p.Level}})
	if p.Name == "" {
		add(colName, p.Name, "err.catalog.missing", "name is required")
	} else if !isClean(p.Name) {
		add(colName, p.Name, "err.catalog.not_clean", "name is not clean text")
	}
	if !contains(Fields, p.Field) {
		add(colField, p.Field, "err.catalog.unknown_field", "unknown field (lĩnh vực) %q", p.Field)
	}
	if !contains(Levels, p.Level) {
		add(colLevel, p.Level, "err.catalog.bad_level", "level %q must be cấp xã, cấp tỉnh or cấp bộ", p.Level)
	}
	if p.AgencyCode != "" {
		if err := domain.ValidAgencyCode(p.AgencyCode); err != nil {
			add(colAgencyCode, p.AgencyCode, "err.agency_code.format", "%q is not an agency code", p.AgencyCode).
				WithArgs("Code", p.AgencyCode)
		}
	}
	if p.ProcessingDays < 0 || p.ProcessingDays > MaxProcessingDays {
		add(colProcessingDays, strconv.Itoa(p.ProcessingDays), "err.catalog.bad_number", "processing days %d out of range", p.ProcessingDays)
	}
	if p.Fee < 0 || p.Fee > MaxMoney || (!p.FeeKnown && p.Fee != 0) {
		add(colFee, strconv.FormatInt(int64(p.Fee), 10), "err.catalog.bad_number", "fee %d is not valid", p.Fee)
	}
	if p.Postage < 0 || p.Postage > MaxMoney {
		add(colPostage, strconv.FormatInt(int64(p.Postage), 10), "err.catalog.bad_number", "postage %d is not valid", p.Postage)
	}
	if len(p.Documents) > maxDocuments {
		add(colDocuments, "", "err.catalog.bad_document", "too many papers").WithArgs("Index", strconv.Itoa(maxDocuments+1))
	}
	seen := map[string]bool{}
	for i, d := range p.Documents {
		switch {
		case utf8.RuneCountInString(d.Name) > domain.MaxDocumentName:
			add(colDocuments, "", "err.catalog.too_long", "paper %d: too long", i+1).
				WithArgs("Length", strconv.Itoa(utf8.RuneCountInString(d.Name)), "Max", strconv.Itoa(domain.MaxDocumentName))
		case d.Name == "" || !isClean(d.Name) || strings.ContainsAny(d.Name, ";|"):
			add(colDocuments, d.Name, "err.catalog.bad_document", "paper name %q is not valid", d.Name).
				WithArgs("Index", strconv.Itoa(i+1))
		case seen[domain.Fold(d.Name)]:
			add(colDocuments, d.Name, "err.catalog.duplicate_document", "paper %q is listed twice", d.Name).
				WithArgs("Index", strconv.Itoa(i+1))
		}
		seen[domain.Fold(d.Name)] = true
	}
	if !isClean(p.Source) {
		add(colSource, p.Source, "err.catalog.not_clean", "source is not clean text")
	}
	return errs.Err()
}

// ValidateAgency checks an agency in canonical form, like ValidateProcedure.
func ValidateAgency(a domain.Agency) error {
	var errs domain.Errors
	add := func(column, value, key, format string, args ...any) *domain.FieldError {
		e := domain.Errf(column, key, format, args...).WithArgs("Column", column, "Value", value)
		errs = append(errs, e)
		return e
	}
	if err := domain.ValidAgencyCode(a.Code); err != nil {
		add(colAgencyCode, a.Code, "err.agency_code.format", "%q is not an agency code", a.Code).
			WithArgs("Code", a.Code)
	}
	checkLengths(add, [][2]string{{colAgencyName, a.Name}, {colAddress, a.Address}, {colPhone, a.Phone}})
	if a.Name == "" {
		add(colAgencyName, a.Name, "err.catalog.missing", "agency_name is required")
	} else if !isClean(a.Name) {
		add(colAgencyName, a.Name, "err.catalog.not_clean", "agency_name is not clean text")
	}
	if !contains(Levels, a.Level) {
		add(colLevel, a.Level, "err.catalog.bad_level", "level %q must be cấp xã, cấp tỉnh or cấp bộ", a.Level)
	}
	if !isClean(a.Address) {
		add(colAddress, a.Address, "err.catalog.not_clean", "address is not clean text")
	}
	if a.Phone != "" && (!isClean(a.Phone) || !validPhone(a.Phone)) {
		add(colPhone, a.Phone, "err.catalog.bad_phone", "%q is not a phone number", a.Phone)
	}
	return errs.Err()
}

// isClean reports whether s is valid UTF-8 and already what domain.Clean makes of it.
func isClean(s string) bool { return utf8.ValidString(s) && domain.Clean(s) == s }

// cellLimit is the most characters a catalog cell of column may hold.
func cellLimit(column string) int {
	switch column {
	case colName, colAgencyName:
		return domain.MaxCatalogName
	case colDocuments:
		return domain.MaxDocumentsCell
	}
	return domain.MaxCatalogText
}

// checkLengths names every cell ({column, value}) longer than its column
// allows.
func checkLengths(add func(column, value, key, format string, a ...any) *domain.FieldError, cells [][2]string) {
	for _, c := range cells {
		if max := cellLimit(c[0]); utf8.RuneCountInString(c[1]) > max {
			add(c[0], "", "err.catalog.too_long", "too long: at most %d characters", max).
				WithArgs("Length", strconv.Itoa(utf8.RuneCountInString(c[1])), "Max", strconv.Itoa(max))
		}
	}
}

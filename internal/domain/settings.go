package domain

// Settings are the post point's choices, kept in the database and changed
// by a supervisor. Zero values are replaced by DefaultSettings' on load.
type Settings struct {
	Language          string        `json:"language"`            // i18n locale, "vi" by default
	IdleLockMinutes   int           `json:"idle_lock_minutes"`   // the app locks itself after this idle time
	ReceiptLayout     string        `json:"receipt_layout"`      // "a5" or "80mm"
	LookupURLTemplate string        `json:"lookup_url_template"` // QR link; {receipt} is replaced
	Hotline           string        `json:"hotline"`             // printed on receipts
	TransitDays       int           `json:"transit_days"`        // working days added for the post both ways
	Holidays          []string      `json:"holidays"`            // local days off on top of internal/calendar, dd/mm/yyyy
	Tariff            []TariffEntry `json:"tariff"`              // postage by kind of service
	MaxFailedAttempts int           `json:"max_failed_attempts"` // then the result goes back to the agency
	WaitingDays       int           `json:"waiting_days"`        // results waiting longer are flagged
	BackupFolder      string        `json:"backup_folder"`       // "" = beside the database
	BackupKeep        int           `json:"backup_keep"`         // automatic daily backups kept
	HubURL            string        `json:"hub_url"`             // province hub, once enrolled
	Printer           string        `json:"printer,omitempty"`   // receipts print straight to it; "" = open in the PDF viewer
	Targets           Targets       `json:"targets"`             // the province's three BCCI targets
}

// TariffEntry is one line of the postage table.
type TariffEntry struct {
	Code    string `json:"code"` // e.g. "send", "return", "home_pickup"
	Name    string `json:"name"`
	Postage Money  `json:"postage"`
}

// Targets are the province's yearly BCCI targets, in percent.
type Targets struct {
	ProceduresWithBCCI float64 `json:"procedures_with_bcci"` // > 50
	DossiersViaBCCI    float64 `json:"dossiers_via_bcci"`    // > 10
	ResultsViaBCCI     float64 `json:"results_via_bcci"`     // > 15
	// ResultsBase is what figure 3 divides by: "" or ResultsOverDossiers
	// (the letter's reading: all dossiers of the deployed procedures, the
	// same denominator as figure 2) or ResultsOverResults (all results, for
	// a province that reads the figure that way).
	ResultsBase string `json:"results_base,omitempty"`
}

// What figure 3 may divide by (Targets.ResultsBase).
const (
	ResultsOverDossiers = "dossiers"
	ResultsOverResults  = "results"
)

// OverResults reports whether figure 3 divides by all results instead of
// the letter's all dossiers.
func (t Targets) OverResults() bool { return t.ResultsBase == ResultsOverResults }

// ValidResultsBase reports whether b is a known figure 3 denominator ("" is
// the letter's default).
func ValidResultsBase(b string) bool {
	return b == "" || b == ResultsOverDossiers || b == ResultsOverResults
}

// DefaultSettings are what a new post point starts with.
func DefaultSettings() Settings {
	return Settings{
		Language:          "vi",
		IdleLockMinutes:   10,
		ReceiptLayout:     "a5",
		LookupURLTemplate: "https://dichvucong.gialai.gov.vn/tra-cuu?ma={receipt}",
		Hotline:           "1900 54 54 81",
		TransitDays:       2,
		Tariff: []TariffEntry{
			{Code: "send", Name: "Chuyển hồ sơ đến cơ quan", Postage: 15000},
			{Code: "return", Name: "Chuyển trả kết quả", Postage: 15000},
			{Code: "home_pickup", Name: "Thu gom hồ sơ tại nhà", Postage: 10000},
		},
		MaxFailedAttempts: 3,
		WaitingDays:       5,
		BackupKeep:        14,
		Targets:           Targets{ProceduresWithBCCI: 50, DossiersViaBCCI: 10, ResultsViaBCCI: 15},
	}
}

// WithDefaults fills unset fields from DefaultSettings.
func (s Settings) WithDefaults() Settings {
	d := DefaultSettings()
	if s.Language == "" {
		s.Language = d.Language
	}
	if s.IdleLockMinutes <= 0 {
		s.IdleLockMinutes = d.IdleLockMinutes
	}
	if s.ReceiptLayout == "" {
		s.ReceiptLayout = d.ReceiptLayout
	}
	if s.LookupURLTemplate == "" {
		s.LookupURLTemplate = d.LookupURLTemplate
	}
	if s.Hotline == "" {
		s.Hotline = d.Hotline
	}
	if s.Tariff == nil {
		s.Tariff = d.Tariff
	}
	if s.MaxFailedAttempts <= 0 {
		s.MaxFailedAttempts = d.MaxFailedAttempts
	}
	if s.WaitingDays <= 0 {
		s.WaitingDays = d.WaitingDays
	}
	if s.BackupKeep <= 0 {
		s.BackupKeep = d.BackupKeep
	}
	if s.Targets == (Targets{}) {
		s.Targets = d.Targets
	}
	return s
}

// WithShared returns s with the post point's shared settings taken from
// other — what one device of the post point sets for all of them: the
// tariff, the targets, the local days off and transit days, the waiting
// days, the failed attempts allowed, the hotline and the lookup link. What
// belongs to one device (language, idle lock, receipt layout, printer,
// backup folder and count, hub address) stays s's.
func (s Settings) WithShared(other Settings) Settings {
	s.Hotline, s.LookupURLTemplate, s.TransitDays = other.Hotline, other.LookupURLTemplate, other.TransitDays
	s.Holidays, s.Tariff = other.Holidays, other.Tariff
	s.MaxFailedAttempts, s.WaitingDays, s.Targets = other.MaxFailedAttempts, other.WaitingDays, other.Targets
	return s
}

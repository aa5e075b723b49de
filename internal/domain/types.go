// Package domain holds PostDesk's rules: the dossier's round trip, the catalog,
// staff, events and validators. It knows nothing of the UI or of SQL.
package domain

import "time"

// PostPoint is a commune Cultural Post Office (Bưu điện Văn hóa xã).
type PostPoint struct {
	Code     string `json:"code"` // 6-digit postal code of the post point
	Name     string `json:"name"`
	Commune  string `json:"commune"`
	Province string `json:"province"`
}

// Device is one PC or laptop of a post point. Each device numbers its own
// events and receipts, so two devices of one post point never collide.
type Device struct {
	PostPointCode string `json:"post_point_code"`
	Letter        string `json:"letter"` // A–Z, unique within the post point
}

// ID is the device's name in events and sync batches, e.g. "553140-A".
func (d Device) ID() string { return d.PostPointCode + "-" + d.Letter }

// Role gates what a staff member may do.
type Role string

const (
	RoleClerk        Role = "clerk"         // giao dịch viên
	RolePostalWorker Role = "postal_worker" // bưu tá
	RoleSupervisor   Role = "supervisor"    // trưởng bưu cục / kiểm soát viên
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleClerk || r == RolePostalWorker || r == RoleSupervisor
}

// Staff is a person who signs in and whose name every event carries.
type Staff struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Role     Role   `json:"role"`
	Active   bool   `json:"active"`
}

// Agency is a handling agency or one-stop desk (cơ quan giải quyết / Bộ phận Một cửa).
type Agency struct {
	Code    string `json:"code"` // e.g. 000.00.20.H21
	Name    string `json:"name"`
	Level   string `json:"level"` // "cấp xã", "cấp tỉnh", ...
	Address string `json:"address,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// DocumentRequirement is one paper on a procedure's published checklist.
type DocumentRequirement struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Original bool   `json:"original"` // an original (bản chính) rather than a copy (bản sao)
}

// Procedure is an administrative procedure (thủ tục hành chính) in the catalog.
type Procedure struct {
	Code           string                `json:"code"` // national code, e.g. 1.001193
	Name           string                `json:"name"`
	Field          string                `json:"field"` // lĩnh vực, e.g. "Hộ tịch"
	Level          string                `json:"level"` // "cấp xã", "cấp tỉnh"
	AgencyCode     string                `json:"agency_code"`
	ProcessingDays int                   `json:"processing_days"` // 0 when the source gives no single figure
	Fee            Money                 `json:"fee"`
	FeeKnown       bool                  `json:"fee_known"` // false: the fee is set elsewhere (HĐND tỉnh, a circular)
	Postage        Money                 `json:"postage"`
	Documents      []DocumentRequirement `json:"documents"`
	BCCIIntake     bool                  `json:"bcci_intake"` // dossiers may be sent by post
	BCCIReturn     bool                  `json:"bcci_return"` // results may be returned by post
	Source         string                `json:"source,omitempty"`
}

// Money is an amount in Vietnamese đồng.
type Money int64

// ServiceOption is what the citizen chose under Decision 45/2016.
type ServiceOption string

const (
	OptionSend          ServiceOption = "send"        // send the dossier by post only
	OptionSendAndReturn ServiceOption = "send_return" // send the dossier and receive the result by post
	OptionReturnOnly    ServiceOption = "return"      // applied elsewhere; result returned by post
)

// Valid reports whether o is a known option.
func (o ServiceOption) Valid() bool {
	return o == OptionSend || o == OptionSendAndReturn || o == OptionReturnOnly
}

// Sends reports whether the post carries the dossier to the agency.
func (o ServiceOption) Sends() bool { return o == OptionSend || o == OptionSendAndReturn }

// Returns reports whether the post carries the result back to the citizen.
func (o ServiceOption) Returns() bool { return o == OptionSendAndReturn || o == OptionReturnOnly }

// IDType is the kind of identity paper a person showed.
type IDType string

const (
	IDCCCD     IDType = "cccd"     // 12-digit citizen ID
	IDLegacy9  IDType = "cmnd"     // old 9-digit ID card
	IDPassport IDType = "passport" // passport or other paper, not validated
)

// Person is an applicant, a representative or a recipient.
type Person struct {
	FullName string `json:"full_name"`
	IDNumber string `json:"id_number"`
	IDType   IDType `json:"id_type"`
	Phone    string `json:"phone,omitempty"`
	Commune  string `json:"commune,omitempty"`
	Address  string `json:"address,omitempty"` // village / street, free text
}

// DocumentItem is one paper counted with the applicant at intake.
type DocumentItem struct {
	Name     string `json:"name"`
	Required bool   `json:"required"`
	Received bool   `json:"received"`
	Original bool   `json:"original"`
	Count    int    `json:"count"`
}

// Place is where the intake happened.
type Place string

const (
	PlaceCounter Place = "counter"
	PlaceHome    Place = "home"
)

// ReturnMethod is how the result goes back to the citizen.
type ReturnMethod string

const (
	ReturnByPost    ReturnMethod = "post"    // delivered to an address
	ReturnAtCounter ReturnMethod = "counter" // collected at the post point
)

// Payment is when the procedure fees are paid.
type Payment string

const (
	PayNow        Payment = "now"
	PayOnDelivery Payment = "on_delivery"
)

// Dossier is the current state of one dossier: a projection of its events.
type Dossier struct {
	ID              string         `json:"id"` // receipt number
	PostPointCode   string         `json:"post_point_code"`
	DeviceID        string         `json:"device_id"`
	Option          ServiceOption  `json:"option"`
	State           State          `json:"state"`
	ProcedureCode   string         `json:"procedure_code"`
	ProcedureName   string         `json:"procedure_name"`
	AgencyCode      string         `json:"agency_code"`
	Applicant       Person         `json:"applicant"`
	Representative  *Person        `json:"representative,omitempty"`
	Documents       []DocumentItem `json:"documents,omitempty"`
	MissingNotified bool           `json:"missing_notified,omitempty"`
	Place           Place          `json:"place"`
	HomeAppointment *time.Time     `json:"home_appointment,omitempty"`
	Postage         Money          `json:"postage"`
	Fee             Money          `json:"fee"`
	FeePayment      Payment        `json:"fee_payment,omitempty"`
	FeePaid         bool           `json:"fee_paid"`
	ReturnMethod    ReturnMethod   `json:"return_method,omitempty"`
	ReturnAddress   string         `json:"return_address,omitempty"`
	ItemCode        string         `json:"item_code,omitempty"` // UPU S10 code on the envelope
	Notes           string         `json:"notes,omitempty"`
	ReceivedAt      time.Time      `json:"received_at"`
	ReceivedBy      string         `json:"received_by"`
	ExpectedDate    *time.Time     `json:"expected_date,omitempty"` // appointment date promised at intake
	HandoverID      string         `json:"handover_id,omitempty"`
	HandedOverAt    *time.Time     `json:"handed_over_at,omitempty"`
	AgencyOfficer   string         `json:"agency_officer,omitempty"`
	OfficialCode    string         `json:"official_code,omitempty"`
	DueDate         *time.Time     `json:"due_date,omitempty"` // appointment date set by the agency
	Supplement      []string       `json:"supplement,omitempty"`
	RejectReason    string         `json:"reject_reason,omitempty"`
	ResultReadyAt   *time.Time     `json:"result_ready_at,omitempty"`
	ResultAtPostAt  *time.Time     `json:"result_at_post_at,omitempty"`
	FailedAttempts  int            `json:"failed_attempts,omitempty"`
	LastFailReason  string         `json:"last_fail_reason,omitempty"`
	Delivery        *DeliveryProof `json:"delivery,omitempty"`
	CancelReason    string         `json:"cancel_reason,omitempty"`
	UpdatedAt       time.Time      `json:"updated_at"`
	Version         int            `json:"version"` // number of events applied
	// Conflicts are events of other devices the ordering rule did not
	// apply (order.go); the first ConflictsResolved are settled.
	Conflicts         []Conflict `json:"conflicts,omitempty"`
	ConflictsResolved int        `json:"conflicts_resolved,omitempty"`
	// PersonalDataPurged: the retention removed the citizen's personal
	// data from this copy (purge.go); what the reports count is kept.
	PersonalDataPurged bool `json:"personal_data_purged,omitempty"`
}

// DeliveryProof records who received a result and how they proved it.
type DeliveryProof struct {
	RecipientName   string    `json:"recipient_name"`
	RecipientID     string    `json:"recipient_id"`
	Authorised      bool      `json:"authorised"` // an authorised person, not the applicant
	LetterNote      string    `json:"letter_note,omitempty"`
	FeeCollected    Money     `json:"fee_collected"`
	SignatureFile   string    `json:"signature_file,omitempty"`
	PhotoFile       string    `json:"photo_file,omitempty"`
	At              time.Time `json:"at"`
	By              string    `json:"by"`
	PaymentByCredit bool      `json:"payment_by_transfer,omitempty"`
}

// Zone is Vietnam's time (UTC+7, no daylight saving): receipt dates, due
// dates and the daily register follow it whatever the PC's time zone.
var Zone = time.FixedZone("ICT", 7*3600)

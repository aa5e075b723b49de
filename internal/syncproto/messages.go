package syncproto

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"filippo.io/age"

	"postdesk/internal/domain"
)

// EnrollRequest is the body of POST /v1/enroll. The device proves it holds
// the private key by signing the request (see EnrollText).
type EnrollRequest struct {
	Token        string `json:"token"`         // one-time token issued by the hub for the post point
	Device       string `json:"device"`        // e.g. "600900-A"
	PostPoint    string `json:"post_point"`    // e.g. "600900"
	PublicKey    []byte `json:"public_key"`    // base64 of the 32-byte Ed25519 public key
	AgeRecipient string `json:"age_recipient"` // the device's age X25519 recipient ("age1…"), for reply files
	Sig          []byte `json:"sig"`           // base64 Ed25519 signature over EnrollText
}

// EnrollText is what the device signs in an enrollment request:
// "postdesk/v1 enroll\n" + token + "\n" + device + "\n" + post_point + "\n" +
// base64(public_key) + "\n" + age_recipient + "\n".
func (r *EnrollRequest) EnrollText() []byte {
	return []byte("postdesk/v1 enroll\n" + r.Token + "\n" + r.Device + "\n" + r.PostPoint + "\n" +
		base64.StdEncoding.EncodeToString(r.PublicKey) + "\n" + r.AgeRecipient + "\n")
}

// NewEnrollRequest makes a signed enrollment request.
func NewEnrollRequest(key ed25519.PrivateKey, token, device, postPoint, ageRecipient string) EnrollRequest {
	r := EnrollRequest{Token: token, Device: device, PostPoint: postPoint,
		PublicKey: []byte(key.Public().(ed25519.PublicKey)), AgeRecipient: ageRecipient}
	r.Sig = ed25519.Sign(key, r.EnrollText())
	return r
}

// Check validates the request's fields and its signature (the token is the hub's to check).
func (r *EnrollRequest) Check() error {
	if r.Token == "" || len(r.Token) > 200 {
		return Errorf(CodeBadToken, "the enrollment token is missing")
	}
	if err := CheckDeviceID(r.Device, r.PostPoint); err != nil {
		return Errorf(CodeBadRequest, "%v", err)
	}
	if len(r.PublicKey) != ed25519.PublicKeySize {
		return Errorf(CodeBadRequest, "public_key must be 32 bytes")
	}
	if _, err := age.ParseX25519Recipient(r.AgeRecipient); err != nil {
		return Errorf(CodeBadRequest, "age_recipient: %v", err)
	}
	if len(r.Sig) != ed25519.SignatureSize || !ed25519.Verify(r.PublicKey, r.EnrollText(), r.Sig) {
		return Errorf(CodeBadSignature, "the enrollment request is not signed by its public key")
	}
	return nil
}

// ParseEnrollRequest decodes and checks a request body.
func ParseEnrollRequest(data []byte) (EnrollRequest, error) {
	var r EnrollRequest
	if len(data) > 64<<10 {
		return r, Errorf(CodeTooLarge, "enrollment request too large")
	}
	if err := strictJSON(data, &r); err != nil {
		return r, Errorf(CodeBadRequest, "enrollment request: %v", err)
	}
	return r, r.Check()
}

// EnrollResponse is the hub's answer to a good enrollment. The device keeps
// hub_sign_key to verify acks and updates, and hub_age_recipient to encrypt
// USB batch files.
type EnrollResponse struct {
	Device          string    `json:"device"`
	PostPoint       string    `json:"post_point"`
	HubSignKey      []byte    `json:"hub_sign_key"`      // base64 of the hub's 32-byte Ed25519 public key
	HubAgeRecipient string    `json:"hub_age_recipient"` // "age1…"
	EnrolledAt      time.Time `json:"enrolled_at"`
	HubName         string    `json:"hub_name,omitempty"` // shown on the device, e.g. "Gia Lai"
}

// Check validates an enrollment answer against the request.
func (r *EnrollResponse) Check(req EnrollRequest) error {
	if r.Device != req.Device || r.PostPoint != req.PostPoint {
		return Errorf(CodeForeign, "the hub enrolled %s of %s, not %s", r.Device, r.PostPoint, req.Device)
	}
	if len(r.HubSignKey) != ed25519.PublicKeySize {
		return Errorf(CodeBadRequest, "hub_sign_key must be 32 bytes")
	}
	if _, err := age.ParseX25519Recipient(r.HubAgeRecipient); err != nil {
		return Errorf(CodeBadRequest, "hub_age_recipient: %v", err)
	}
	return nil
}

// Update kinds.
const (
	UpdateOutcome   = "outcome"         // an agency outcome for one of the device's dossiers
	UpdateRegister  = "register_result" // a result-only registration for the device's post point
	UpdateCatalog   = "catalog"         // catalog changes (agencies, procedures)
	UpdateRevoke    = "revoke"          // a device of the province was revoked (maybe this one)
	UpdateDeviceKey = "device_key"      // the public key of a device of the province
	UpdateRetention = "retention"       // the province's retention for personal data on the devices
	UpdateNotice    = "receipt_notice"  // the province's wording of the receipt's personal-data notice
	UpdateTotals    = "totals"          // all-channel totals the province imported, for the post point's commune
	UpdateScope     = "report_scope"    // what the post point's report counts (domain.ReportScope)
)

// TotalsChange is a totals update's payload: the all-channel totals the
// province imported at the hub (hub report import-totals), cut to the
// agencies of the commune of the device's post point (docs/sync-protocol.md
// §11.5). It covers Agencies for every month From..To; MarkAt is the
// change's mark: a cell (agency, month) takes the latest change, the
// hub's or a device's, on every device and at the hub.
type TotalsChange struct {
	Source   string       `json:"source"`
	SHA256   string       `json:"sha256"`
	Staff    string       `json:"staff"`
	From     domain.Month `json:"from"`
	To       domain.Month `json:"to"`
	Agencies []string     `json:"agencies"`
	Rows     []TotalsCell `json:"rows"`
	MarkAt   time.Time    `json:"mark_at"`
}

// TotalsCell is one procedure's totals at an agency in a month.
type TotalsCell struct {
	Procedure string       `json:"procedure_code"`
	Agency    string       `json:"agency_code"`
	Month     domain.Month `json:"month"`
	Dossiers  int64        `json:"dossiers"`
	Results   int64        `json:"results"`
}

// Check refuses a change no import could have made: a bad period, a row
// outside it or of an agency it does not cover, a negative count.
func (c TotalsChange) Check() error {
	if c.From == "" || c.To < c.From || c.MarkAt.IsZero() || len(c.Agencies) == 0 {
		return fmt.Errorf("totals change: bad period %q–%q, mark or agencies", c.From, c.To)
	}
	covered := map[string]bool{}
	for _, a := range c.Agencies {
		covered[a] = true
	}
	for i, r := range c.Rows {
		if !covered[r.Agency] || r.Month < c.From || r.Month > c.To || r.Dossiers < 0 || r.Results < 0 || r.Procedure == "" {
			return fmt.Errorf("totals change: row %d (%s %s %s) outside the change or negative", i+1, r.Procedure, r.Agency, r.Month)
		}
	}
	return nil
}

// RetentionChange is a retention update's payload: how many days a done
// dossier keeps its personal fields on a device (0: for ever).
type RetentionChange struct {
	Days int `json:"days"`
}

// OutcomeEvents are the dossier moves an outcome update may carry, and the
// payload type of each (nil: no payload).
var OutcomeEvents = map[domain.Kind]func() any{
	domain.KindAccept:            func() any { return new(domain.AcceptPayload) },
	domain.KindRequestSupplement: func() any { return new(domain.SupplementPayload) },
	domain.KindReject:            func() any { return new(domain.ReasonPayload) },
	domain.KindResultReady:       nil,
}

// Update is one item the hub sends down to a device. ID is hub-wide and
// increasing: the device's cursor is the last ID it has applied.
//
//	kind            dossier  event                         payload
//	outcome         receipt  dossier.accept                domain.AcceptPayload {official_code, due_date}
//	                         dossier.request_supplement    domain.SupplementPayload {papers, note}
//	                         dossier.reject                domain.ReasonPayload {reason}
//	                         dossier.result_ready          (none)
//	register_result —        —                             domain.Dossier (option "return"; applicant, procedure, agency, official code…)
//	catalog         —        —                             CatalogChange
//	revoke          —        —                             Revocation
//	device_key      —        —                             DeviceKey
//	receipt_notice  —        —                             ReceiptNotice
//	totals          —        —                             TotalsChange
//	report_scope    —        —                             domain.ReportScope
type Update struct {
	ID      int64           `json:"id"`
	Kind    string          `json:"kind"`
	At      time.Time       `json:"at"` // when the hub recorded it
	Dossier string          `json:"dossier,omitempty"`
	Event   domain.Kind     `json:"event,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// CatalogChange is a catalog the device imports (agencies and procedures
// are added or updated by code, as in store.ImportCatalog; the communes,
// when given, replace the device's list). Version is the
// province catalog's version at the hub (the device records it); Calendars
// are the official calendar's year files (internal/calendar) the hub holds,
// installed beside the device's database. Applied all or nothing: a bad
// procedure or year file refuses the whole change.
type CatalogChange struct {
	FileName   string             `json:"file_name"`
	SHA256     string             `json:"sha256"`
	Version    int                `json:"version,omitempty"`
	Agencies   []domain.Agency    `json:"agencies"`
	Procedures []domain.Procedure `json:"procedures"`
	// Communes is the province's commune list for the intake form; none
	// (an older hub, or a province that gave none) leaves the device's as it is.
	Communes  []domain.Commune `json:"communes,omitempty"`
	Calendars []CalendarFile   `json:"calendars,omitempty"`
}

// CalendarFile is one year file of the official calendar, as its text.
type CalendarFile struct {
	Year int    `json:"year"`
	Text string `json:"text"`
}

// ReceiptNotice is the province's wording of the short notice printed on
// every receipt: what personal data is collected and why (Law 91/2025/QH15).
// Texts are by language ("vi", "en"); a language left out, or an empty
// Texts, prints PostDesk's own wording (i18n receipt.privacy_notice). The
// latest notice (by update id) replaces the earlier ones whole.
type ReceiptNotice struct {
	Texts map[string]string `json:"texts"`
}

// MaxNoticeRunes bounds a notice's text, so it fits the 80 mm receipt.
const MaxNoticeRunes = 240

// Check refuses a notice in another language than vi and en, or too long.
func (n ReceiptNotice) Check() error {
	for lang, text := range n.Texts {
		if lang != "vi" && lang != "en" {
			return Errorf(CodeBadRequest, "receipt notice: language %q is neither vi nor en", lang)
		}
		if r := utf8.RuneCountInString(text); r > MaxNoticeRunes {
			return Errorf(CodeBadRequest, "receipt notice (%s): %d characters, at most %d fit on the receipt", lang, r, MaxNoticeRunes)
		}
	}
	return nil
}

// Revocation names a revoked device.
type Revocation struct {
	Device string `json:"device"`
	Reason string `json:"reason,omitempty"`
	// ThroughSeq is the revoked device's last event the hub holds: the
	// other devices of its post point accept its events up to it, no later.
	ThroughSeq int64 `json:"through_seq,omitempty"`
}

// DeviceKey is a province device's public key, so receipts signed by any
// device of the province verify everywhere.
type DeviceKey struct {
	Device    string     `json:"device"`
	PostPoint string     `json:"post_point"`
	PublicKey []byte     `json:"public_key"` // base64 of 32 bytes
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// RevokedThrough: see Revocation.ThroughSeq.
	RevokedThrough int64 `json:"revoked_through,omitempty"`
	// AgeRecipient is the device's age X25519 recipient: the other devices
	// of its post point encrypt peer files to it (§11.4).
	AgeRecipient string `json:"age_recipient,omitempty"`
}

// Updates is the signed answer of GET /v1/updates (type "updates"): the
// device's updates with after < id ≤ next, oldest first. When more is true
// the device asks again with after = next.
type Updates struct {
	Device  string    `json:"device"`
	After   int64     `json:"after"`
	Next    int64     `json:"next"` // the cursor after applying these items
	More    bool      `json:"more"`
	HubTime time.Time `json:"hub_time"`
	Items   []Update  `json:"items"`
}

// Check validates an updates list for device asked after cursor after.
func (u *Updates) Check(device string, after int64) error {
	if u.Device != device {
		return Errorf(CodeForeign, "the updates are for device %s, not %s", u.Device, device)
	}
	if u.After != after {
		return Errorf(CodeBadHeader, "updates after %d where %d was asked", u.After, after)
	}
	if u.Next < u.After {
		return Errorf(CodeBadHeader, "updates: next %d is before after %d", u.Next, u.After)
	}
	if len(u.Items) > MaxUpdates {
		return Errorf(CodeTooLarge, "%d updates in one answer (limit %d)", len(u.Items), MaxUpdates)
	}
	prev := u.After
	for _, it := range u.Items {
		if it.ID <= prev || it.ID > u.Next {
			return Errorf(CodeBadHeader, "update %d out of order (after %d, next %d)", it.ID, prev, u.Next)
		}
		prev = it.ID
	}
	return nil
}

// SignUpdates signs an updates list with the hub's key.
func SignUpdates(key ed25519.PrivateKey, u Updates) (Signed, error) {
	if u.Items == nil {
		u.Items = []Update{}
	}
	u.HubTime = u.HubTime.UTC()
	return Sign(key, TypeUpdates, u)
}

// OpenUpdates verifies and checks a signed updates list.
func OpenUpdates(hubPub ed25519.PublicKey, s Signed, device string, after int64) (Updates, error) {
	var u Updates
	if err := Open(hubPub, s, TypeUpdates, &u); err != nil {
		return u, err
	}
	return u, u.Check(device, after)
}

// Reply is the content of a USB reply file (type "reply"): the ack of the
// batches of a batch file and the updates for the device after the cursor
// the file carried, both signed, bound together by the reply's signature.
type Reply struct {
	Format  int       `json:"format"`
	Device  string    `json:"device"`
	HubTime time.Time `json:"hub_time"`
	Ack     Signed    `json:"ack"`
	Updates Signed    `json:"updates"`
	// Proofs: a signed proof_ack (complete) for each proof file of the batch
	// file the hub holds whole (§12).
	Proofs []Signed `json:"proofs,omitempty"`
}

// Reply content after verification.
type ReplyContent struct {
	Reply   Reply
	Ack     Ack
	Updates Updates
}

// DecodeReply verifies a reply's plaintext (the Signed reply JSON) with the
// hub's key and checks that it is for device; the updates must start at
// after (the cursor when the batch file was written) or, when after < 0,
// anywhere. Any failure refuses the whole reply.
func DecodeReply(plain []byte, hubPub ed25519.PublicKey, device string, after int64) (ReplyContent, error) {
	var c ReplyContent
	s, err := ParseSigned(plain)
	if err != nil {
		return c, err
	}
	if err := Open(hubPub, s, TypeReply, &c.Reply); err != nil {
		return c, err
	}
	if c.Reply.Format != Format {
		return c, Errorf(CodeBadHeader, "reply format %d is not supported", c.Reply.Format)
	}
	if c.Reply.Device != device {
		return c, Errorf(CodeForeign, "this reply is for device %s, not %s", c.Reply.Device, device)
	}
	if c.Ack, err = OpenAck(hubPub, c.Reply.Ack, device); err != nil {
		return c, err
	}
	if err := Open(hubPub, c.Reply.Updates, TypeUpdates, &c.Updates); err != nil {
		return c, err
	}
	if after < 0 {
		after = c.Updates.After
	}
	if err := c.Updates.Check(device, after); err != nil {
		return c, err
	}
	return c, nil
}

// SignReply builds the signed reply from a signed ack, signed updates and
// the signed acks of the proof files the batch file carried.
func SignReply(key ed25519.PrivateKey, device string, ack, updates Signed, now time.Time, proofs ...Signed) (Signed, error) {
	if ack.Type != TypeAck || updates.Type != TypeUpdates {
		return Signed{}, fmt.Errorf("reply needs an ack and an updates list")
	}
	for _, p := range proofs {
		if p.Type != TypeProofAck {
			return Signed{}, fmt.Errorf("a reply's proofs are proof acks")
		}
	}
	return Sign(key, TypeReply, Reply{Format: Format, Device: device, HubTime: now.UTC(), Ack: ack, Updates: updates, Proofs: proofs})
}

// Package syncproto is PostDesk's sync protocol v1, shared by the device
// (internal/devicesync) and the province hub (internal/hub): the signed batch
// envelope, acks, updates, enrollment, request authentication, the USB file
// containers and the HTTP paths and JSON types. docs/sync-protocol.md is the
// human-readable specification; this package is its reference implementation.
//
// Nothing here touches a database or the network: every function is a pure
// encoder or a strict decoder, so both sides (and fuzzers) can share it.
package syncproto

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Format is the protocol version carried by batches, replies and health.
const Format = 1

// HTTP paths of the hub.
const (
	PathEnroll  = "/v1/enroll"  // POST EnrollRequest → EnrollResponse
	PathBatches = "/v1/batches" // POST envelope bytes → Signed ack
	PathUpdates = "/v1/updates" // GET ?device=D&after=N[&limit=L] → Signed updates
	PathHealth  = "/v1/health"  // GET → Health
)

// Content types.
const (
	ContentTypeBatch = "application/vnd.postdesk.batch" // the binary envelope
	ContentTypeJSON  = "application/json"
)

// Size limits. Decoders refuse anything larger before reading it whole.
const (
	MaxHeaderBytes   = 4 << 10                                    // header JSON of an envelope
	MaxBodyBytes     = 4 << 20                                    // gzip body of an envelope
	MaxEnvelopeBytes = 9 + MaxHeaderBytes + 4 + MaxBodyBytes + 64 // a whole envelope
	MaxRawBytes      = 32 << 20                                   // body after gunzip
	MaxLineBytes     = 1 << 20                                    // one event line
	MaxBatchEvents   = 10000                                      // events in one envelope (decoder)
	MaxJSONBytes     = 16 << 20                                   // enroll/ack/updates/error JSON
	MaxUpdates       = 1000                                       // updates in one answer
	MaxFileBytes     = 1 << 30                                    // a USB batch or reply file
	DefaultSkew      = 15 * time.Minute                           // request-time tolerance
)

// Device-side defaults for cutting batches (well under the decoder's limits).
const (
	DefaultBatchEvents   = 5000
	DefaultBatchRawBytes = 8 << 20 // uncompressed; ≈1 MB compressed for typical events
)

// Error codes: the "code" of an Error answer, and of the errors this
// package's decoders return, so hub and device agree on what went wrong.
const (
	CodeBadRequest   = "bad_request"    // malformed request (not a batch problem)
	CodeTooLarge     = "too_large"      // over a size limit
	CodeBadHeader    = "bad_header"     // envelope framing or header invalid
	CodeCorruptBody  = "corrupt_body"   // body does not match its hash, gunzip or lines invalid
	CodeBadSignature = "bad_signature"  // signature does not verify with the enrolled key
	CodeUnknown      = "unknown_device" // device not enrolled at this hub
	CodeRevoked      = "revoked"        // device revoked by the province
	CodeWrongPoint   = "wrong_post_point"
	CodeGap          = "gap"          // first_seq is not the next expected: see ExpectedSeq
	CodeBrokenChain  = "broken_chain" // prev_hash does not link to what the hub holds, or hashes wrong
	CodeConflict     = "conflict"     // a seq already stored with other content (kept, never overwritten)
	CodeBadToken     = "bad_token"    // enrollment token unknown, used or expired
	CodeAlreadyTaken = "device_taken" // device id already enrolled with another key
	CodeClockSkew    = "clock_skew"   // request time too far from hub time: see HubTime
	CodeUnauthorized = "unauthorized" // request signature missing or wrong
	CodeForeign      = "foreign"      // file or message for another device / from another hub
	CodeInternal     = "internal"     // hub-side failure; retry later
	CodeBusy         = "busy"         // the hub holds as many request bodies as it may: retry later
)

// Status is the HTTP status the hub answers for an error code.
func Status(code string) int {
	switch code {
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeBadSignature, CodeUnauthorized, CodeClockSkew:
		return http.StatusUnauthorized
	case CodeUnknown, CodeRevoked, CodeWrongPoint, CodeBadToken, CodeForeign:
		return http.StatusForbidden
	case CodeGap, CodeBrokenChain, CodeConflict, CodeAlreadyTaken:
		return http.StatusConflict
	case CodeInternal:
		return http.StatusInternalServerError
	case CodeBusy:
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadRequest
	}
}

// Error is the JSON answer of the hub for a refused request, and the error
// type of this package's decoders.
type Error struct {
	Code        string     `json:"code"`
	Message     string     `json:"message"`
	ExpectedSeq int64      `json:"expected_seq,omitempty"` // gap: the seq the hub expects next
	HubTime     *time.Time `json:"hub_time,omitempty"`     // clock_skew: the hub's clock
	Revocation  *Signed    `json:"revocation,omitempty"`   // revoked: the hub's signed RevokedNotice
	Reason      string     `json:"reason,omitempty"`       // corrupt_body: why a line is not canonical (Reason*)
}

func (e *Error) Error() string {
	if e.Code == CodeGap && e.ExpectedSeq > 0 {
		return fmt.Sprintf("%s: %s (expected seq %d)", e.Code, e.Message, e.ExpectedSeq)
	}
	return e.Code + ": " + e.Message
}

// Errorf makes an *Error with a code.
func Errorf(code, format string, a ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// WriteError answers an HTTP request with e as JSON and its status.
func WriteError(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", ContentTypeJSON)
	w.WriteHeader(Status(e.Code))
	json.NewEncoder(w).Encode(e)
}

// Health is the answer of GET /v1/health. The device also uses HubTime to
// correct its clock offset for request signatures.
type Health struct {
	OK      bool      `json:"ok"`
	Format  int       `json:"format"`
	HubTime time.Time `json:"hub_time"`
}

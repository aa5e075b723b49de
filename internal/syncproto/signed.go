package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Signed is a hub-signed message in JSON: the message's own JSON bytes in
// base64 (so no re-encoding can change what was signed) and an Ed25519
// signature over "postdesk/v1 " + type + "\n" + those bytes. The type in the
// signed text keeps an ack's signature from being passed off as an update's.
type Signed struct {
	Type string `json:"type"` // TypeAck, TypeUpdates, TypeReply
	Data string `json:"data"` // standard base64 of the message JSON
	Sig  string `json:"sig"`  // standard base64 of the 64-byte signature
}

// Signed message types.
const (
	TypeAck        = "ack"
	TypeUpdates    = "updates"
	TypeReply      = "reply"
	TypeRevocation = "revocation"
)

func signedText(typ string, data []byte) []byte {
	return append([]byte("postdesk/v1 "+typ+"\n"), data...)
}

// Sign marshals v and signs it as a message of type typ.
func Sign(key ed25519.PrivateKey, typ string, v any) (Signed, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Signed{}, err
	}
	return Signed{Type: typ, Data: base64.StdEncoding.EncodeToString(data),
		Sig: base64.StdEncoding.EncodeToString(ed25519.Sign(key, signedText(typ, data)))}, nil
}

// Open verifies s with pub as a message of type typ and decodes it strictly into v.
func Open(pub ed25519.PublicKey, s Signed, typ string, v any) error {
	if s.Type != typ {
		return Errorf(CodeBadHeader, "a %q message where %q was expected", s.Type, typ)
	}
	data, err := base64.StdEncoding.Strict().DecodeString(s.Data)
	if err != nil {
		return Errorf(CodeBadHeader, "%s: data is not base64", typ)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(s.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Errorf(CodeBadSignature, "%s: signature is not 64 bytes of base64", typ)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, signedText(typ, data), sig) {
		return Errorf(CodeBadSignature, "%s: the hub's signature does not verify", typ)
	}
	if err := strictJSON(data, v); err != nil {
		return Errorf(CodeBadHeader, "%s: %v", typ, err)
	}
	return nil
}

// ParseSigned decodes a Signed from JSON bytes strictly (no verification).
func ParseSigned(data []byte) (Signed, error) {
	var s Signed
	if len(data) > MaxJSONBytes {
		return s, Errorf(CodeTooLarge, "message larger than %d bytes", MaxJSONBytes)
	}
	if err := strictJSON(data, &s); err != nil {
		return s, Errorf(CodeBadHeader, "signed message: %v", err)
	}
	return s, nil
}

// Marshal returns the JSON bytes of s (what the hub stores and sends).
func (s Signed) Marshal() []byte {
	b, _ := json.Marshal(s) // three strings: cannot fail
	return b
}

// Ack is the hub's acknowledgement: it holds device's events 1..through_seq,
// the last of which has hash last_hash. The device marks events synced only
// after verifying it, and only upward.
type Ack struct {
	Device     string    `json:"device"`
	BatchID    string    `json:"batch_id"`    // the batch answered ("" for an updates-only file)
	ThroughSeq int64     `json:"through_seq"` // every event 1..through_seq is stored at the hub
	LastHash   string    `json:"last_hash"`   // hash of event through_seq at the hub ("" when 0)
	HubTime    time.Time `json:"hub_time"`
}

// SignAck signs an ack with the hub's key.
func SignAck(key ed25519.PrivateKey, a Ack) (Signed, error) {
	if a.HubTime.IsZero() {
		return Signed{}, fmt.Errorf("ack without hub_time")
	}
	a.HubTime = a.HubTime.UTC()
	return Sign(key, TypeAck, a)
}

// OpenAck verifies an ack with the hub's key and checks it is for device.
func OpenAck(hubPub ed25519.PublicKey, s Signed, device string) (Ack, error) {
	var a Ack
	if err := Open(hubPub, s, TypeAck, &a); err != nil {
		return a, err
	}
	if a.Device != device {
		return a, Errorf(CodeForeign, "the ack is for device %s, not %s", a.Device, device)
	}
	if a.ThroughSeq < 0 || (a.ThroughSeq == 0) != (a.LastHash == "") || (a.ThroughSeq > 0 && !isHex64(a.LastHash)) {
		return a, Errorf(CodeBadHeader, "ack: through_seq %d and last_hash disagree", a.ThroughSeq)
	}
	return a, nil
}

// RevokedNotice is the hub's signed word that a device is revoked. It comes
// with a `revoked` refusal (Error.Revocation): a device stops syncing only
// on one that verifies with its hub's key and names it. A bare `revoked`
// answer — anything at the hub's address can send one — is a failed round.
type RevokedNotice struct {
	Device    string    `json:"device"`
	RevokedAt time.Time `json:"revoked_at"`
	HubTime   time.Time `json:"hub_time"`
	// Order is what the device must do: OrderLockErase (a lost device:
	// lock at once, erase its personal data once a supervisor confirms).
	Order string `json:"order,omitempty"`
}

// OrderLockErase orders a revoked device to lock and, after a supervisor
// on the device confirms, erase its citizens' personal data (§7.1).
const OrderLockErase = "lock_erase"

// SignRevocation signs a revocation with the hub's key.
func SignRevocation(key ed25519.PrivateKey, r RevokedNotice) (Signed, error) {
	if r.RevokedAt.IsZero() || r.HubTime.IsZero() {
		return Signed{}, fmt.Errorf("revocation without revoked_at or hub_time")
	}
	r.RevokedAt, r.HubTime = r.RevokedAt.UTC(), r.HubTime.UTC()
	return Sign(key, TypeRevocation, r)
}

// OpenRevocation verifies the revocation carried by a `revoked` refusal
// with the hub's key and checks it names device.
func OpenRevocation(hubPub ed25519.PublicKey, e *Error, device string) (RevokedNotice, error) {
	var r RevokedNotice
	if e.Revocation == nil {
		return r, Errorf(CodeBadSignature, "without the hub's signed revocation")
	}
	if err := Open(hubPub, *e.Revocation, TypeRevocation, &r); err != nil {
		return r, err
	}
	if r.Device != device {
		return r, Errorf(CodeForeign, "the revocation is for device %s, not %s", r.Device, device)
	}
	if r.RevokedAt.IsZero() {
		return r, Errorf(CodeBadHeader, "revocation: revoked_at is missing")
	}
	return r, nil
}

// ReadSignedResponse reads a hub answer: a Signed on 200, or an *Error.
func ReadSignedResponse(resp *http.Response) (Signed, error) {
	data, err := readLimited(resp.Body, MaxJSONBytes)
	if err != nil {
		return Signed{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Signed{}, ErrorFromResponse(resp.StatusCode, data)
	}
	return ParseSigned(data)
}

// ErrorFromResponse turns a non-200 answer into an *Error (a hub that
// answered something else, e.g. a proxy's page, gets a generic one).
func ErrorFromResponse(status int, data []byte) *Error {
	var e Error
	if json.Unmarshal(data, &e) == nil && e.Code != "" {
		return &e
	}
	msg := string(bytes.TrimSpace(data))
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	code := CodeInternal
	if status >= 400 && status < 500 {
		code = CodeBadRequest
	}
	return Errorf(code, "HTTP %d %s", status, msg)
}

// Request authentication for GET /v1/updates (and any later device call):
//
//	X-PostDesk-Device:    600900-A
//	X-PostDesk-Time:      2026-11-25T20:41:17Z   (RFC 3339, UTC, seconds)
//	X-PostDesk-Signature: base64(Ed25519(device key, text))
//
// where text = "postdesk/v1 request\n" + METHOD + "\n" + request URI (path
// and raw query exactly as sent) + "\n" + time + "\n" + hex SHA-256 of the
// body ("" body for GET) + "\n". The hub accepts a time within DefaultSkew of
// its clock; the device corrects its clock offset with /v1/health's hub_time,
// so a device clock hours off still authenticates.
const (
	HeaderDevice    = "X-PostDesk-Device"
	HeaderTime      = "X-PostDesk-Time"
	HeaderSignature = "X-PostDesk-Signature"
)

func requestText(method, uri, at string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return []byte("postdesk/v1 request\n" + method + "\n" + uri + "\n" + at + "\n" + hex.EncodeToString(sum[:]) + "\n")
}

// SignRequest sets the three authentication headers on r (whose URL must be
// final) for body, at time at (the hub's clock as the device estimates it).
func SignRequest(r *http.Request, key ed25519.PrivateKey, device string, body []byte, at time.Time) {
	ts := at.UTC().Truncate(time.Second).Format(time.RFC3339)
	r.Header.Set(HeaderDevice, device)
	r.Header.Set(HeaderTime, ts)
	r.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(
		ed25519.Sign(key, requestText(r.Method, r.URL.RequestURI(), ts, body))))
}

// RequestDevice is the device a request claims to come from (verify it with VerifyRequest).
func RequestDevice(r *http.Request) string { return r.Header.Get(HeaderDevice) }

// VerifyRequest checks a request's authentication headers with the device's
// key pub, its time within skew of now. A clock_skew error carries the hub's
// time so the device can correct its offset and retry.
func VerifyRequest(r *http.Request, body []byte, pub ed25519.PublicKey, now time.Time, skew time.Duration) error {
	ts := r.Header.Get(HeaderTime)
	at, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return Errorf(CodeUnauthorized, "missing or malformed %s", HeaderTime)
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(r.Header.Get(HeaderSignature))
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Errorf(CodeUnauthorized, "missing or malformed %s", HeaderSignature)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, requestText(r.Method, r.URL.RequestURI(), ts, body), sig) {
		return Errorf(CodeUnauthorized, "the request signature does not verify")
	}
	if d := now.Sub(at); d > skew || d < -skew {
		hub := now.UTC()
		e := Errorf(CodeClockSkew, "request time %s is %s from the hub's clock", ts, d.Round(time.Second))
		e.HubTime = &hub
		return e
	}
	return nil
}

// UpdatesURL is the path and query of an updates request.
func UpdatesURL(device string, after int64, limit int) string {
	u := PathUpdates + "?device=" + device + "&after=" + strconv.FormatInt(after, 10)
	if limit > 0 {
		u += "&limit=" + strconv.Itoa(limit)
	}
	return u
}

func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, Errorf(CodeBadRequest, "reading answer: %v", err)
	}
	if int64(len(data)) > limit {
		return nil, Errorf(CodeTooLarge, "answer larger than %d bytes", limit)
	}
	return data, nil
}

package receipt

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// The QR code of a receipt is a lookup link — the post point's template
// with {receipt} replaced — plus three parameters that make it checkable
// offline by any PostDesk of the province:
//
//	https://dichvucong.gialai.gov.vn/tra-cuu?ma=600900A-261125-0001&d=600900-A&t=1795000000&s=<signature>
//
// d is the device that signed (normally the one that took the dossier), t
// the time of receipt in Unix seconds, and s the device key's ed25519
// signature, base64url without padding, of Message(link): the whole text
// the phone opens — scheme, host, path, every query parameter (d and t
// included) and the fragment — with only "&s=…" taken out. A link whose
// host, scheme, path or query was changed (a phishing link built from a
// real receipt) does not verify. s is always the last query parameter.

// Errors of ParseQR, Verify and MakeQR; test with errors.Is. Each comes
// wrapped with a *domain.FieldError whose Key i18n.Message translates, on
// field "scan" (ErrBadQRTemplate: on "lookup_url_template").
var (
	ErrNotReceipt    = errors.New("not a PostDesk receipt")
	ErrBadSignature  = errors.New("receipt QR signature does not verify")
	ErrUnknownDevice = errors.New("receipt QR signed by an unknown device")
	ErrBadQRTemplate = errors.New("lookup link template is not usable")
	ErrCannotSignQR  = errors.New("receipt QR cannot be signed")
)

// codedError carries a sentinel for errors.Is and a FieldError for display
// (i18n.Message finds the FieldError through Unwrap).
type codedError struct {
	kind error
	fe   *domain.FieldError
}

func (e *codedError) Error() string   { return e.fe.Error() }
func (e *codedError) Unwrap() []error { return []error{e.kind, e.fe} }

func notReceipt(format string, a ...any) error {
	return &codedError{ErrNotReceipt, domain.Errf("scan", "receipt.err.not_receipt",
		"not a PostDesk receipt: "+format, a...)}
}

// qrTag opens every signed message. "PD1" signed only the receipt number,
// device and time, not the link; "PD2" signs the whole link.
const qrTag = "PD2"

// maxQRText bounds what ParseQR reads: a receipt link is under 300 bytes.
const maxQRText = 2048

// Parameters MakeQR adds to the lookup link.
const (
	paramDevice    = "d"
	paramTime      = "t"
	paramSignature = "s"
	paramReceipt   = "ma" // added only when the template has no {receipt}
)

// Message is the exact byte string a receipt QR's signature covers:
// "PD2|" + the QR text without its "&s=<signature>" part.
func Message(unsigned string) []byte {
	return []byte(qrTag + "|" + unsigned)
}

// MakeQR builds the QR text of a dossier's receipt, signed by the device
// that took it (d.DeviceID) with that device's key. tmpl is
// Settings.LookupURLTemplate ("" uses the default).
func MakeQR(tmpl string, d *domain.Dossier, key ed25519.PrivateKey) (string, error) {
	if d == nil {
		return "", signErr("no dossier")
	}
	return SignQR(tmpl, d.ID, d.DeviceID, d.ReceivedAt, key)
}

// SignQR builds the QR text for a receipt number signed by device with key.
// Use it when a device reprints a dossier another device took: it signs as
// itself, and the scan checks its key.
func SignQR(tmpl, receipt, device string, receivedAt time.Time, key ed25519.PrivateKey) (string, error) {
	rn, err := domain.ParseReceiptNumber(receipt)
	if err != nil {
		return "", signErr("receipt number %q: %v", receipt, err)
	}
	if !validDevice(device) {
		return "", signErr("device %q is not like 600900-A", device)
	}
	if receivedAt.IsZero() || receivedAt.Unix() <= 0 {
		return "", signErr("the dossier has no time of receipt")
	}
	if len(key) != ed25519.PrivateKeySize {
		return "", signErr("the device key is missing or damaged")
	}
	canon := rn.String()
	link, err := fillTemplate(tmpl, canon)
	if err != nil {
		return "", err
	}
	base, frag, _ := strings.Cut(link, "#")
	sep := "&"
	switch {
	case !strings.Contains(base, "?"):
		sep = "?"
	case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
		sep = ""
	}
	var b strings.Builder
	b.WriteString(base)
	b.WriteString(sep)
	b.WriteString(paramDevice + "=" + device)
	b.WriteString("&" + paramTime + "=" + strconv.FormatInt(receivedAt.Unix(), 10))
	fragment := ""
	if frag != "" {
		fragment = "#" + frag
	}
	sig := ed25519.Sign(key, Message(b.String()+fragment))
	b.WriteString("&" + paramSignature + "=" + base64.RawURLEncoding.EncodeToString(sig))
	b.WriteString(fragment)
	return b.String(), nil
}

func signErr(format string, a ...any) error {
	return &codedError{ErrCannotSignQR, domain.Errf("scan", "receipt.err.cannot_sign", format, a...)}
}

// fillTemplate puts the receipt number into the lookup link template and
// checks that the result is a link whose own parameters do not clash with
// the ones MakeQR adds.
func fillTemplate(tmpl, receipt string) (string, error) {
	tmpl = strings.TrimSpace(tmpl)
	if tmpl == "" {
		tmpl = domain.DefaultSettings().LookupURLTemplate
	}
	bad := func(format string, a ...any) error {
		return &codedError{ErrBadQRTemplate, domain.Errf("lookup_url_template", "receipt.err.template", format, a...).
			WithArgs("Template", tmpl)}
	}
	link := strings.ReplaceAll(tmpl, "{receipt}", url.QueryEscape(receipt))
	if link == tmpl { // no placeholder: the receipt number goes in a parameter of its own
		base, frag, hasFrag := strings.Cut(link, "#")
		sep := "&"
		if !strings.Contains(base, "?") {
			sep = "?"
		} else if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
		link = base + sep + paramReceipt + "=" + receipt
		if hasFrag {
			link += "#" + frag
		}
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", bad("%q is not a web link like https://…/tra-cuu?ma={receipt}", tmpl)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", bad("%q has a broken query: %v", tmpl, err)
	}
	for _, p := range []string{paramDevice, paramTime, paramSignature} {
		if q.Has(p) {
			return "", bad("%q already uses the parameter %q that the receipt's signature needs", tmpl, p)
		}
	}
	return link, nil
}

// Scan is what a PostDesk receipt QR says. ParseQR reads it; Verify or
// VerifyWith checks its signature. A scan box should also compare it with
// the dossier found: same receipt number and ReceivedAt.Unix().
type Scan struct {
	Text       string    // the scanned text, trimmed
	Receipt    string    // receipt number, canonical spelling
	Device     string    // device that signed, e.g. "600900-A"
	ReceivedAt time.Time // time of receipt, to the second, in domain.Zone
	Signature  []byte    // 64-byte ed25519 signature
	Unsigned   string    // Text without "&s=<signature>": what the signature covers
}

// ParseQR reads the text of a scanned receipt QR, whatever host and path
// the post point's template used: the receipt number is the "ma" parameter
// or else the one value or path segment that is a receipt number; d, t and
// s must each appear once. Anything else — garbage, an empty scan, another
// link — is ErrNotReceipt. ParseQR does not check the signature.
func ParseQR(text string) (Scan, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return Scan{}, notReceipt("the scan is empty")
	case len(text) > maxQRText:
		return Scan{}, notReceipt("%d bytes is too long", len(text))
	}
	u, err := url.Parse(text)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Scan{}, notReceipt("%q is not a link", short(text))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Scan{}, notReceipt("the link's query is broken")
	}
	one := func(p string) (string, bool) {
		v := q[p]
		if len(v) != 1 || v[0] == "" {
			return "", false
		}
		return v[0], true
	}
	dev, ok1 := one(paramDevice)
	ts, ok2 := one(paramTime)
	sig64, ok3 := one(paramSignature)
	if !ok1 || !ok2 || !ok3 {
		return Scan{}, notReceipt("the link carries no PostDesk signature")
	}
	if !validDevice(dev) {
		return Scan{}, notReceipt("device %q is not like 600900-A", short(dev))
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || sec > 1<<40 || strconv.FormatInt(sec, 10) != ts {
		return Scan{}, notReceipt("time %q is not a Unix time", short(ts))
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(sig64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Scan{}, notReceipt("the signature is not %d bytes of base64url", ed25519.SignatureSize)
	}
	receipt, err := findReceipt(u, q)
	if err != nil {
		return Scan{}, err
	}
	// s is the last query parameter: the signed text is the rest, byte for byte.
	mark := "&" + paramSignature + "=" + sig64
	i := strings.Index(text, mark)
	rest := ""
	if i >= 0 {
		rest = text[i+len(mark):]
	}
	if i < 0 || strings.Count(text, mark) != 1 || (rest != "" && rest[0] != '#') {
		return Scan{}, notReceipt("the signature is not the link's last parameter")
	}
	return Scan{Text: text, Receipt: receipt, Device: dev, ReceivedAt: time.Unix(sec, 0).In(domain.Zone),
		Signature: sig, Unsigned: text[:i] + rest}, nil
}

// findReceipt finds the receipt number in a link: the "ma" parameter, else
// exactly one distinct receipt number among the other parameters' values
// and the path's segments.
func findReceipt(u *url.URL, q url.Values) (string, error) {
	if v, ok := q[paramReceipt]; ok {
		if len(v) == 1 {
			if rn, err := domain.ParseReceiptNumber(v[0]); err == nil {
				return rn.String(), nil
			}
		}
		return "", notReceipt("parameter %q is not one receipt number", paramReceipt)
	}
	found := ""
	consider := func(s string) error {
		if len(s) < 19 || len(s) > 24 { // 553140A-261125-0001, or a longer sequence
			return nil
		}
		rn, err := domain.ParseReceiptNumber(s)
		if err != nil {
			return nil
		}
		c := rn.String()
		if found != "" && found != c {
			return notReceipt("the link names two receipt numbers")
		}
		found = c
		return nil
	}
	for p, vs := range q {
		if p == paramDevice || p == paramTime || p == paramSignature {
			continue
		}
		for _, v := range vs {
			if err := consider(v); err != nil {
				return "", err
			}
		}
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if s, err := url.PathUnescape(seg); err == nil {
			if err := consider(s); err != nil {
				return "", err
			}
		}
	}
	if found == "" {
		return "", notReceipt("the link names no receipt number")
	}
	return found, nil
}

// Verify checks the scan's signature with the signing device's public key.
// It fails with ErrBadSignature when anything in the QR was changed.
func (s Scan) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return &codedError{ErrUnknownDevice, domain.Errf("scan", "receipt.err.unknown_device",
			"no usable key for device %s", s.Device).WithArgs("Device", s.Device)}
	}
	if len(s.Signature) != ed25519.SignatureSize ||
		!ed25519.Verify(pub, Message(s.Unsigned), s.Signature) {
		return &codedError{ErrBadSignature, domain.Errf("scan", "receipt.err.bad_signature",
			"the signature of receipt %s by device %s does not verify", s.Receipt, s.Device).
			WithArgs("Receipt", s.Receipt, "Device", s.Device)}
	}
	return nil
}

// KeyFunc returns the public key of a device of the province by its ID
// ("600900-A"), or an error wrapping ErrUnknownDevice.
type KeyFunc func(device string) (ed25519.PublicKey, error)

// VerifyWith looks the signing device's key up and checks the signature.
func (s Scan) VerifyWith(keys KeyFunc) error {
	if keys == nil {
		return s.Verify(nil)
	}
	pub, err := keys(s.Device)
	if err != nil {
		return err
	}
	return s.Verify(pub)
}

// UnknownDevice is the error a KeyFunc returns for a device it does not know.
func UnknownDevice(device string) error {
	return &codedError{ErrUnknownDevice, domain.Errf("scan", "receipt.err.unknown_device",
		"device %s is not known here", device).WithArgs("Device", device)}
}

// Keys is a KeyFunc over a fixed set of devices' public keys.
func Keys(m map[string]ed25519.PublicKey) KeyFunc {
	return func(device string) (ed25519.PublicKey, error) {
		if k, ok := m[device]; ok {
			return k, nil
		}
		return nil, UnknownDevice(device)
	}
}

// OwnKeys is the KeyFunc of a database that knows only its own device's key
// (the province's other devices come with sync).
func OwnKeys(ctx context.Context, s *store.Store) (KeyFunc, error) {
	dev, _, err := s.Device(ctx)
	if err != nil {
		return nil, err
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		return nil, err
	}
	return Keys(map[string]ed25519.PublicKey{dev.ID(): key.Public().(ed25519.PublicKey)}), nil
}

// QRPNG draws text as a QR code (medium error recovery, 4-module quiet
// zone) in a PNG of 4 pixels per module, sharp at any print size.
func QRPNG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("receipt: QR code: %w", err)
	}
	var b bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&b, q.Image(-4)); err != nil {
		return nil, fmt.Errorf("receipt: QR code: %w", err)
	}
	return b.Bytes(), nil
}

func validDevice(s string) bool {
	code, letter, ok := strings.Cut(s, "-")
	return ok && domain.ValidPostPointCode(code) == nil && domain.ValidDeviceLetter(letter) == nil
}

// short trims text quoted in an error message.
func short(s string) string {
	if len(s) > 40 {
		r := []rune(s)
		if len(r) > 40 {
			return string(r[:40]) + "…"
		}
	}
	return s
}

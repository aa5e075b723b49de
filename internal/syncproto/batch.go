package syncproto

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"postdesk/internal/domain"
)

// Envelope layout (all integers big-endian):
//
//	0      4 bytes  magic "PDSB"
//	4      1 byte   version 0x01
//	5      4 bytes  header length H (1..MaxHeaderBytes)
//	9      H bytes  header: one JSON object (Header)
//	9+H    4 bytes  body length B (1..MaxBodyBytes)
//	13+H   B bytes  body: gzip of JSON Lines, one WireEvent per line
//	13+H+B 64 bytes Ed25519 signature by the device over bytes [0, 13+H+B)
//
// The envelope is exactly 77+H+B bytes; anything after the signature is refused.
var magic = [5]byte{'P', 'D', 'S', 'B', 1}

// Header describes a batch. Every field is required (prev_hash is "" only
// when first_seq is 1).
type Header struct {
	Format       int       `json:"format"`
	BatchID      string    `json:"batch_id"` // see BatchID
	Device       string    `json:"device"`   // e.g. "600900-A"
	PostPoint    string    `json:"post_point"`
	FirstSeq     int64     `json:"first_seq"`
	LastSeq      int64     `json:"last_seq"` // first_seq-1 when count is 0
	Count        int       `json:"count"`
	PrevHash     string    `json:"prev_hash"` // hash of event first_seq-1; "" when first_seq is 1
	LastHash     string    `json:"last_hash"` // hash of event last_seq (= prev_hash when count is 0)
	CreatedAt    time.Time `json:"created_at"`
	BodySHA256   string    `json:"body_sha256"`   // hex SHA-256 of the gzip body bytes
	UpdatesAfter int64     `json:"updates_after"` // the device's update cursor (for the USB reply)
}

// BatchID is the content identity of a batch: hex SHA-256 of
// "postdesk-batch-id/v1\n{device}\n{first_seq}\n{last_seq}\n{prev_hash}\n{last_hash}\n".
// last_hash commits to every event through the chain, so two batches with
// the same id carry the same events whatever their compression or creation
// time — the hub uses it to answer a duplicate with the same ack.
func BatchID(device string, first, last int64, prevHash, lastHash string) string {
	sum := sha256.Sum256([]byte("postdesk-batch-id/v1\n" + device + "\n" + strconv.FormatInt(first, 10) + "\n" +
		strconv.FormatInt(last, 10) + "\n" + prevHash + "\n" + lastHash + "\n"))
	return hex.EncodeToString(sum[:])
}

// WireEvent is one line of the body. The device id is the header's, and
// prev is not sent: it is the previous line's hash (the header's prev_hash
// for the first line), rebuilt by the decoder. hash is sent and checked.
// payload carries the stored payload bytes verbatim when they are compact
// JSON; otherwise payload_b64 carries them in standard base64. Neither is
// present when the event has no payload.
type WireEvent struct {
	Seq        int64           `json:"seq"`
	Kind       string          `json:"kind"`
	Dossier    string          `json:"dossier,omitempty"`
	Staff      string          `json:"staff"`
	At         string          `json:"at"` // domain.TimeLayout
	Payload    json.RawMessage `json:"payload,omitempty"`
	PayloadB64 string          `json:"payload_b64,omitempty"`
	Hash       string          `json:"hash"`
}

// Batch is a decoded envelope. Fields are read-only.
type Batch struct {
	Header    Header
	HeaderRaw []byte // header bytes as signed
	Body      []byte // gzip body as signed
	Sig       []byte // 64 bytes
	Raw       []byte // the whole envelope
	signed    []byte // Raw without the signature
	events    []domain.Event
}

// EncodeBatch builds a signed envelope from events, which must be this
// device's consecutive events with their hashes (as store.EventsAfter gives
// them). It takes as many events from the front as fit maxEvents and
// maxRaw uncompressed bytes (at least one when events is non-empty) and
// returns the envelope and how many it took. prevHash is the hash of the
// event before events[0] ("" when it has seq 1); an empty events makes a
// count-0 batch at firstSeq (used by USB files to ask for updates only).
func EncodeBatch(key ed25519.PrivateKey, device, postPoint string, prevHash string, firstSeq int64,
	events []domain.Event, updatesAfter int64, now time.Time, maxEvents, maxRaw int) (*Batch, int, error) {
	if maxEvents <= 0 || maxEvents > MaxBatchEvents {
		maxEvents = DefaultBatchEvents
	}
	if maxRaw <= 0 || maxRaw > MaxRawBytes {
		maxRaw = DefaultBatchRawBytes
	}
	if len(events) > 0 {
		firstSeq = events[0].Seq
	}
	var scratch bytes.Buffer
	// Typical lines are ~300 bytes: sizing once spares the repeated growth
	// (and clearing) of a multi-megabyte buffer.
	raw := make([]byte, 0, min(len(events), maxEvents, 1+maxRaw/384)*384)
	n := 0
	lastHash := prevHash
	for i := range events {
		if n == maxEvents {
			break
		}
		e := &events[i]
		if e.DeviceID != device {
			return nil, 0, fmt.Errorf("event %d belongs to %q, not %q", e.Seq, e.DeviceID, device)
		}
		if e.Seq != firstSeq+int64(n) {
			return nil, 0, fmt.Errorf("event %d: expected seq %d", e.Seq, firstSeq+int64(n))
		}
		if e.PrevHash != lastHash {
			return nil, 0, fmt.Errorf("event %d: previous hash does not link", e.Seq)
		}
		for _, s := range []string{string(e.Kind), e.Dossier, e.Staff} {
			if !utf8.ValidString(s) {
				return nil, 0, fmt.Errorf("event %d: text is not valid UTF-8", e.Seq)
			}
		}
		w := WireEvent{Seq: e.Seq, Kind: string(e.Kind), Dossier: e.Dossier, Staff: e.Staff,
			At: e.At.UTC().Format(domain.TimeLayout), Hash: e.Hash}
		if len(e.Payload) > 0 {
			if compactJSON(&scratch, e.Payload) {
				w.Payload = e.Payload
			} else {
				w.PayloadB64 = base64.StdEncoding.EncodeToString(e.Payload)
			}
		}
		mark := len(raw)
		raw = appendWireLine(raw, &w)
		if len(raw)-mark > MaxLineBytes {
			// An event over the line limit (written by a PostDesk before
			// every input was bounded) travels in a batch of its own, so it
			// never blocks the log behind it (docs/sync-protocol.md §4.2).
			if n > 0 {
				raw = raw[:mark]
				break
			}
			lastHash = e.Hash
			n++
			break
		}
		if n > 0 && len(raw) > maxRaw {
			raw = raw[:mark]
			break
		}
		lastHash = e.Hash
		n++
	}
	// Refuse to sign a chain the hub would refuse: a local defect is named here.
	if err := domain.VerifyChain(prevHash, events[:n]); err != nil {
		return nil, 0, Errorf(CodeCorruptBody, "this device's log: %v", err)
	}
	var body bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&body, gzipLevel)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, 0, err
	}
	if body.Len() > MaxBodyBytes {
		if n > 1 { // incompressible events: try half as many
			return EncodeBatch(key, device, postPoint, prevHash, firstSeq, events[:n/2], updatesAfter, now, maxEvents, maxRaw)
		}
		return nil, 0, &Error{Code: CodeTooLarge, Message: fmt.Sprintf(
			"event %d does not fit a batch even alone: %d bytes compressed, the limit is %d", firstSeq, body.Len(), MaxBodyBytes)}
	}
	bodySum := sha256.Sum256(body.Bytes())
	last := firstSeq + int64(n) - 1
	h := Header{Format: Format, BatchID: BatchID(device, firstSeq, last, prevHash, lastHash), Device: device,
		PostPoint: postPoint, FirstSeq: firstSeq, LastSeq: last, Count: n, PrevHash: prevHash, LastHash: lastHash,
		CreatedAt: now.UTC(), BodySHA256: hex.EncodeToString(bodySum[:]), UpdatesAfter: updatesAfter}
	if err := h.check(); err != nil {
		return nil, 0, err
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return nil, 0, err
	}
	env := make([]byte, 0, 77+len(hb)+body.Len())
	env = append(env, magic[:]...)
	env = binary.BigEndian.AppendUint32(env, uint32(len(hb)))
	env = append(env, hb...)
	env = binary.BigEndian.AppendUint32(env, uint32(body.Len()))
	env = append(env, body.Bytes()...)
	signed := env
	env = append(env, ed25519.Sign(key, signed)...)
	b, err := ParseBatch(env)
	if err != nil {
		return nil, 0, fmt.Errorf("encoded batch does not parse: %w", err)
	}
	return b, n, nil
}

// gzipLevel 5 is the knee for event logs: measured on the demo log it packs
// within 5 % of level 9 at eight times the speed (levels ≥ 6 switch to lazy
// matching and slow down sharply), so 100 000 events encode in seconds.
const gzipLevel = 5

// compactJSON reports whether p is valid JSON with no insignificant
// whitespace, so it can be embedded in a line and read back byte for byte.
// buf is scratch space, reused across calls.
func compactJSON(buf *bytes.Buffer, p []byte) bool {
	buf.Reset()
	if err := json.Compact(buf, p); err != nil {
		return false
	}
	return bytes.Equal(buf.Bytes(), p)
}

// ParseBatch reads an envelope's framing and header strictly, without a key:
// the hub learns the device from the header and then calls Verify with the
// enrolled key, then Events. Errors are *Error (bad_header, too_large).
func ParseBatch(env []byte) (*Batch, error) {
	if len(env) > MaxEnvelopeBytes {
		return nil, Errorf(CodeTooLarge, "envelope of %d bytes exceeds %d", len(env), MaxEnvelopeBytes)
	}
	if len(env) < 9 || !bytes.Equal(env[:5], magic[:]) {
		if len(env) >= 4 && string(env[:4]) == "PDSB" {
			return nil, Errorf(CodeBadHeader, "unsupported envelope version")
		}
		return nil, Errorf(CodeBadHeader, "not a PostDesk batch")
	}
	hl := binary.BigEndian.Uint32(env[5:9])
	if hl == 0 || hl > MaxHeaderBytes {
		return nil, Errorf(CodeBadHeader, "header length %d out of range", hl)
	}
	if uint64(len(env)) < 9+uint64(hl)+4 {
		return nil, Errorf(CodeBadHeader, "truncated envelope (header)")
	}
	hdr := env[9 : 9+hl]
	bl := binary.BigEndian.Uint32(env[9+hl : 13+hl])
	if bl == 0 || bl > MaxBodyBytes {
		return nil, Errorf(CodeBadHeader, "body length %d out of range", bl)
	}
	want := 13 + uint64(hl) + uint64(bl) + ed25519.SignatureSize
	if uint64(len(env)) < want {
		return nil, Errorf(CodeBadHeader, "truncated envelope: %d of %d bytes", len(env), want)
	}
	if uint64(len(env)) > want {
		return nil, Errorf(CodeBadHeader, "%d bytes of trailing garbage after the signature", uint64(len(env))-want)
	}
	b := &Batch{Raw: env, HeaderRaw: hdr, Body: env[13+hl : 13+uint64(hl)+uint64(bl)],
		signed: env[:13+uint64(hl)+uint64(bl)], Sig: env[13+uint64(hl)+uint64(bl):]}
	if err := strictJSON(hdr, &b.Header); err != nil {
		return nil, Errorf(CodeBadHeader, "header: %v", err)
	}
	if err := b.Header.check(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b.Body)
	if hex.EncodeToString(sum[:]) != b.Header.BodySHA256 {
		return nil, Errorf(CodeCorruptBody, "body SHA-256 does not match the header")
	}
	return b, nil
}

// ReadBatch reads one envelope from r (an HTTP body), refusing more than
// MaxEnvelopeBytes, and parses it.
func ReadBatch(r io.Reader) (*Batch, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxEnvelopeBytes+1))
	if err != nil {
		return nil, Errorf(CodeBadHeader, "reading envelope: %v", err)
	}
	return ParseBatch(data)
}

// check validates a header's fields among themselves.
func (h *Header) check() error {
	bad := func(f string, a ...any) error { return Errorf(CodeBadHeader, f, a...) }
	switch {
	case h.Format != Format:
		return bad("format %d is not supported (this PostDesk speaks %d)", h.Format, Format)
	case !isHex64(h.BatchID):
		return bad("batch_id is not 64 hex digits")
	case !isHex64(h.BodySHA256):
		return bad("body_sha256 is not 64 hex digits")
	case h.CreatedAt.IsZero():
		return bad("created_at is missing")
	case h.FirstSeq < 1:
		return bad("first_seq %d must be at least 1", h.FirstSeq)
	case h.Count < 0 || h.Count > MaxBatchEvents:
		return bad("count %d out of range", h.Count)
	case h.LastSeq != h.FirstSeq+int64(h.Count)-1:
		return bad("first_seq %d, last_seq %d and count %d disagree", h.FirstSeq, h.LastSeq, h.Count)
	case h.UpdatesAfter < 0:
		return bad("updates_after is negative")
	}
	if err := CheckDeviceID(h.Device, h.PostPoint); err != nil {
		return bad("%v", err)
	}
	if h.FirstSeq == 1 {
		if h.PrevHash != "" {
			return bad("prev_hash must be empty when first_seq is 1")
		}
	} else if !isHex64(h.PrevHash) {
		return bad("prev_hash is not 64 hex digits")
	}
	if h.Count == 0 {
		if h.LastHash != h.PrevHash {
			return bad("last_hash must equal prev_hash in an empty batch")
		}
	} else if !isHex64(h.LastHash) {
		return bad("last_hash is not 64 hex digits")
	}
	if h.BatchID != BatchID(h.Device, h.FirstSeq, h.LastSeq, h.PrevHash, h.LastHash) {
		return bad("batch_id does not match the header")
	}
	return nil
}

// CheckDeviceID checks a device id "PPPPPP-L": the post point code, a dash
// and one capital letter, the post point matching.
func CheckDeviceID(device, postPoint string) error {
	i := strings.LastIndexByte(device, '-')
	if i <= 0 || i != len(device)-2 || device[i+1] < 'A' || device[i+1] > 'Z' {
		return fmt.Errorf("device %q is not of the form POSTPOINT-LETTER", device)
	}
	if err := domain.ValidPostPointCode(device[:i]); err != nil {
		return fmt.Errorf("device %q: %v", device, err)
	}
	if postPoint != device[:i] {
		return fmt.Errorf("device %q does not belong to post point %q", device, postPoint)
	}
	return nil
}

// Verify checks the device's signature over the envelope.
func (b *Batch) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return Errorf(CodeBadSignature, "no valid public key for device %s", b.Header.Device)
	}
	if !ed25519.Verify(pub, b.signed, b.Sig) {
		return Errorf(CodeBadSignature, "the signature does not verify with device %s's key", b.Header.Device)
	}
	return nil
}

// Events decompresses and checks the body: exactly count lines, seqs from
// first_seq, each line strict, the chain rebuilt from prev_hash and every
// hash verified (domain.VerifyChain), ending at last_hash. Errors are
// *Error with code corrupt_body. Call Verify first.
func (b *Batch) Events() ([]domain.Event, error) {
	if b.events != nil || b.Header.Count == 0 {
		if b.Header.Count == 0 {
			if err := b.checkEmptyBody(); err != nil {
				return nil, err
			}
		}
		return b.events, nil
	}
	raw, err := gunzip(b.Body)
	if err != nil {
		return nil, err
	}
	h := &b.Header
	// One strict decoder reads the successive lines (a decoder per line cost
	// ~12 µs/event on the hub). The one-event-per-line format stays strict:
	// each value must start at a line's first byte and end right before its
	// '\n', with no newline inside (raw strings cannot hold one), so blank
	// lines, whitespace around a value, two values on a line and a value over
	// several lines are all refused. The decoder would silently replace bad
	// UTF-8, so the whole body is checked once first.
	if !utf8.Valid(raw) {
		return nil, Errorf(CodeCorruptBody, "body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	// Each line must be the canonical encoding of what it decodes to (what
	// EncodeBatch writes): re-encoded, it must give the same bytes. That
	// refuses duplicate keys, other key case or order, white space, needless
	// \u escapes and empty optional fields, which a lenient decoder would
	// read as something else than another implementation does.
	var canon bytes.Buffer
	cenc := json.NewEncoder(&canon)
	cenc.SetEscapeHTML(false)
	events := make([]domain.Event, 0, h.Count)
	prev := h.PrevHash
	for start := 0; start < len(raw); {
		if len(events) == h.Count {
			return nil, Errorf(CodeCorruptBody, "more lines than count %d", h.Count)
		}
		line := len(events) + 1
		if c := raw[start]; c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			return nil, Errorf(CodeCorruptBody, "line %d: blank or starts with white space", line)
		}
		want := h.FirstSeq + int64(len(events))
		var w WireEvent
		if err := dec.Decode(&w); err != nil {
			return nil, Errorf(CodeCorruptBody, "line %d: %v", line, err)
		}
		end := int(dec.InputOffset())
		if end >= len(raw) {
			return nil, Errorf(CodeCorruptBody, "last line has no newline")
		}
		if raw[end] != '\n' || bytes.IndexByte(raw[start:end], '\n') >= 0 {
			return nil, Errorf(CodeCorruptBody, "line %d: not exactly one JSON value", line)
		}
		canon.Reset()
		if err := cenc.Encode(&w); err != nil || !bytes.Equal(canon.Bytes(), raw[start:end+1]) {
			reason, detail := nonCanonical(raw[start:end])
			return nil, &Error{Code: CodeCorruptBody, Reason: reason,
				Message: fmt.Sprintf("line %d is not in canonical form (%s): %s", line, reason, detail)}
		}
		start = end + 1
		if w.Seq != want {
			return nil, Errorf(CodeCorruptBody, "line %d: seq %d, expected %d", len(events)+1, w.Seq, want)
		}
		at, err := time.Parse(domain.TimeLayout, w.At)
		if err != nil || at.Format(domain.TimeLayout) != w.At {
			return nil, Errorf(CodeCorruptBody, "event %d: time %q is not in the layout %s", w.Seq, w.At, domain.TimeLayout)
		}
		if w.Kind == "" || w.Staff == "" {
			return nil, Errorf(CodeCorruptBody, "event %d: kind and staff are required", w.Seq)
		}
		e := domain.Event{DeviceID: h.Device, Seq: w.Seq, Kind: domain.Kind(w.Kind), Dossier: w.Dossier,
			Staff: w.Staff, At: at, PrevHash: prev, Hash: w.Hash}
		switch {
		case w.Payload != nil && w.PayloadB64 != "":
			return nil, Errorf(CodeCorruptBody, "event %d: both payload and payload_b64", w.Seq)
		case w.Payload != nil:
			e.Payload = w.Payload // a fresh copy made by the decoder
		case w.PayloadB64 != "":
			p, err := base64.StdEncoding.Strict().DecodeString(w.PayloadB64)
			if err != nil || len(p) == 0 {
				return nil, Errorf(CodeCorruptBody, "event %d: payload_b64 is not base64", w.Seq)
			}
			e.Payload = p
		}
		events = append(events, e)
		prev = w.Hash
	}
	if len(events) != h.Count {
		return nil, Errorf(CodeCorruptBody, "%d lines, header says %d", len(events), h.Count)
	}
	if err := domain.VerifyChain(h.PrevHash, events); err != nil {
		return nil, Errorf(CodeCorruptBody, "%v", err)
	}
	if events[len(events)-1].Hash != h.LastHash {
		return nil, Errorf(CodeCorruptBody, "the last event's hash differs from the header's last_hash")
	}
	b.events = events
	return events, nil
}

func (b *Batch) checkEmptyBody() error {
	raw, err := gunzip(b.Body)
	if err != nil {
		return err
	}
	if len(raw) != 0 {
		return Errorf(CodeCorruptBody, "an empty batch has lines")
	}
	return nil
}

// gunzip decompresses one gzip member, refusing more than MaxRawBytes,
// a second member and trailing bytes.
func gunzip(body []byte) ([]byte, error) {
	br := bytes.NewReader(body)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, Errorf(CodeCorruptBody, "body is not gzip: %v", err)
	}
	zr.Multistream(false)
	// The gzip trailer's ISIZE (length mod 2^32, untrusted) only sizes the
	// buffer; the limit below is what bounds it.
	var out bytes.Buffer
	if len(body) >= 4 {
		// deflate cannot expand more than 1032:1, so a forged ISIZE cannot
		// make a small body reserve much.
		if n := binary.LittleEndian.Uint32(body[len(body)-4:]); n <= MaxRawBytes && uint64(n) <= 1032*uint64(len(body)) {
			out.Grow(int(n) + bytes.MinRead)
		}
	}
	_, err = out.ReadFrom(io.LimitReader(zr, MaxRawBytes+1))
	raw := out.Bytes()
	if err != nil {
		return nil, Errorf(CodeCorruptBody, "body does not decompress: %v", err)
	}
	if len(raw) > MaxRawBytes {
		return nil, Errorf(CodeTooLarge, "body decompresses to more than %d bytes", MaxRawBytes)
	}
	if br.Len() != 0 {
		return nil, Errorf(CodeCorruptBody, "%d bytes after the gzip stream", br.Len())
	}
	return raw, nil
}

// DecodeBatch parses, verifies with pub and decodes an envelope in one call.
func DecodeBatch(env []byte, pub ed25519.PublicKey) (*Batch, []domain.Event, error) {
	b, err := ParseBatch(env)
	if err != nil {
		return nil, nil, err
	}
	if err := b.Verify(pub); err != nil {
		return nil, nil, err
	}
	events, err := b.Events()
	if err != nil {
		return nil, nil, err
	}
	return b, events, nil
}

// strictJSON decodes exactly one JSON value into v: unknown fields,
// duplicate-free trailing data and anything after the value are refused.
func strictJSON(data []byte, v any) error {
	if !utf8.Valid(data) {
		return errors.New("not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

func isHex64(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

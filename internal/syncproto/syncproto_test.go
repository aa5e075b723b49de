package syncproto

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
)

var t0 = time.Date(2026, 3, 2, 8, 30, 0, 123456789, time.UTC)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// chain makes n sealed events of device from seq first, linked to prev.
func chain(device string, first int64, n int, prev string) []domain.Event {
	var out []domain.Event
	for i := 0; i < n; i++ {
		e := domain.Event{DeviceID: device, Seq: first + int64(i), Kind: domain.KindNote,
			Dossier: fmt.Sprintf("600900-A-260302-%04d", i%50+1), Staff: "gdv1", At: t0.Add(time.Duration(i) * time.Second)}
		switch i % 4 {
		case 0:
			e.Payload = json.RawMessage(fmt.Sprintf(`{"text":"Rơ Mah H'Bích <%d> & co"}`, i))
		case 1: // not compact: must travel as base64, byte for byte
			e.Payload = json.RawMessage(fmt.Sprintf("{ \"text\": \"%d\" }\n", i))
		case 2: // no payload
		case 3:
			e.Payload = json.RawMessage(`null`)
		}
		e.Seal(prev)
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

func encode(t testing.TB, key ed25519.PrivateKey, events []domain.Event) *Batch {
	t.Helper()
	prev := ""
	if len(events) > 0 {
		prev = events[0].PrevHash
	}
	b, n, err := EncodeBatch(key, "600900-A", "600900", prev, 1, events, 7, t0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(events) {
		t.Fatalf("took %d of %d events", n, len(events))
	}
	return b
}

func TestBatchRoundTrip(t *testing.T) {
	key := testKey(1)
	events := chain("600900-A", 1, 40, "")
	b := encode(t, key, events)
	got, evs, err := DecodeBatch(b.Raw, key.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	h := got.Header
	if h.FirstSeq != 1 || h.LastSeq != 40 || h.Count != 40 || h.UpdatesAfter != 7 || h.LastHash != events[39].Hash {
		t.Fatalf("header %+v", h)
	}
	for i := range events {
		a, b := events[i], evs[i]
		if a.DeviceID != b.DeviceID || a.Seq != b.Seq || a.Kind != b.Kind || a.Dossier != b.Dossier || a.Staff != b.Staff ||
			!a.At.Equal(b.At) || !bytes.Equal(a.Payload, b.Payload) || a.PrevHash != b.PrevHash || a.Hash != b.Hash {
			t.Fatalf("event %d differs:\n%+v\n%+v", i, a, b)
		}
	}
	// The batch id depends on content only: a re-encoding later has the same id.
	b2, _, err := EncodeBatch(key, "600900-A", "600900", "", 1, events, 9, t0.Add(time.Hour), 0, 0)
	if err != nil || b2.Header.BatchID != h.BatchID {
		t.Fatalf("re-encoded batch id %s vs %s (%v)", b2.Header.BatchID, h.BatchID, err)
	}
}

func TestBatchSplitsByLimits(t *testing.T) {
	key := testKey(1)
	events := chain("600900-A", 1, 25, "")
	b, n, err := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 10, 0)
	if err != nil || n != 10 || b.Header.LastSeq != 10 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	b2, n2, err := EncodeBatch(key, "600900-A", "600900", events[9].Hash, 0, events[10:], 0, t0, 0, 600)
	if err != nil || n2 < 1 || n2 >= 15 || b2.Header.FirstSeq != 11 {
		t.Fatalf("raw limit: n=%d err=%v", n2, err)
	}
	if _, _, err := DecodeBatch(b2.Raw, key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
}

func TestEmptyBatch(t *testing.T) {
	key := testKey(1)
	events := chain("600900-A", 1, 3, "")
	b, n, err := EncodeBatch(key, "600900-A", "600900", events[2].Hash, 4, nil, 12, t0, 0, 0)
	if err != nil || n != 0 || b.Header.Count != 0 || b.Header.LastSeq != 3 {
		t.Fatalf("%v %+v", err, b)
	}
	_, evs, err := DecodeBatch(b.Raw, key.Public().(ed25519.PublicKey))
	if err != nil || len(evs) != 0 {
		t.Fatal(err, len(evs))
	}
}

func code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "(not *Error) " + fmt.Sprint(err)
}

func TestBatchTamper(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	b := encode(t, key, chain("600900-A", 1, 30, ""))
	env := b.Raw
	hl := len(b.HeaderRaw)
	flip := func(i int) []byte {
		c := bytes.Clone(env)
		c[i] ^= 0x01
		return c
	}
	cases := []struct {
		name string
		data []byte
		pub  ed25519.PublicKey
		want []string
	}{
		{"magic", flip(0), pub, []string{CodeBadHeader}},
		{"version", flip(4), pub, []string{CodeBadHeader}},
		{"header length", flip(8), pub, []string{CodeBadHeader}},
		{"header byte", flip(9 + hl/2), pub, []string{CodeBadHeader, CodeCorruptBody, CodeBadSignature}},
		{"body length", flip(9 + hl + 3), pub, []string{CodeBadHeader}},
		{"body byte", flip(13 + hl + len(b.Body)/2), pub, []string{CodeCorruptBody}},
		{"signature byte", flip(len(env) - 10), pub, []string{CodeBadSignature}},
		{"truncated", env[:len(env)-1], pub, []string{CodeBadHeader}},
		{"truncated header", env[:20], pub, []string{CodeBadHeader}},
		{"empty", nil, pub, []string{CodeBadHeader}},
		{"trailing garbage", append(bytes.Clone(env), 0), pub, []string{CodeBadHeader}},
		{"wrong key", env, testKey(2).Public().(ed25519.PublicKey), []string{CodeBadSignature}},
		{"no key", env, nil, []string{CodeBadSignature}},
	}
	for _, c := range cases {
		_, _, err := DecodeBatch(c.data, c.pub)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		ok := false
		for _, w := range c.want {
			ok = ok || code(err) == w
		}
		if !ok {
			t.Errorf("%s: code %s (%v), want one of %v", c.name, code(err), err, c.want)
		}
	}
}

// A header whose body hash matches a re-signed but doctored body: the
// signature is right (a buggy or malicious device) but the chain is not.
func TestBatchBrokenChainResigned(t *testing.T) {
	key := testKey(1)
	events := chain("600900-A", 1, 5, "")
	events[2].Staff = "intruder" // hash no longer matches
	_, _, err := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	if code(err) != CodeCorruptBody {
		t.Fatalf("encode of a broken chain: %v", err)
	}
	events = chain("600900-A", 1, 5, "")
	events[3].PrevHash = events[1].Hash
	if _, _, err := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0); err == nil {
		t.Fatal("a mislinked chain encoded")
	}
	if _, _, err := EncodeBatch(key, "600900-B", "600900", "", 1, chain("600900-A", 1, 2, ""), 0, t0, 0, 0); err == nil {
		t.Fatal("another device's events encoded")
	}
}

func TestSignedAckAndUpdates(t *testing.T) {
	hub := testKey(9)
	pub := hub.Public().(ed25519.PublicKey)
	ack, err := SignAck(hub, Ack{Device: "600900-A", BatchID: strings.Repeat("a", 64), ThroughSeq: 40,
		LastHash: strings.Repeat("b", 64), HubTime: t0})
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseSigned(ack.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	a, err := OpenAck(pub, s, "600900-A")
	if err != nil || a.ThroughSeq != 40 {
		t.Fatal(a, err)
	}
	if _, err := OpenAck(pub, s, "600900-B"); code(err) != CodeForeign {
		t.Fatalf("foreign ack: %v", err)
	}
	if _, err := OpenAck(testKey(3).Public().(ed25519.PublicKey), s, "600900-A"); code(err) != CodeBadSignature {
		t.Fatalf("wrong hub key: %v", err)
	}
	// An ack's signature cannot pass as an updates list's.
	var u Updates
	if err := Open(pub, Signed{Type: TypeUpdates, Data: s.Data, Sig: s.Sig}, TypeUpdates, &u); code(err) != CodeBadSignature {
		t.Fatalf("type confusion: %v", err)
	}
	tampered := s
	tampered.Data = strings.Replace(s.Data, s.Data[10:11], string(s.Data[10]^1), 1)
	if _, err := OpenAck(pub, tampered, "600900-A"); err == nil {
		t.Fatal("tampered ack accepted")
	}
	ups, err := SignUpdates(hub, Updates{Device: "600900-A", After: 3, Next: 9, HubTime: t0,
		Items: []Update{{ID: 5, Kind: UpdateOutcome, At: t0, Dossier: "X", Event: domain.KindResultReady}, {ID: 9, Kind: UpdateRevoke, At: t0}}})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := OpenUpdates(pub, ups, "600900-A", 3); err != nil || len(u.Items) != 2 {
		t.Fatal(u, err)
	}
	if _, err := OpenUpdates(pub, ups, "600900-A", 4); err == nil {
		t.Fatal("updates for another cursor accepted")
	}
	bad, _ := SignUpdates(hub, Updates{Device: "600900-A", After: 3, Next: 9, Items: []Update{{ID: 9}, {ID: 5}}})
	if _, err := OpenUpdates(pub, bad, "600900-A", 3); err == nil {
		t.Fatal("unordered updates accepted")
	}
}

func TestRequestAuth(t *testing.T) {
	key := testKey(4)
	pub := key.Public().(ed25519.PublicKey)
	r := httptest.NewRequest("GET", UpdatesURL("600900-A", 12, 0), nil)
	SignRequest(r, key, "600900-A", nil, t0)
	if RequestDevice(r) != "600900-A" {
		t.Fatal("device header")
	}
	if err := VerifyRequest(r, nil, pub, t0.Add(5*time.Minute), DefaultSkew); err != nil {
		t.Fatal(err)
	}
	err := VerifyRequest(r, nil, pub, t0.Add(3*time.Hour), DefaultSkew)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeClockSkew || e.HubTime == nil {
		t.Fatalf("skew: %v", err)
	}
	if err := VerifyRequest(r, nil, testKey(5).Public().(ed25519.PublicKey), t0, DefaultSkew); code(err) != CodeUnauthorized {
		t.Fatalf("wrong key: %v", err)
	}
	r2 := httptest.NewRequest("GET", UpdatesURL("600900-A", 0, 0), nil) // another cursor, same headers
	r2.Header = r.Header.Clone()
	if err := VerifyRequest(r2, nil, pub, t0, DefaultSkew); code(err) != CodeUnauthorized {
		t.Fatalf("replayed on another URL: %v", err)
	}
}

func TestEnroll(t *testing.T) {
	key := testKey(6)
	id, _ := age.GenerateX25519Identity()
	req := NewEnrollRequest(key, "TOKEN-123", "600900-B", "600900", id.Recipient().String())
	data, _ := json.Marshal(req)
	got, err := ParseEnrollRequest(data)
	if err != nil || got.Device != "600900-B" {
		t.Fatal(got, err)
	}
	req.Token = "TOKEN-124" // signature no longer matches
	data, _ = json.Marshal(req)
	if _, err := ParseEnrollRequest(data); code(err) != CodeBadSignature {
		t.Fatalf("resigned token: %v", err)
	}
	req2 := NewEnrollRequest(key, "T", "600900-B", "600901", id.Recipient().String())
	if err := req2.Check(); err == nil {
		t.Fatal("device of another post point accepted")
	}
}

func TestFiles(t *testing.T) {
	dev := testKey(1)
	hubSign := testKey(9)
	hubAge, _ := age.GenerateX25519Identity()
	devAge, _ := age.GenerateX25519Identity()
	events := chain("600900-A", 1, 30, "")
	b1, n, _ := EncodeBatch(dev, "600900-A", "600900", "", 1, events, 4, t0, 12, 0)
	b2, _, _ := EncodeBatch(dev, "600900-A", "600900", events[n-1].Hash, 0, events[n:], 4, t0, 0, 0)
	var file bytes.Buffer
	if err := WriteBatchFile(&file, hubAge.Recipient().String(), []*Batch{b1, b2}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(file.Bytes(), []byte("Rơ Mah")) || bytes.Contains(file.Bytes(), []byte("600900-A")) {
		t.Fatal("the batch file shows its content")
	}
	bs, err := ReadBatchFile(bytes.NewReader(file.Bytes()), hubAge)
	if err != nil || len(bs) != 2 || bs[1].Header.LastSeq != 30 {
		t.Fatal(err, len(bs))
	}
	other, _ := age.GenerateX25519Identity()
	if _, err := ReadBatchFile(bytes.NewReader(file.Bytes()), other); code(err) != CodeForeign {
		t.Fatalf("other hub: %v", err)
	}
	raw := file.Bytes()
	for _, cut := range []int{len(raw) - 1, len(raw) - 17, len(raw) / 2, 30} {
		if _, err := ReadBatchFile(bytes.NewReader(raw[:cut]), hubAge); err == nil {
			t.Fatalf("truncated at %d accepted", cut)
		}
	}
	flipped := bytes.Clone(raw)
	flipped[len(flipped)-40] ^= 0x80
	if _, err := ReadBatchFile(bytes.NewReader(flipped), hubAge); code(err) != CodeCorruptBody {
		t.Fatalf("flipped byte: %v", err)
	}
	if _, err := ReadBatchFile(bytes.NewReader(append(bytes.Clone(raw), 'x')), hubAge); err == nil {
		t.Fatal("trailing byte accepted")
	}
	if err := WriteBatchFile(&file, hubAge.Recipient().String(), []*Batch{b2, b1}); err == nil {
		t.Fatal("non-consecutive batches written")
	}

	// Reply.
	ack, _ := SignAck(hubSign, Ack{Device: "600900-A", BatchID: b2.Header.BatchID, ThroughSeq: 30, LastHash: events[29].Hash, HubTime: t0})
	ups, _ := SignUpdates(hubSign, Updates{Device: "600900-A", After: 4, Next: 4, HubTime: t0})
	rep, err := SignReply(hubSign, "600900-A", ack, ups, t0)
	if err != nil {
		t.Fatal(err)
	}
	var rf bytes.Buffer
	if err := WriteReplyFile(&rf, devAge.Recipient().String(), rep); err != nil {
		t.Fatal(err)
	}
	hubPub := hubSign.Public().(ed25519.PublicKey)
	c, err := ReadReplyFile(bytes.NewReader(rf.Bytes()), devAge, hubPub, "600900-A", 4)
	if err != nil || c.Ack.ThroughSeq != 30 {
		t.Fatal(err)
	}
	if _, err := ReadReplyFile(bytes.NewReader(rf.Bytes()), devAge, hubPub, "600900-B", 4); code(err) != CodeForeign {
		t.Fatalf("foreign reply: %v", err)
	}
	if _, err := ReadReplyFile(bytes.NewReader(rf.Bytes()), other, hubPub, "600900-A", 4); code(err) != CodeForeign {
		t.Fatalf("reply for another device key: %v", err)
	}
	if _, err := ReadReplyFile(bytes.NewReader(rf.Bytes()[:rf.Len()-5]), devAge, hubPub, "600900-A", 4); err == nil {
		t.Fatal("truncated reply accepted")
	}
	if _, err := ReadReplyFile(bytes.NewReader(raw), devAge, hubPub, "600900-A", 4); err == nil || !strings.Contains(err.Error(), "batch file") {
		t.Fatalf("batch file as reply: %v", err)
	}
	// A reply signed by another key (e.g. another hub) is refused even if encrypted to us.
	rep2, _ := SignReply(testKey(8), "600900-A", ack, ups, t0)
	var rf2 bytes.Buffer
	WriteReplyFile(&rf2, devAge.Recipient().String(), rep2)
	if _, err := ReadReplyFile(&rf2, devAge, hubPub, "600900-A", 4); code(err) != CodeBadSignature {
		t.Fatalf("reply of another hub: %v", err)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	events := chain("600900-A", 1, 6, "")
	b, _, _ := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	f.Add(b.Raw)
	e, _, _ := EncodeBatch(key, "600900-A", "600900", events[5].Hash, 7, nil, 0, t0, 0, 0)
	f.Add(e.Raw)
	f.Add([]byte("PDSB\x01\x00\x00\x00\x02{}\x00\x00\x00\x01x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, evs, err := DecodeBatch(data, pub)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error not *Error: %v", err)
			}
			return
		}
		// Whatever decodes must be signed, consistent and re-encodable.
		if len(evs) != b.Header.Count || domain.VerifyChain(b.Header.PrevHash, evs) != nil {
			t.Fatalf("inconsistent batch accepted: %+v", b.Header)
		}
		b2, n, err := EncodeBatch(key, b.Header.Device, b.Header.PostPoint, b.Header.PrevHash, b.Header.FirstSeq, evs,
			b.Header.UpdatesAfter, b.Header.CreatedAt, MaxBatchEvents, MaxRawBytes)
		if err != nil || n != len(evs) || b2.Header.BatchID != b.Header.BatchID {
			t.Fatalf("re-encode: %v", err)
		}
	})
}

func FuzzDecodeReply(f *testing.F) {
	hub := testKey(9)
	pub := hub.Public().(ed25519.PublicKey)
	ack, _ := SignAck(hub, Ack{Device: "600900-A", BatchID: strings.Repeat("c", 64), ThroughSeq: 3, LastHash: strings.Repeat("d", 64), HubTime: t0})
	ups, _ := SignUpdates(hub, Updates{Device: "600900-A", After: 1, Next: 2, HubTime: t0,
		Items: []Update{{ID: 2, Kind: UpdateOutcome, At: t0, Dossier: "D", Event: domain.KindReject, Payload: json.RawMessage(`{"reason":"x"}`)}}})
	rep, _ := SignReply(hub, "600900-A", ack, ups, t0)
	f.Add(rep.Marshal())
	f.Add([]byte(`{"type":"reply","data":"","sig":""}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeReply(data, pub, "600900-A", -1)
		if err != nil {
			return
		}
		if c.Reply.Device != "600900-A" || c.Ack.Device != "600900-A" || c.Updates.Device != "600900-A" {
			t.Fatalf("foreign reply accepted: %+v", c)
		}
		if err := c.Updates.Check("600900-A", c.Updates.After); err != nil {
			t.Fatal(err)
		}
	})
}

// sealRaw frames and signs any body lines under a header claiming count
// events ending at lastHash: it lets the fuzzer reach the line decoder past
// the signature and body hash.
func sealRaw(key ed25519.PrivateKey, raw []byte, count int, lastHash string) []byte {
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	zw.Write(raw)
	zw.Close()
	sum := sha256.Sum256(body.Bytes())
	h := Header{Format: 1, Device: "600900-A", PostPoint: "600900", FirstSeq: 1, LastSeq: int64(count), Count: count,
		LastHash: lastHash, CreatedAt: t0, BodySHA256: hex.EncodeToString(sum[:])}
	h.BatchID = BatchID(h.Device, 1, h.LastSeq, "", lastHash)
	hb, _ := json.Marshal(h)
	env := append([]byte("PDSB\x01"), binary.BigEndian.AppendUint32(nil, uint32(len(hb)))...)
	env = append(env, hb...)
	env = binary.BigEndian.AppendUint32(env, uint32(body.Len()))
	env = append(env, body.Bytes()...)
	return append(env, ed25519.Sign(key, env)...)
}

// FuzzBatchBody fuzzes the body's lines behind a valid signature.
func FuzzBatchBody(f *testing.F) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	events := chain("600900-A", 1, 4, "")
	b, _, _ := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	raw, _ := gunzip(b.Body)
	f.Add(raw, uint16(4), events[3].Hash)
	f.Add([]byte("{\"seq\":1}\n"), uint16(1), events[0].Hash)
	f.Fuzz(func(t *testing.T, raw []byte, count uint16, lastHash string) {
		if count == 0 || len(raw) > 1<<16 {
			return
		}
		env := sealRaw(key, raw, int(count), lastHash)
		bt, evs, err := DecodeBatch(env, pub)
		if err != nil {
			if code(err) == "(not *Error) "+fmt.Sprint(err) {
				t.Fatalf("error not *Error: %v", err)
			}
			return
		}
		if len(evs) != int(count) || domain.VerifyChain("", evs) != nil || evs[len(evs)-1].Hash != bt.Header.LastHash {
			t.Fatalf("inconsistent body accepted")
		}
	})
}

func TestSealRawDecodes(t *testing.T) {
	key := testKey(1)
	events := chain("600900-A", 1, 4, "")
	b, _, _ := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	raw, _ := gunzip(b.Body)
	if _, evs, err := DecodeBatch(sealRaw(key, raw, 4, events[3].Hash), key.Public().(ed25519.PublicKey)); err != nil || len(evs) != 4 {
		t.Fatal(err)
	}
	// Each line defect is refused.
	lines := bytes.SplitAfter(raw, []byte("\n"))
	for name, body := range map[string][]byte{
		"missing newline":  bytes.TrimSuffix(raw, []byte("\n")),
		"extra line":       append(bytes.Clone(raw), lines[0]...),
		"swapped lines":    append(append(append(append([]byte{}, lines[1]...), lines[0]...), lines[2]...), lines[3]...),
		"unknown field":    bytes.Replace(raw, []byte(`"seq":1,`), []byte(`"seq":1,"x":1,`), 1),
		"blank line":       append([]byte("\n"), raw...),
		"two values":       bytes.Replace(raw, []byte("}\n"), []byte("} {}\n"), 1),
		"bad time":         bytes.Replace(raw, []byte(".123456789Z"), []byte(".123456789+00:00"), 1),
		"edited staff":     bytes.Replace(raw, []byte(`"staff":"gdv1"`), []byte(`"staff":"gdv2"`), 1),
		"bad UTF-8":        bytes.Replace(raw, []byte(`"staff":"gdv1"`), []byte("\"staff\":\"gdv\xff\""), 1),
		"leading space":    append([]byte(" "), raw...),
		"trailing space":   bytes.Replace(raw, []byte("}\n"), []byte("} \n"), 1),
		"value on 2 lines": bytes.Replace(raw, []byte(`"seq":1,`), []byte("\"seq\":1,\n"), 1),
		"CRLF":             bytes.Replace(raw, []byte("}\n"), []byte("}\r\n"), 1),
	} {
		if _, _, err := DecodeBatch(sealRaw(key, body, 4, events[3].Hash), key.Public().(ed25519.PublicKey)); code(err) != CodeCorruptBody {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestProofFilesInBatchFile: proof files go before the envelopes, come back
// with their signatures and bytes, and are refused after an envelope, over
// the budget, or with bytes that are not their SHA-256.
func TestProofFilesInBatchFile(t *testing.T) {
	dev := testKey(1)
	hubAge, _ := age.GenerateX25519Identity()
	events := chain("600900-A", 1, 5, "")
	b, _, _ := EncodeBatch(dev, "600900-A", "600900", "", 1, events, 4, t0, 0, 0)
	data := []byte("age-encryption.org/v1\n a proof as kept on the device")
	f, err := NewProofFile(dev, "600900-A", "600900A-261125-0001", "600900A-261125-0001-signature-1.png.age", data)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := WriteBatchFile(&file, hubAge.Recipient().String(), []*Batch{b}, f); err != nil {
		t.Fatal(err)
	}
	fr, err := OpenBatchFile(bytes.NewReader(file.Bytes()), hubAge)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fr.Next(); err != nil || got.Header.LastSeq != 5 {
		t.Fatalf("the batch after the proof: %v", err)
	}
	if _, err := fr.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	ps := fr.Proofs()
	if len(ps) != 1 || !bytes.Equal(ps[0].Data, data) || ps[0].Part != f.Part {
		t.Fatalf("proofs read back: %+v", ps)
	}
	if err := ps[0].Verify(dev.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if err := ps[0].Verify(testKey(2).Public().(ed25519.PublicKey)); code(err) != CodeBadSignature {
		t.Fatalf("another device's key: %v", err)
	}

	// Written by hand: a proof after an envelope, a proof whose bytes changed.
	seal := func(plain []byte) []byte {
		var out bytes.Buffer
		out.WriteString(MagicBatchFile)
		w, _ := age.Encrypt(&out, hubAge.Recipient())
		w.Write(plain)
		w.Close()
		return out.Bytes()
	}
	var frame bytes.Buffer
	writeProofFile(&frame, f)
	changed := bytes.Clone(frame.Bytes())
	changed[len(changed)-1] ^= 1
	for name, c := range map[string]struct {
		plain []byte
		code  string
	}{
		"after an envelope": {append(bytes.Clone(b.Raw), frame.Bytes()...), CodeBadHeader},
		"bytes changed":     {append(changed, b.Raw...), CodeCorruptBody},
		"as written":        {append(bytes.Clone(frame.Bytes()), b.Raw...), ""},
	} {
		_, err := ReadBatchFile(bytes.NewReader(seal(c.plain)), hubAge)
		if c.code == "" && err != nil || c.code != "" && code(err) != c.code {
			t.Fatalf("%s: %v, want %q", name, err, c.code)
		}
	}
	big := make([]ProofFile, 3)
	for i := range big {
		big[i] = ProofFile{Part: ProofPart{Size: ProofFileBudget / 2}}
	}
	if err := WriteBatchFile(&file, hubAge.Recipient().String(), []*Batch{b}, big...); err == nil {
		t.Fatal("proofs over the budget written")
	}
}

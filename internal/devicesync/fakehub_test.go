package devicesync

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

// fakeHub is a minimal in-memory province hub speaking syncproto v1, for
// the device's tests (the real hub is internal/hub). It stores each event
// once per (device, seq), answers a duplicate batch with the same ack, and
// refuses gaps, broken chains and conflicting content like the real one.
type fakeHub struct {
	mu      sync.Mutex
	t       testing.TB
	sign    ed25519.PrivateKey
	ageID   *age.X25519Identity
	now     func() time.Time
	tokens  map[string]string // token → post point
	devices map[string]*fakeDevice
	updates []fakeUpdate
	nextID  int64
	// counters
	batches, dupBatches, refused int
	down                         bool // answers 503 to everything
	// impostor makes the fake answer like something else at the hub's
	// address: "revoke" (a bare 403 revoked to batches and pulls),
	// "revoke-foreign" (a revocation signed by another key), "ack" (acks
	// signed by another key), "updates" (updates signed by another key).
	impostor string
	other    ed25519.PrivateKey // the impostor's key
}

type fakeDevice struct {
	pub     ed25519.PublicKey
	age     string
	revoked bool
	events  []domain.Event // seq i+1 at index i
	acks    map[string][]byte
}

type fakeUpdate struct {
	device string // "" for every device
	u      syncproto.Update
}

func newFakeHub(t testing.TB) *fakeHub {
	_, priv, _ := ed25519.GenerateKey(nil)
	id, _ := age.GenerateX25519Identity()
	_, other, _ := ed25519.GenerateKey(nil)
	return &fakeHub{t: t, sign: priv, other: other, ageID: id, now: time.Now, tokens: map[string]string{}, devices: map[string]*fakeDevice{}}
}

func (h *fakeHub) token(pp string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	tok := "tok-" + pp + "-" + strconv.Itoa(len(h.tokens)+1)
	h.tokens[tok] = pp
	return tok
}

// addUpdate queues an update for device ("" for all).
func (h *fakeHub) addUpdate(device string, u syncproto.Update) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.nextID++
	u.ID = h.nextID
	if u.At.IsZero() {
		u.At = h.now()
	}
	h.updates = append(h.updates, fakeUpdate{device: device, u: u})
	return u.ID
}

func (h *fakeHub) events(device string) []domain.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	if d := h.devices[device]; d != nil {
		return append([]domain.Event(nil), d.events...)
	}
	return nil
}

func (h *fakeHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, syncproto.MaxEnvelopeBytes+1))
	if err != nil {
		return // the client went away mid-upload
	}
	fail := func(err error) {
		h.refused++
		pe, ok := err.(*syncproto.Error)
		if !ok {
			pe = syncproto.Errorf(syncproto.CodeInternal, "%v", err)
		}
		syncproto.WriteError(w, pe)
	}
	if _, ok := h.impostorAnswer(w, r, body); ok {
		return
	}
	switch {
	case r.URL.Path == syncproto.PathHealth:
		json.NewEncoder(w).Encode(syncproto.Health{OK: true, Format: syncproto.Format, HubTime: h.now().UTC()})
	case r.URL.Path == syncproto.PathEnroll && r.Method == http.MethodPost:
		req, err := syncproto.ParseEnrollRequest(body)
		if err != nil {
			fail(err)
			return
		}
		if pp, ok := h.tokens[req.Token]; !ok || pp != req.PostPoint {
			fail(syncproto.Errorf(syncproto.CodeBadToken, "unknown token"))
			return
		}
		delete(h.tokens, req.Token)
		if d := h.devices[req.Device]; d != nil && !bytes.Equal(d.pub, req.PublicKey) {
			fail(syncproto.Errorf(syncproto.CodeAlreadyTaken, "taken"))
			return
		}
		if h.devices[req.Device] == nil {
			h.devices[req.Device] = &fakeDevice{pub: req.PublicKey, age: req.AgeRecipient, acks: map[string][]byte{}}
		}
		json.NewEncoder(w).Encode(syncproto.EnrollResponse{Device: req.Device, PostPoint: req.PostPoint,
			HubSignKey: h.sign.Public().(ed25519.PublicKey), HubAgeRecipient: h.ageID.Recipient().String(),
			EnrolledAt: h.now().UTC(), HubName: "Gia Lai (test)"})
	case r.URL.Path == syncproto.PathBatches && r.Method == http.MethodPost:
		b, err := syncproto.ParseBatch(body)
		if err != nil {
			fail(err)
			return
		}
		ack, err := h.ingest(b)
		if err != nil {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", syncproto.ContentTypeJSON)
		w.Write(ack)
	case r.URL.Path == syncproto.PathUpdates && r.Method == http.MethodGet:
		dev := h.devices[syncproto.RequestDevice(r)]
		if dev == nil {
			fail(syncproto.Errorf(syncproto.CodeUnknown, "unknown device"))
			return
		}
		if err := syncproto.VerifyRequest(r, body, dev.pub, h.now(), syncproto.DefaultSkew); err != nil {
			fail(err)
			return
		}
		if dev.revoked {
			fail(h.revokedError(h.sign, syncproto.RequestDevice(r)))
			return
		}
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		s, err := h.signedUpdates(syncproto.RequestDevice(r), after, 3) // small pages: exercise "more"
		if err != nil {
			fail(err)
			return
		}
		w.Write(s.Marshal())
	case r.URL.Path == syncproto.PathPeers && r.Method == http.MethodGet:
		// One device per post point here: no peers to hand on.
		w.Header().Set("Content-Type", syncproto.ContentTypePeers)
		w.Write(syncproto.EncodePeerStream(nil, false))
	default:
		http.NotFound(w, r)
	}
}

// revokedError is a revoked refusal carrying a revocation signed by key.
func (h *fakeHub) revokedError(key ed25519.PrivateKey, device string) *syncproto.Error {
	e := syncproto.Errorf(syncproto.CodeRevoked, "device %s revoked", device)
	sig, err := syncproto.SignRevocation(key, syncproto.RevokedNotice{Device: device, RevokedAt: h.now(), HubTime: h.now(),
		Order: syncproto.OrderLockErase})
	if err != nil {
		h.t.Fatal(err)
	}
	e.Revocation = &sig
	return e
}

// impostorAnswer answers batches and pulls as h.impostor says, under h.mu.
func (h *fakeHub) impostorAnswer(w http.ResponseWriter, r *http.Request, body []byte) (string, bool) {
	batch := r.URL.Path == syncproto.PathBatches
	pull := r.URL.Path == syncproto.PathUpdates
	if h.impostor == "" || !(batch || pull) {
		return "", false
	}
	device := syncproto.RequestDevice(r)
	var b *syncproto.Batch
	if batch {
		var err error
		if b, err = syncproto.ParseBatch(body); err != nil {
			return "", false
		}
		device = b.Header.Device
	}
	switch h.impostor {
	case "revoke":
		syncproto.WriteError(w, syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked", device))
	case "revoke-foreign":
		syncproto.WriteError(w, h.revokedError(h.other, device))
	case "ack":
		if !batch {
			return "", false
		}
		s, _ := syncproto.SignAck(h.other, syncproto.Ack{Device: device, BatchID: b.Header.BatchID, ThroughSeq: b.Header.LastSeq,
			LastHash: b.Header.LastHash, HubTime: h.now()})
		w.Write(s.Marshal())
	case "updates":
		if !pull {
			return "", false
		}
		ups := syncproto.Updates{Device: device, Next: 99, HubTime: h.now(), Items: []syncproto.Update{
			{ID: 99, Kind: syncproto.UpdateRevoke, At: h.now(), Payload: json.RawMessage(`{"device":"` + device + `","reason":"giả mạo"}`)}}}
		s, _ := syncproto.SignUpdates(h.other, ups)
		w.Write(s.Marshal())
	default:
		return "", false
	}
	return device, true
}

// ingest is the hub's batch rule, under h.mu.
func (h *fakeHub) ingest(b *syncproto.Batch) ([]byte, error) {
	hd := b.Header
	dev := h.devices[hd.Device]
	if dev == nil {
		return nil, syncproto.Errorf(syncproto.CodeUnknown, "device %s unknown", hd.Device)
	}
	if dev.revoked {
		return nil, h.revokedError(h.sign, hd.Device)
	}
	if err := b.Verify(dev.pub); err != nil {
		return nil, err
	}
	events, err := b.Events()
	if err != nil {
		return nil, err
	}
	h.batches++
	if ack, ok := dev.acks[hd.BatchID]; ok {
		h.dupBatches++
		return ack, nil
	}
	have := int64(len(dev.events))
	if hd.FirstSeq > have+1 {
		return nil, &syncproto.Error{Code: syncproto.CodeGap, Message: "gap", ExpectedSeq: have + 1}
	}
	for _, e := range events {
		if e.Seq <= have {
			if dev.events[e.Seq-1].Hash != e.Hash {
				return nil, syncproto.Errorf(syncproto.CodeConflict, "seq %d differs", e.Seq)
			}
			continue
		}
		if e.Seq != have+1 || (have > 0 && e.PrevHash != dev.events[have-1].Hash) {
			return nil, syncproto.Errorf(syncproto.CodeBrokenChain, "seq %d does not link", e.Seq)
		}
		dev.events = append(dev.events, e)
		have++
	}
	last := ""
	if have > 0 {
		last = dev.events[have-1].Hash
	}
	s, err := syncproto.SignAck(h.sign, syncproto.Ack{Device: hd.Device, BatchID: hd.BatchID, ThroughSeq: have,
		LastHash: last, HubTime: h.now()})
	if err != nil {
		return nil, err
	}
	dev.acks[hd.BatchID] = s.Marshal()
	return dev.acks[hd.BatchID], nil
}

func (h *fakeHub) signedUpdates(device string, after int64, limit int) (syncproto.Signed, error) {
	ups := syncproto.Updates{Device: device, After: after, Next: after, HubTime: h.now()}
	for _, fu := range h.updates {
		if fu.u.ID <= after || (fu.device != "" && fu.device != device) {
			continue
		}
		if len(ups.Items) == limit {
			ups.More = true
			break
		}
		ups.Items = append(ups.Items, fu.u)
		ups.Next = fu.u.ID
	}
	if !ups.More && h.nextID > ups.Next {
		ups.Next = h.nextID // nothing else for this device: skip the others' ids
	}
	return syncproto.SignUpdates(h.sign, ups)
}

// importFile is `hub import`: ingest a batch file whole, answer a reply file.
func (h *fakeHub) importFile(data []byte) ([]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	bs, err := syncproto.ReadBatchFile(bytes.NewReader(data), h.ageID)
	if err != nil {
		return nil, err
	}
	var ack []byte
	for _, b := range bs {
		if ack, err = h.ingest(b); err != nil {
			return nil, err
		}
	}
	device := bs[0].Header.Device
	s, err := syncproto.ParseSigned(ack)
	if err != nil {
		return nil, err
	}
	ups, err := h.signedUpdates(device, bs[0].Header.UpdatesAfter, syncproto.MaxUpdates)
	if err != nil {
		return nil, err
	}
	rep, err := syncproto.SignReply(h.sign, device, s, ups, h.now())
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := syncproto.WriteReplyFile(&out, h.devices[device].age, rep); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

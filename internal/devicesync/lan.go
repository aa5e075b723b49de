package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// The post point's local network (docs/sync-protocol.md §11.6): a device
// listens (LANServer); another pairs with it once by the code it shows
// (LANClient.Pair), then syncs with it directly (LANClient.Sync): each
// sends the other a peer file (§11.4) of its own events the other does not
// hold, so the checks are the peer file's, and the events each brings reach
// the hub at its next round, once.

// LANServer answers pairing and sync requests of the post point's devices.
type LANServer struct {
	Store *store.Store
	Now   func() time.Time
	// Log, when set, gets one line per pairing, refused code and exchange.
	Log func(string)

	mu      sync.Mutex
	code    string // "" when no pairing is open
	salt    string // base64
	key     []byte
	expires time.Time
	tries   int
}

func (l *LANServer) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *LANServer) log(format string, a ...any) {
	if l.Log != nil {
		l.Log(fmt.Sprintf(format, a...))
	}
}

// OpenPairing draws a new code, good for PairTTL and PairTries wrong tries,
// for one pairing; it returns the code and when it expires.
func (l *LANServer) OpenPairing() (string, time.Time, error) {
	code, err := NewPairCode()
	if err != nil {
		return "", time.Time{}, err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", time.Time{}, err
	}
	key := pairKey(code, salt)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.code, l.salt, l.key, l.tries = code, base64.StdEncoding.EncodeToString(salt), key, 0
	l.expires = l.now().Add(PairTTL)
	return code, l.expires, nil
}

// Pairing says whether a code is open and how many wrong tries it has left.
func (l *LANServer) Pairing() (open bool, triesLeft int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.code == "" || !l.now().Before(l.expires) {
		return false, 0
	}
	return true, PairTries - l.tries
}

func (l *LANServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == pathLANHello && r.Method == http.MethodGet:
		l.hello(w, r)
	case r.URL.Path == pathLANPair && r.Method == http.MethodPost:
		l.pair(w, r)
	case r.URL.Path == pathLANExchange && r.Method == http.MethodPost:
		l.exchange(w, r)
	default:
		lanError(w, http.StatusNotFound, syncproto.Errorf(syncproto.CodeBadRequest, "no such request"))
	}
}

func lanError(w http.ResponseWriter, status int, err error) {
	var pe *syncproto.Error
	if !errors.As(err, &pe) {
		pe = syncproto.Errorf(syncproto.CodeInternal, "%v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(pe)
}

func lanJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (l *LANServer) hello(w http.ResponseWriter, r *http.Request) {
	dev, pp, err := l.Store.Device(r.Context())
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	h := lanHello{Device: dev.ID(), PostPoint: pp.Code, Time: l.now().UTC()}
	if asker := r.URL.Query().Get("device"); asker != "" {
		heads, err := l.Store.PeerHeads(r.Context())
		if err != nil {
			lanError(w, http.StatusInternalServerError, err)
			return
		}
		h.Holds, h.Heads = heads[asker], heads
		delete(h.Heads, asker)
	}
	if open, _ := l.Pairing(); open {
		l.mu.Lock()
		h.Salt = l.salt
		l.mu.Unlock()
	}
	lanJSON(w, h)
}

func (l *LANServer) pair(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var o pairOffer
	dec := json.NewDecoder(io.LimitReader(r.Body, maxLANJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		lanError(w, http.StatusBadRequest, syncproto.Errorf(syncproto.CodeBadRequest, "pairing request: %v", err))
		return
	}
	dev, pp, err := l.Store.Device(ctx)
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.code == "" || !l.now().Before(l.expires) {
		l.code = ""
		lanError(w, http.StatusForbidden, syncproto.Errorf(codePairClosed, "no pairing code is open on %s: show a new one", dev.ID()))
		return
	}
	if !macEqual(o.MAC, pairMAC(l.key, o.text(dev.ID(), l.salt))) {
		l.tries++
		left := PairTries - l.tries
		if left <= 0 {
			l.code = "" // burnt: a new code must be shown
		}
		pe := &store.PeerError{Device: o.Device, Code: codeBadCode, Reason: fmt.Sprintf("a wrong pairing code from %s (%s); %d tries left", o.Device, r.RemoteAddr, left)}
		if err := l.Store.NotePeerRefusal(ctx, "lan", pe); err != nil {
			lanError(w, http.StatusInternalServerError, err)
			return
		}
		l.log("wrong pairing code from %s (%s): %d tries left", o.Device, r.RemoteAddr, left)
		w.Header().Set("X-PostDesk-Tries-Left", strconv.Itoa(left))
		lanError(w, http.StatusForbidden, syncproto.Errorf(codeBadCode, "wrong pairing code; %d tries left", left))
		return
	}
	pub, err := checkPeerHalf(o.Device, o.PostPoint, o.PublicKey, o.AgeRecipient, dev.ID(), pp.Code)
	if err == nil {
		err = rememberPeer(ctx, l.Store, o.Device, pp.Code, pub, o.AgeRecipient)
	}
	if err != nil {
		lanError(w, http.StatusForbidden, err)
		return
	}
	key, err := l.Store.DeviceKey(ctx)
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	id, err := l.Store.DeviceAgeIdentity(ctx)
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	a := pairAnswer{Device: dev.ID(), PostPoint: pp.Code, PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
		AgeRecipient: id.Recipient().String()}
	a.MAC = pairMAC(l.key, a.text(&o, dev.ID(), l.salt))
	l.code = "" // one pairing per code
	l.log("paired with %s", o.Device)
	lanJSON(w, a)
}

// rememberPeer stores the other device's keys from a pairing. A device the
// hub already gave another key, or revoked, is refused.
func rememberPeer(ctx context.Context, s *store.Store, device, pp string, pub ed25519.PublicKey, ageRecipient string) error {
	k, known, err := s.PeerKeyOf(ctx, device)
	if err != nil {
		return err
	}
	if known && k.Revoked {
		return syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked at the province", device)
	}
	if known && !k.Public.Equal(pub) {
		return syncproto.Errorf(codeKeyMismatch, "device %s is known here with another key (from the province): not paired", device)
	}
	if !known {
		if err := s.PutDeviceKey(ctx, device, pp, pub, time.Time{}); err != nil {
			return err
		}
	}
	return s.SetPeerAgeRecipient(ctx, device, ageRecipient)
}

func (l *LANServer) exchange(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLANPeerFile))
	if err != nil {
		lanError(w, http.StatusRequestEntityTooLarge, syncproto.Errorf(syncproto.CodeTooLarge, "a LAN exchange is at most %s", lanPeerFileLimit))
		return
	}
	from := syncproto.RequestDevice(r)
	_, pp, err := l.Store.Device(ctx)
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	k, known, err := l.Store.PeerKeyOf(ctx, from)
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	if !known || k.PostPoint != pp.Code || k.AgeRecipient == "" {
		lanError(w, http.StatusForbidden, syncproto.Errorf(syncproto.CodeUnknown, "device %q is not paired with this device", from))
		return
	}
	if k.Revoked {
		lanError(w, http.StatusForbidden, syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked at the province", from))
		return
	}
	if err := syncproto.VerifyRequest(r, body, k.Public, l.now(), lanSkew); err != nil {
		lanError(w, http.StatusUnauthorized, err)
		return
	}
	have, err := strconv.ParseInt(r.URL.Query().Get("have"), 10, 64)
	if err != nil || have < 0 {
		lanError(w, http.StatusBadRequest, syncproto.Errorf(syncproto.CodeBadRequest, "have: not a seq"))
		return
	}
	// What the asker holds of the other devices (absent: an older asker,
	// which gets this device's own events only).
	var heads map[string]int64
	if q := r.URL.Query(); q.Has("heads") {
		if heads, err = decodeHeads(q.Get("heads")); err != nil {
			lanError(w, http.StatusBadRequest, syncproto.Errorf(syncproto.CodeBadRequest, "%v", err))
			return
		}
	}
	in, err := ImportPeerFile(ctx, l.Store, bytes.NewReader(body))
	if err != nil {
		lanError(w, http.StatusBadRequest, err)
		return
	}
	var out bytes.Buffer
	var sent PeerExport
	if heads != nil {
		sent, err = ExportPeerFileRelay(ctx, l.Store, from, have, heads, &out, l.now())
	} else {
		sent, err = ExportPeerFileAfter(ctx, l.Store, from, have, &out, l.now())
	}
	if err != nil {
		lanError(w, http.StatusInternalServerError, err)
		return
	}
	l.log("synced with %s: %d events taken, %d refused batches, %d events sent, %d relayed", from, in.Events, in.Refused, sent.Events, sent.Relayed)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Write(out.Bytes())
}

// LANClient pairs with and syncs with a listening device of the post point.
type LANClient struct {
	Store *store.Store
	HTTP  *http.Client
	Now   func() time.Time
}

func (c *LANClient) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *LANClient) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Minute}
}

func (c *LANClient) call(ctx context.Context, req *http.Request, limit int64) ([]byte, *http.Response, error) {
	resp, err := c.client().Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("the other device cannot be reached at %s: %w", req.URL.Host, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, resp, err
	}
	if int64(len(data)) > limit {
		return nil, resp, syncproto.Errorf(syncproto.CodeTooLarge, "the other device's answer is too large")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp, syncproto.ErrorFromResponse(resp.StatusCode, data)
	}
	return data, resp, nil
}

func (c *LANClient) hello(ctx context.Context, base, asker string) (lanHello, time.Duration, error) {
	var h lanHello
	req, err := http.NewRequest(http.MethodGet, base+pathLANHello+"?device="+asker, nil)
	if err != nil {
		return h, 0, err
	}
	start := c.now()
	data, _, err := c.call(ctx, req, maxLANJSON)
	if err != nil {
		return h, 0, err
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return h, 0, fmt.Errorf("the other device's greeting: %w", err)
	}
	mid := start.Add(c.now().Sub(start) / 2)
	return h, h.Time.Sub(mid), nil
}

// PairResult is what Pair did.
type PairResult struct {
	Peer      string
	TriesLeft int // after a wrong code
}

// Pair pairs this device with the one listening at addr (HOST:PORT) by the
// code it shows. A wrong code is refused (and counted there); an answer
// that does not prove the other side knows the code is refused here.
func (c *LANClient) Pair(ctx context.Context, addr, code string) (PairResult, error) {
	var res PairResult
	base, err := lanURL(addr)
	if err != nil {
		return res, err
	}
	dev, pp, err := c.Store.Device(ctx)
	if err != nil {
		return res, err
	}
	h, _, err := c.hello(ctx, base, dev.ID())
	if err != nil {
		return res, err
	}
	if err := syncproto.CheckDeviceID(h.Device, pp.Code); err != nil || h.PostPoint != pp.Code || h.Device == dev.ID() {
		return res, syncproto.Errorf(syncproto.CodeWrongPoint, "the device at %s is %s, not another device of post point %s", addr, h.Device, pp.Code)
	}
	if h.Salt == "" {
		return res, syncproto.Errorf(codePairClosed, "no pairing code is open on %s: show one there first", h.Device)
	}
	salt, err := base64.StdEncoding.Strict().DecodeString(h.Salt)
	if err != nil || len(salt) < 16 {
		return res, syncproto.Errorf(syncproto.CodeBadRequest, "the other device's pairing salt is malformed")
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return res, err
	}
	id, err := c.Store.DeviceAgeIdentity(ctx)
	if err != nil {
		return res, err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return res, err
	}
	mk := pairKey(code, salt)
	o := pairOffer{Device: dev.ID(), PostPoint: pp.Code, PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
		AgeRecipient: id.Recipient().String(), Nonce: base64.StdEncoding.EncodeToString(nonce)}
	o.MAC = pairMAC(mk, o.text(h.Device, h.Salt))
	body, _ := json.Marshal(o)
	req, err := http.NewRequest(http.MethodPost, base+pathLANPair, bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/json")
	data, resp, err := c.call(ctx, req, maxLANJSON)
	if err != nil {
		if resp != nil {
			res.TriesLeft, _ = strconv.Atoi(resp.Header.Get("X-PostDesk-Tries-Left"))
		}
		return res, err
	}
	var a pairAnswer
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return res, fmt.Errorf("the other device's pairing answer: %w", err)
	}
	if a.Device != h.Device || !macEqual(a.MAC, pairMAC(mk, a.text(&o, h.Device, h.Salt))) {
		return res, syncproto.Errorf(syncproto.CodeBadSignature, "the answer from %s does not prove it knows the code: not paired (someone else may be answering on this network)", addr)
	}
	pub, err := checkPeerHalf(a.Device, a.PostPoint, a.PublicKey, a.AgeRecipient, dev.ID(), pp.Code)
	if err != nil {
		return res, err
	}
	if err := rememberPeer(ctx, c.Store, a.Device, pp.Code, pub, a.AgeRecipient); err != nil {
		return res, err
	}
	res.Peer = a.Device
	return res, nil
}

// LANSyncResult is what Sync did.
type LANSyncResult struct {
	Peer     string
	Sent     int // this device's events sent
	Relayed  int // other devices' events handed on to it
	Received int // new events of the other device stored here
	Refused  int // batches of it refused whole (noted for the Sync screen)
	ToTheHub int // its batches kept to hand on to the hub
}

// Sync exchanges events with the paired device listening at addr: this
// device sends the events the other does not hold — its own, and the post
// point's other devices' it holds, in their origins' signed envelopes — as
// a peer file for it, and takes the same from the other, checked as a peer
// file (each envelope with its origin's key).
func (c *LANClient) Sync(ctx context.Context, addr string) (LANSyncResult, error) {
	var res LANSyncResult
	base, err := lanURL(addr)
	if err != nil {
		return res, err
	}
	dev, _, err := c.Store.Device(ctx)
	if err != nil {
		return res, err
	}
	h, offset, err := c.hello(ctx, base, dev.ID())
	if err != nil {
		return res, err
	}
	res.Peer = h.Device
	k, known, err := c.Store.PeerKeyOf(ctx, h.Device)
	if err != nil {
		return res, err
	}
	if !known || k.AgeRecipient == "" {
		return res, syncproto.Errorf(syncproto.CodeUnknown, "device %s is not paired with this one: pair them first with the code it shows", h.Device)
	}
	heads, err := c.Store.PeerHeads(ctx)
	if err != nil {
		return res, err
	}
	var file bytes.Buffer
	sent, err := ExportPeerFileRelay(ctx, c.Store, h.Device, h.Holds, h.Heads, &file, c.now())
	if err != nil {
		return res, err
	}
	res.Sent, res.Relayed = sent.Events, sent.Relayed
	q := url.Values{"have": {strconv.FormatInt(heads[h.Device], 10)}, "heads": {encodeHeads(heads)}}
	req, err := http.NewRequest(http.MethodPost, base+pathLANExchange+"?"+q.Encode(), bytes.NewReader(file.Bytes()))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return res, err
	}
	syncproto.SignRequest(req, key, dev.ID(), file.Bytes(), c.now().Add(offset))
	data, _, err := c.call(ctx, req, maxLANPeerFile)
	if err != nil {
		return res, err
	}
	in, err := ImportPeerFile(ctx, c.Store, bytes.NewReader(data))
	if err != nil {
		return res, err
	}
	if in.From != h.Device {
		return res, syncproto.Errorf(syncproto.CodeForeign, "the answer comes from %s, not %s", in.From, h.Device)
	}
	res.Received, res.Refused, res.ToTheHub = in.Events, in.Refused, in.ToTheHub
	return res, nil
}

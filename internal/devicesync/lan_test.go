package devicesync

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"postdesk/internal/syncproto"
)

// TestLANPairRefusesAnImpostor: a machine on the network that answers in
// the listener's place without knowing the code (here it passes the
// greeting on and answers the pairing itself) is refused by the joining
// device, which keeps no key of it.
func TestLANPairRefusesAnImpostor(t *testing.T) {
	a, b, mallory := newDevice(t, "600900", "A"), newDevice(t, "600900", "B"), newDevice(t, "600900", "A")
	real := &LANServer{Store: a}
	code, _, err := real.OpenPairing()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == pathLANHello {
			real.ServeHTTP(w, r)
			return
		}
		// The impostor answers with its own keys, MAC'd with what it can
		// derive: not the code.
		var o pairOffer
		json.NewDecoder(r.Body).Decode(&o)
		key, _ := mallory.DeviceKey(ctx)
		id, _ := mallory.DeviceAgeIdentity(ctx)
		ans := pairAnswer{Device: "600900-A", PostPoint: "600900", PublicKey: base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey)),
			AgeRecipient: id.Recipient().String()}
		real.mu.Lock()
		salt := real.salt
		real.mu.Unlock()
		raw, _ := base64.StdEncoding.DecodeString(salt)
		ans.MAC = pairMAC(pairKey("WRONGCODE", raw), ans.text(&o, "600900-A", salt))
		lanJSON(w, ans)
	}))
	defer srv.Close()
	c := &LANClient{Store: b}
	if _, err := c.Pair(ctx, strings.TrimPrefix(srv.URL, "http://"), code); err == nil || !strings.Contains(err.Error(), "does not prove") {
		t.Fatalf("pairing with an impostor: %v", err)
	}
	if _, known, _ := b.PeerKeyOf(ctx, "600900-A"); known {
		t.Fatal("B keeps the impostor's key")
	}
	// The real listener, the right code: paired, each holds the other's key.
	srv2 := httptest.NewServer(real)
	defer srv2.Close()
	res, err := c.Pair(ctx, strings.TrimPrefix(srv2.URL, "http://"), code)
	if err != nil || res.Peer != "600900-A" {
		t.Fatalf("pair: %+v %v", res, err)
	}
	ka, _, _ := b.PeerKeyOf(ctx, "600900-A")
	own, _ := a.DeviceKey(ctx)
	if !ka.Public.Equal(own.Public()) {
		t.Fatal("B holds another key than A's")
	}
	if kb, known, _ := a.PeerKeyOf(ctx, "600900-B"); !known || kb.AgeRecipient == "" {
		t.Fatalf("A does not hold B's keys: %+v", kb)
	}
}

// TestLANExchangeRefusesUnpaired: a device the listener has not paired
// with, or a request whose signature does not verify, gets nothing.
func TestLANExchangeRefusesUnpaired(t *testing.T) {
	a, c := newDevice(t, "600900", "A"), newDevice(t, "600900", "C")
	srv := httptest.NewServer(&LANServer{Store: a})
	defer srv.Close()
	key, _ := c.DeviceKey(ctx)
	body := []byte("not a peer file")
	req, _ := http.NewRequest(http.MethodPost, srv.URL+pathLANExchange+"?have=0", bytes.NewReader(body))
	syncproto.SignRequest(req, key, "600900-C", body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(data), "not paired") {
		t.Fatalf("unpaired exchange: %d %s", resp.StatusCode, data)
	}
	// Known (say from the hub) but the signature is made with another key.
	knows(t, a, c)
	a.SetPeerAgeRecipient(ctx, "600900-C", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")
	other, _ := a.DeviceKey(ctx)
	req, _ = http.NewRequest(http.MethodPost, srv.URL+pathLANExchange+"?have=0", bytes.NewReader(body))
	syncproto.SignRequest(req, other, "600900-C", body, time.Now())
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a forged exchange: %d %s", resp.StatusCode, data)
	}
}

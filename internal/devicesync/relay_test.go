package devicesync

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// pairedWith gives s other's keys and age recipient, as a pairing does.
func pairedWith(t *testing.T, s, other *store.Store) {
	t.Helper()
	knows(t, s, other)
	dev, _, _ := other.Device(ctx)
	id, err := other.DeviceAgeIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetPeerAgeRecipient(ctx, dev.ID(), id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
}

// fileFrom writes a peer file from s to device to carrying envs as they are.
func fileFrom(t *testing.T, s, to *store.Store, envs ...[]byte) []byte {
	t.Helper()
	dev, _, _ := s.Device(ctx)
	toDev, _, _ := to.Device(ctx)
	key, err := s.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := to.DeviceAgeIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	h := syncproto.PeerFileHeader{FileID: strings.Repeat("ab", 15) + dev.Letter + dev.Letter, From: dev.ID(), To: toDev.ID(), CreatedAt: time.Now()}
	if err := syncproto.WritePeerFile(&buf, key, h, id.Recipient().String(), envs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestPeerFileRelay: B holds A's events (from the hub, in two overlapping
// envelopes) and hands them on to C in A's own envelopes, the fewest that
// reach from C's head; C verifies each with A's key. A forged envelope of
// A, or one of another post point, in B's file refuses the file whole; A's
// own events are never handed back to A.
func TestPeerFileRelay(t *testing.T) {
	a, b, c := newDevice(t, "600900", "A"), newDevice(t, "600900", "B"), newDevice(t, "600900", "C")
	other := newDevice(t, "600901", "A")
	intake(t, a, 4) // 6 events
	knows(t, b, a)
	for _, page := range [][]*syncproto.Batch{{ownBatch(t, a, 0, 3)}, {ownBatch(t, a, 2, 10)}} {
		if res, err := ApplyPeerBatches(ctx, b, page, "hub"); err != nil || res.Refused != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	}
	for _, tc := range []struct {
		head int64
		want int
	}{{0, 2}, {1, 2}, {2, 1}, {3, 1}, {5, 1}, {6, 0}} {
		envs, err := b.PeerRelay(ctx, map[string]int64{"600900-A": tc.head})
		if err != nil || len(envs) != tc.want {
			t.Fatalf("relay from A's seq %d: %d envelopes %v, want %d", tc.head, len(envs), err, tc.want)
		}
	}
	if envs, _ := b.PeerRelay(ctx, nil, "600900-A"); len(envs) != 0 {
		t.Fatalf("%d envelopes of A relayed to A", len(envs))
	}

	pairedWith(t, c, b)
	pairedWith(t, b, c)
	knows(t, c, a)
	knows(t, c, other)
	// Forged: A's header, another key. Foreign: another post point's device.
	_, forger, _ := ed25519.GenerateKey(nil)
	evs, _ := a.EventsAfter(ctx, "600900-A", 0, 10)
	forged, _, err := syncproto.EncodeBatch(forger, "600900-A", "600900", "", 1, evs, 0, time.Now(), 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	intake(t, other, 1)
	for name, env := range map[string][]byte{"forged": forged.Raw, "foreign": ownBatch(t, other, 0, 10).Raw} {
		if _, err := ImportPeerFile(ctx, c, bytes.NewReader(fileFrom(t, b, c, env))); err == nil {
			t.Fatalf("a file with a %s envelope of A imported", name)
		}
		if n := countEventsOf(t, c, "600900-A"); n != 0 {
			t.Fatalf("the %s file left %d events of A", name, n)
		}
	}

	var file bytes.Buffer
	exp, err := ExportPeerFileRelay(ctx, b, "600900-C", 0, map[string]int64{}, &file, time.Now())
	if err != nil || exp.Relayed != 6 || exp.Events != 0 {
		t.Fatalf("%+v %v", exp, err)
	}
	in, err := ImportPeerFile(ctx, c, bytes.NewReader(file.Bytes()))
	if err != nil || in.Events != 6 || in.Refused != 0 {
		t.Fatalf("%+v %v", in, err)
	}
	if n := countEventsOf(t, c, "600900-A"); n != 6 {
		t.Fatalf("C holds %d events of A, want 6", n)
	}
	if _, err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// C now relays A's events too, but not to A.
	pairedWith(t, c, a)
	file.Reset()
	if exp, err := ExportPeerFileRelay(ctx, c, "600900-A", 0, map[string]int64{}, &file, time.Now()); err != nil || exp.Relayed != 0 {
		t.Fatalf("C to A: %+v %v", exp, err)
	}
}

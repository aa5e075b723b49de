package devicesync

import (
	"errors"
	"testing"

	"postdesk/internal/syncproto"
)

// Anything that answers at the hub's address (a captive portal, a
// misconfigured proxy, an attacker on the plain-HTTP path) can send a
// revocation, an ack or updates. Only what the enrolled hub key signed may
// change the device: the rest is a failed round, and the next round with
// the real hub syncs everything.
func TestUnsignedAnswersChangeNothing(t *testing.T) {
	for _, mode := range []string{"revoke", "revoke-foreign", "ack", "updates"} {
		t.Run(mode, func(t *testing.T) {
			h, url := startHub(t)
			s := newDevice(t, "600900", "A")
			c := enroll(t, s, h, url)
			intake(t, s, 3)
			before, _ := s.SyncState(ctx)
			h.mu.Lock()
			h.impostor = mode
			h.mu.Unlock()
			_, err := c.RunOnce(ctx)
			if err == nil {
				t.Fatalf("%s: a round with an impostor's answers succeeded", mode)
			}
			if errors.Is(err, ErrRevoked) {
				t.Fatalf("%s: the device took an answer not signed by its hub as a revocation: %v", mode, err)
			}
			st, err2 := s.SyncState(ctx)
			if err2 != nil {
				t.Fatal(err2)
			}
			if st.Revoked() {
				t.Fatalf("%s: the device is marked revoked (%q)", mode, st.RevokedReason)
			}
			// A forged order to lock and erase (signed by another key) locks nothing.
			if lock, err := s.Lock(ctx); err != nil || lock.Locked {
				t.Fatalf("%s: the device locked on an order its hub did not sign: %+v %v", mode, lock, err)
			}
			ackMoved := st.AckedThrough != before.AckedThrough && mode != "updates" // pushes went to the real hub
			if ackMoved || st.UpdateCursor != before.UpdateCursor {
				t.Fatalf("%s: acked %d→%d, cursor %d→%d on answers the hub did not sign", mode,
					before.AckedThrough, st.AckedThrough, before.UpdateCursor, st.UpdateCursor)
			}
			t.Logf("%s: %v", mode, err)
			// The real hub again: everything goes up.
			h.mu.Lock()
			h.impostor = ""
			h.mu.Unlock()
			if _, err := c.RunOnce(ctx); err != nil {
				t.Fatalf("%s: the next round with the real hub: %v", mode, err)
			}
			st, _ = s.SyncState(ctx)
			if last := countEvents(t, s); st.AckedThrough != last {
				t.Fatalf("%s: acked through %d of %d after the real hub answered", mode, st.AckedThrough, last)
			}
		})
	}
}

// A revocation signed by the hub for this device still stops it, and its
// order to lock and erase locks it.
func TestSignedRevocationStops(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 1)
	h.mu.Lock()
	h.devices["600900-A"].revoked = true
	h.mu.Unlock()
	if _, err := c.RunOnce(ctx); !errors.Is(err, ErrRevoked) {
		t.Fatalf("a signed revocation: %v", err)
	}
	if st, _ := s.SyncState(ctx); !st.Revoked() {
		t.Fatal("the device is not marked revoked")
	}
	if lock, err := s.Lock(ctx); err != nil || !lock.Locked || lock.Erased {
		t.Fatalf("the hub's signed order to lock and erase did not lock the device: %+v %v", lock, err)
	}
}

// The device keeps the hub's signed ack verbatim: read back, it verifies
// with the hub's key and says what the device recorded.
func TestAckKeptVerbatim(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 4)
	if _, err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := syncproto.ParseSigned(st.AckBlob)
	if err != nil {
		t.Fatalf("ack_blob (%d bytes) is not a signed message: %v", len(st.AckBlob), err)
	}
	ack, err := syncproto.OpenAck(st.HubSignKey, signed, "600900-A")
	if err != nil {
		t.Fatalf("the kept ack does not verify: %v", err)
	}
	if ack.ThroughSeq != st.AckedThrough || ack.LastHash != st.AckedHash || ack.ThroughSeq != countEvents(t, s) {
		t.Fatalf("kept ack through %d (%s), the device recorded %d (%s) of %d", ack.ThroughSeq, ack.LastHash,
			st.AckedThrough, st.AckedHash, countEvents(t, s))
	}
}

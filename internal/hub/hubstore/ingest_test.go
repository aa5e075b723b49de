package hubstore_test

import (
	"bytes"
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

func TestIngestStoresOnceAndAcks(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 5; i++ {
		d.Handover(d.Intake())
	}
	res, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 6), "http")
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 6 || res.Through != 6 {
		t.Fatalf("new %d through %d, want 6 and 6", res.New, res.Through)
	}
	a := hubtest.OpenAck(t, s, res.Ack, d.ID)
	if a.ThroughSeq != 6 || a.LastHash != d.Events[5].Hash {
		t.Fatalf("ack %+v", a)
	}
	// The same batch again: nothing changes and the very same ack comes back.
	before := hubtest.Snapshot(t, s)
	res2, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 6), "http")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(res2.Ack, res.Ack) || res2.New != 0 || res2.Duplicates != 1 {
		t.Fatalf("duplicate: new %d dup %d, same ack %v", res2.New, res2.Duplicates, bytes.Equal(res2.Ack, res.Ack))
	}
	if after := hubtest.Snapshot(t, s); after != before {
		t.Fatalf("a duplicate batch changed the store:\n%s\n%s", before, after)
	}
	// The rest.
	res3, err := s.ReceiveBatch(ctx, d.Batch(t, 7, 10), "http")
	if err != nil {
		t.Fatal(err)
	}
	if res3.Through != 10 || res3.New != 4 {
		t.Fatalf("second batch: %+v", res3)
	}
	if n := hubtest.CountRows(t, s, "hub_events"); n != 10 {
		t.Fatalf("%d events stored, want 10", n)
	}
	// The projection: five dossiers, the first four at the agency, the fifth received.
	var atAgency, received int
	hubtest.DB(t, s).QueryRow("SELECT count(*) FROM hub_dossiers WHERE state = 'at_agency' AND post_point_code = '600900'").Scan(&atAgency)
	hubtest.DB(t, s).QueryRow("SELECT count(*) FROM hub_dossiers WHERE state = 'received'").Scan(&received)
	if atAgency != 5 || received != 0 {
		t.Fatalf("projection: %d at agency, %d received", atAgency, received)
	}
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 10 || rep.Dossiers != 5 {
		t.Fatalf("check: %+v", rep)
	}
}

func TestIngestOverlapStoresOnlyNew(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 10; i++ {
		d.Intake()
	}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 6), "http"); err != nil {
		t.Fatal(err)
	}
	// The ack was lost; the device sends 1..10 again in one batch.
	res, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 10), "http")
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 4 || res.Through != 10 {
		t.Fatalf("overlap: %+v", res)
	}
	// A batch wholly below the head: acked through the head, nothing stored.
	res, err = s.ReceiveBatch(ctx, d.Batch(t, 3, 5), "http")
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 0 || res.Through != 10 {
		t.Fatalf("stale batch: %+v", res)
	}
	if n := hubtest.CountRows(t, s, "hub_events"); n != 10 {
		t.Fatalf("%d events, want 10", n)
	}
	if n := hubtest.CountRows(t, s, "conflicts"); n != 0 {
		t.Fatalf("%d conflicts", n)
	}
}

func TestIngestRefusalsStoreNothing(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 8; i++ {
		d.Intake()
	}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 4), "http"); err != nil {
		t.Fatal(err)
	}
	stranger := hubtest.NewDevice(t, "600900", "B") // never enrolled
	stranger.Intake()
	thief := hubtest.NewDevice(t, "600900", "A") // same id, another key
	thief.Events = d.Events
	flip := func(env []byte, at int) []byte {
		c := append([]byte(nil), env...)
		c[at] ^= 0x01
		return c
	}
	good := d.Batch(t, 5, 8)
	cases := []struct {
		name string
		env  []byte
		code string
	}{
		{"gap", d.Batch(t, 6, 8), syncproto.CodeGap},
		{"unknown device", stranger.Batch(t, 1, 1), syncproto.CodeUnknown},
		{"wrong key", thief.Batch(t, 5, 8), syncproto.CodeBadSignature},
		{"flipped byte in body", flip(good, len(good)-70), syncproto.CodeCorruptBody},
		{"flipped byte in signature", flip(good, len(good)-1), syncproto.CodeBadSignature},
		{"truncated", good[:len(good)-10], syncproto.CodeBadHeader},
		{"empty", nil, syncproto.CodeBadHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := hubtest.Snapshot(t, s)
			_, err := s.ReceiveBatch(ctx, c.env, "http")
			r := hubtest.WantCode(t, err, c.code)
			if c.code == syncproto.CodeGap && r.ExpectedSeq != 5 {
				t.Fatalf("gap: expected seq %d, want 5", r.ExpectedSeq)
			}
			if after := hubtest.Snapshot(t, s); after != before {
				t.Fatalf("refusal changed the store:\n%s\n%s", before, after)
			}
		})
	}
	// Refusals are noted for the web page.
	if n := hubtest.CountRows(t, s, "refusals"); n != len(cases) {
		t.Fatalf("%d refusals noted, want %d", n, len(cases))
	}
	// After all that the good batch still goes in.
	res, err := s.ReceiveBatch(ctx, good, "http")
	if err != nil || res.Through != 8 {
		t.Fatalf("good batch after refusals: %v %+v", err, res)
	}
}

func TestIngestBrokenChainRefused(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 4; i++ {
		d.Intake()
	}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 2), "http"); err != nil {
		t.Fatal(err)
	}
	// A device restored from an old backup forks: a new event 3 linked to a
	// different event 2 than the hub holds.
	fork := hubtest.NewDevice(t, "600900", "A")
	fork.Key = d.Key
	fork.Events = append([]domain.Event(nil), d.Events[:1]...)
	fork.Clock = d.Clock.Add(time.Hour)
	fork.N = 10
	fork.Intake() // seq 2, other content
	fork.Intake() // seq 3
	before := hubtest.Snapshot(t, s)
	_, err := s.ReceiveBatch(ctx, fork.Batch(t, 3, 3), "http")
	hubtest.WantCode(t, err, syncproto.CodeBrokenChain)
	if after := hubtest.Snapshot(t, s); after != before {
		t.Fatal("broken chain changed the store")
	}
}

func TestIngestConflictKept(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	for i := 0; i < 3; i++ {
		d.Intake()
	}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 3), "http"); err != nil {
		t.Fatal(err)
	}
	storedHash := d.Events[1].Hash
	fork := hubtest.NewDevice(t, "600900", "A")
	fork.Key = d.Key
	fork.Events = append([]domain.Event(nil), d.Events[:1]...)
	fork.Clock = d.Clock.Add(time.Hour)
	fork.N = 10
	fork.Intake()
	fork.Intake()
	fork.Intake()
	before := hubtest.Snapshot(t, s)
	_, err := s.ReceiveBatch(ctx, fork.Batch(t, 2, 4), "http")
	r := hubtest.WantCode(t, err, syncproto.CodeConflict)
	if !strings.Contains(r.Message, "seq 2") {
		t.Fatalf("conflict message does not name seq 2: %s", r.Message)
	}
	if after := hubtest.Snapshot(t, s); after != before {
		t.Fatal("a conflict stored events")
	}
	cs, err := s.Conflicts(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Seq != 2 || cs[0].StoredHash != storedHash || cs[0].ReceivedHash != fork.Events[1].Hash {
		t.Fatalf("conflicts: %+v", cs)
	}
	// Never overwritten: the hub still holds the original event 2.
	var h string
	hubtest.DB(t, s).QueryRow("SELECT hash FROM hub_events WHERE device_id = ? AND seq = 2", d.ID).Scan(&h)
	if h != storedHash {
		t.Fatal("the stored event was overwritten")
	}
	// The same conflicting batch again records nothing new.
	s.ReceiveBatch(ctx, fork.Batch(t, 2, 4), "http")
	if n := hubtest.CountRows(t, s, "conflicts"); n != 2 {
		t.Fatalf("%d conflict rows after a repeat, want 2", n)
	}
}

func TestIngestRevokedDevice(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	d.Intake()
	d.Intake()
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, 1), "http"); err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(ctx, d.ID, "tester", "lost laptop"); err != nil {
		t.Fatal(err)
	}
	before := hubtest.Snapshot(t, s)
	_, err := s.ReceiveBatch(ctx, d.Batch(t, 2, 2), "http")
	hubtest.WantCode(t, err, syncproto.CodeRevoked)
	_, err = s.Pull(ctx, d.ID, 0, 0)
	hubtest.WantCode(t, err, syncproto.CodeRevoked)
	if after := hubtest.Snapshot(t, s); after != before {
		t.Fatal("revoked device changed the store")
	}
	// What it sent before stays.
	if n := hubtest.CountRows(t, s, "hub_events"); n != 1 {
		t.Fatalf("%d events", n)
	}
	if err := s.Revoke(ctx, "600900-Z", "tester", ""); err != hubstore.ErrNotFound {
		t.Fatalf("revoking an unknown device: %v", err)
	}
}

func TestEnrollment(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	tok, err := s.IssueToken(ctx, "600900", "counter PC", "tester")
	if err != nil {
		t.Fatal(err)
	}
	pub := d.Key.Public().(ed25519.PublicKey)
	en := hubstore.Enrollment{Token: strings.ToLower(tok.Token), DeviceID: d.ID, PublicKey: pub, AgeRecipient: d.Age.Recipient().String()}
	// A token for another post point is refused.
	other := en
	other.DeviceID = "600901-A"
	_, err = s.Enroll(ctx, other)
	hubtest.WantCode(t, err, syncproto.CodeWrongPoint)
	dev, err := s.Enroll(ctx, en) // lower case and all: tokens are typed by hand
	if err != nil {
		t.Fatal(err)
	}
	if dev.PostPointCode != "600900" || !bytes.Equal(dev.PublicKey, pub) {
		t.Fatalf("enrolled %+v", dev)
	}
	// The same enrollment again (its answer was lost): fine.
	if _, err := s.Enroll(ctx, en); err != nil {
		t.Fatalf("repeat enrollment: %v", err)
	}
	// The token is spent for anyone else.
	thief := hubtest.NewDevice(t, "600900", "B")
	_, err = s.Enroll(ctx, hubstore.Enrollment{Token: tok.Token, DeviceID: thief.ID, PublicKey: thief.Key.Public().(ed25519.PublicKey),
		AgeRecipient: thief.Age.Recipient().String()})
	hubtest.WantCode(t, err, syncproto.CodeBadToken)
	// Another key for an enrolled id is refused, even with a fresh token.
	tok2, _ := s.IssueToken(ctx, "600900", "", "tester")
	_, err = s.Enroll(ctx, hubstore.Enrollment{Token: tok2.Token, DeviceID: d.ID, PublicKey: thief.Key.Public().(ed25519.PublicKey)})
	hubtest.WantCode(t, err, syncproto.CodeAlreadyTaken)
	// Unknown and expired tokens.
	_, err = s.Enroll(ctx, hubstore.Enrollment{Token: "NOPE-NOPE", DeviceID: thief.ID, PublicKey: thief.Key.Public().(ed25519.PublicKey)})
	hubtest.WantCode(t, err, syncproto.CodeBadToken)
	now = now.Add(hubstore.TokenTTL + time.Minute)
	_, err = s.Enroll(ctx, hubstore.Enrollment{Token: tok2.Token, DeviceID: thief.ID, PublicKey: thief.Key.Public().(ed25519.PublicKey)})
	r := hubtest.WantCode(t, err, syncproto.CodeBadToken)
	if !strings.Contains(r.Message, "expired") {
		t.Fatalf("expired token: %s", r.Message)
	}
	// Only the hash of a token is kept.
	var n int
	hubtest.DB(t, s).QueryRow("SELECT count(*) FROM enrollment_tokens WHERE token_hash = ? OR token_hash = ?", tok.Token, hubstore.NormalizeToken(tok.Token)).Scan(&n)
	if n != 0 {
		t.Fatal("a token is stored in clear")
	}
	// Every device learns the new device's key.
	ups, err := s.Pull(ctx, d.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Items) != 1 || ups.Items[0].Kind != syncproto.UpdateDeviceKey {
		t.Fatalf("updates after enrollment: %+v", ups.Items)
	}
}

package devicesync

import (
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// ownBatch is s's own events after seq as a signed envelope.
func ownBatch(t testing.TB, s *store.Store, after int64, max int) *syncproto.Batch {
	t.Helper()
	dev, pp, err := s.Device(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.EventsAfter(ctx, dev.ID(), after, max)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := s.EventHash(ctx, dev.ID(), after)
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, prev, after+1, events, 0, time.Now(), max, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// knows gives s the public key of other, as the hub's key updates do.
func knows(t testing.TB, s, other *store.Store) {
	t.Helper()
	dev, _, _ := other.Device(ctx)
	key, err := other.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutDeviceKey(ctx, dev.ID(), dev.PostPointCode, key.Public().(ed25519.PublicKey), time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func refusedWith(t *testing.T, s *store.Store, bs []*syncproto.Batch, code string) {
	t.Helper()
	res, err := ApplyPeerBatches(ctx, s, bs, "file")
	if err != nil {
		t.Fatal(err)
	}
	if res.Refused != 1 || res.Events != 0 {
		t.Fatalf("want one refusal (%s), got %+v", code, res)
	}
	refs, err := s.PeerRefusals(ctx, 1)
	if err != nil || len(refs) != 1 || refs[0].Code != code {
		t.Fatalf("refusal noted: %+v %v, want %s", refs, err, code)
	}
}

// TestPeerBatches: a peer's signed batches are stored under their origin,
// once, and its dossiers appear; a batch whose signature, chain, post point
// or key fails is refused whole and noted, leaving nothing behind.
func TestPeerBatches(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	other := newDevice(t, "600901", "A")
	ids := intake(t, b, 4) // 6 events
	first := ownBatch(t, b, 0, 3)
	second := ownBatch(t, b, 3, 10)

	// Unknown key: refused until the hub's key update brings it.
	refusedWith(t, a, []*syncproto.Batch{first}, "unknown_key")
	knows(t, a, b)
	knows(t, a, other)
	// Out of order: the second cannot link yet.
	refusedWith(t, a, []*syncproto.Batch{second}, "gap")
	// Signed by someone else (B's header, another key).
	_, forger, _ := ed25519.GenerateKey(nil)
	evs, _ := b.EventsAfter(ctx, "600900-B", 0, 3)
	forged, _, err := syncproto.EncodeBatch(forger, "600900-B", "600900", "", 1, evs, 0, time.Now(), 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	refusedWith(t, a, []*syncproto.Batch{forged}, "bad_signature")
	// Another post point's device.
	intake(t, other, 1)
	refusedWith(t, a, []*syncproto.Batch{ownBatch(t, other, 0, 10)}, "foreign")
	// A's own events handed back to it.
	intake(t, a, 1)
	knows(t, a, a)
	refusedWith(t, a, []*syncproto.Batch{ownBatch(t, a, 0, 10)}, "own")
	if n := countEventsOf(t, a, "600900-B"); n != 0 {
		t.Fatalf("refusals left %d events of B", n)
	}

	res, err := ApplyPeerBatches(ctx, a, []*syncproto.Batch{first, second, first, second}, "hub")
	if err != nil || res.Events != 6 || res.Refused != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := countEventsOf(t, a, "600900-B"); n != 6 {
		t.Fatalf("A holds %d events of B, want 6", n)
	}
	for _, id := range ids {
		d, err := a.Dossier(ctx, id)
		if err != nil || d.DeviceID != "600900-B" {
			t.Fatalf("%s on A: %+v %v", id, d, err)
		}
	}
	if _, err := a.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// A acts on B's dossier; its event is A's own, after B's.
	if _, _, err := a.Record(ctx, "gdv1", domain.KindHandover, ids[1], domain.HandoverPayload{HandoverID: "BB-A", Officer: "Lê Thu"}); err != nil {
		t.Fatal(err)
	}
	knows(t, b, a)
	res, err = ApplyPeerBatches(ctx, b, []*syncproto.Batch{ownBatch(t, a, 0, 10)}, "hub")
	if err != nil || res.Refused != 0 {
		t.Fatalf("%+v %v", res, err)
	}
	if d, err := b.Dossier(ctx, ids[1]); err != nil || d.State != domain.StateAtAgency {
		t.Fatalf("B sees %+v %v", d, err)
	}
	if _, err := b.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestPeerStreamFraming: a peer stream cut short or with bytes after it is refused.
func TestPeerStreamFraming(t *testing.T) {
	b := newDevice(t, "600900", "B")
	intake(t, b, 2)
	env := ownBatch(t, b, 0, 10)
	data := syncproto.EncodePeerStream([][]byte{env.Raw}, true)
	got, more, err := syncproto.DecodePeerStream(data)
	if err != nil || len(got) != 1 || !more {
		t.Fatalf("%d %v %v", len(got), more, err)
	}
	for _, bad := range [][]byte{data[:len(data)-1], data[:len(data)/2], append(append([]byte{}, data...), 0)} {
		var pe *syncproto.Error
		if _, _, err := syncproto.DecodePeerStream(bad); !errors.As(err, &pe) {
			t.Fatalf("a damaged stream of %d bytes decoded: %v", len(bad), err)
		}
	}
	tampered := append([]byte{}, env.Raw...)
	tampered[len(tampered)-100] ^= 1
	if _, _, err := syncproto.DecodePeerStream(syncproto.EncodePeerStream([][]byte{tampered}, false)); err == nil {
		t.Fatal("a tampered envelope decoded")
	}
}

func countEventsOf(t *testing.T, s *store.Store, device string) int {
	t.Helper()
	n, err := s.LastSeq(ctx, device)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestPeerConflictListedAndResolved: A hands B's dossier over while B
// cancels it; each takes the other's batch. Both end at_agency with B's
// cancel kept as a conflict, listed on the home screen's data (Todo); a
// supervisor's resolution on A, taken by B, settles it on both.
func TestPeerConflictListedAndResolved(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	knows(t, a, b)
	knows(t, b, a)
	d, err := b.Intake(ctx, "gdv1", dossier("Siu Thị Hằng", "064301007701"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyPeerBatches(ctx, a, []*syncproto.Batch{ownBatch(t, b, 0, 10)}, "hub"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Record(ctx, "gdv1", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BB-A", Officer: "Lê Thu"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Record(ctx, "gdv2", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyPeerBatches(ctx, a, []*syncproto.Batch{ownBatch(t, b, 1, 10)}, "hub"); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyPeerBatches(ctx, b, []*syncproto.Batch{ownBatch(t, a, 0, 10)}, "hub"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*store.Store{a, b} {
		got, err := s.Dossier(ctx, d.ID)
		if err != nil || got.State != domain.StateAtAgency || !got.InConflict() || got.Conflicts[0].Kind != domain.KindCancel {
			t.Fatalf("%+v %v", got, err)
		}
		td, err := s.Todo(ctx, time.Now())
		if err != nil || td.Counts["conflict"] != 1 || len(td.Conflicts) != 1 || td.Conflicts[0].ID != d.ID {
			t.Fatalf("home screen data: %+v %v", td, err)
		}
		if _, err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	dk := desk.New(a)
	if _, err := dk.ResolveConflict(ctx, desk.Actor{Username: "gdv1", Role: domain.RoleClerk}, d.ID, "x"); err == nil {
		t.Fatal("a clerk settled a conflict")
	}
	if _, err := dk.ResolveConflict(ctx, desk.Actor{Username: "truong", Role: domain.RoleSupervisor}, d.ID, " "); err == nil {
		t.Fatal("a resolution without a note was taken")
	}
	if _, err := dk.ResolveConflict(ctx, desk.Actor{Username: "truong", Role: domain.RoleSupervisor}, d.ID, "đã gọi công dân"); err != nil {
		t.Fatal(err)
	}
	if _, err := dk.ResolveConflict(ctx, desk.Actor{Username: "truong", Role: domain.RoleSupervisor}, d.ID, "lần nữa"); err == nil {
		t.Fatal("a settled dossier was settled again")
	}
	headA, _ := b.LastSeq(ctx, "600900-A")
	if _, err := ApplyPeerBatches(ctx, b, []*syncproto.Batch{ownBatch(t, a, headA, 10)}, "hub"); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*store.Store{a, b} {
		got, _ := s.Dossier(ctx, d.ID)
		td, _ := s.Todo(ctx, time.Now())
		if got.InConflict() || td.Counts["conflict"] != 0 {
			t.Fatalf("still in conflict: %+v", got.Conflicts)
		}
		if _, err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPeerSettingsShared: the post point's settings set on one device reach
// the others (tariff, targets, days off, hotline…), what belongs to a device
// (printer, backup folder, language) stays, and two changes give the same
// shared settings on a third device in either arrival order: the later by
// (at, device) wins.
func TestPeerSettingsShared(t *testing.T) {
	a, b := newDevice(t, "600900", "A"), newDevice(t, "600900", "B")
	c1, c2 := newDevice(t, "600900", "C"), newDevice(t, "600900", "C")
	for _, s := range []*store.Store{a, b, c1, c2} {
		for _, o := range []*store.Store{a, b} {
			if s != o {
				knows(t, s, o)
			}
		}
	}
	st, _ := b.Settings(ctx)
	st.Printer, st.BackupFolder = "HP-quay", "/media/usb"
	if err := b.SaveSettings(ctx, "truong", st); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Settings(ctx)
	st.Hotline, st.WaitingDays, st.Holidays = "0269 3822 222", 9, []string{"25/12/2026"}
	st.Targets.DossiersViaBCCI = 12
	st.Printer = "Máy in của A"
	if err := a.SaveSettings(ctx, "truong", st); err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyPeerBatches(ctx, b, []*syncproto.Batch{ownBatch(t, a, 0, 100)}, "hub"); err != nil {
		t.Fatal(err)
	}
	got, _ := b.Settings(ctx)
	if got.Hotline != "0269 3822 222" || got.WaitingDays != 9 || got.Targets.DossiersViaBCCI != 12 || len(got.Holidays) != 1 {
		t.Fatalf("B did not take A's shared settings: %+v", got)
	}
	if got.Printer != "HP-quay" || got.BackupFolder != "/media/usb" {
		t.Fatalf("B's own settings changed: printer %q folder %q", got.Printer, got.BackupFolder)
	}
	// B changes the targets after seeing A's change.
	got.Targets.ResultsViaBCCI = 20
	if err := b.SaveSettings(ctx, "truong", got); err != nil {
		t.Fatal(err)
	}
	fromA, fromB := ownBatch(t, a, 0, 100), ownBatch(t, b, 0, 100)
	for i, order := range [][]*syncproto.Batch{{fromA, fromB}, {fromB, fromA}} {
		s := []*store.Store{c1, c2}[i]
		for _, bt := range order {
			if res, err := ApplyPeerBatches(ctx, s, []*syncproto.Batch{bt}, "hub"); err != nil || res.Refused != 0 {
				t.Fatalf("%+v %v", res, err)
			}
		}
	}
	s1, _ := c1.Settings(ctx)
	s2, _ := c2.Settings(ctx)
	if s1.Targets != s2.Targets || s1.Targets.ResultsViaBCCI != 20 || s1.Hotline != "0269 3822 222" || s1.Printer != "" {
		t.Fatalf("the third device's shared settings depend on the order:\n%+v\n%+v", s1, s2)
	}
	if _, err := ApplyPeerBatches(ctx, a, []*syncproto.Batch{fromB}, "hub"); err != nil {
		t.Fatal(err)
	}
	if sa, _ := a.Settings(ctx); sa.Targets.ResultsViaBCCI != 20 || sa.Printer != "Máy in của A" {
		t.Fatalf("A: %+v", sa)
	}
}

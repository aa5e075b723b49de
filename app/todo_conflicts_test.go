package app

import (
	"crypto/ed25519"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"postdesk/i18n"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// peerBatch is s's own events after seq as a signed envelope.
func peerBatch(t *testing.T, s *store.Store, after int64) *syncproto.Batch {
	t.Helper()
	dev, pp, _ := s.Device(t.Context())
	key, err := s.DeviceKey(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	events, _ := s.EventsAfter(t.Context(), dev.ID(), after, 100)
	prev, _ := s.EventHash(t.Context(), dev.ID(), after)
	b, _, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, prev, after+1, events, 0, time.Now(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHomeListsConflicts: a dossier this device handed over while the
// laptop cancelled it is listed on the home screen, with the move kept
// aside; the supervisor settles it from there with a note.
func TestHomeListsConflicts(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	ctx := u.Ctx
	_, pp, _ := u.Store.Device(ctx)
	laptop, err := store.Open(filepath.Join(t.TempDir(), "laptop.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer laptop.Close()
	if err := laptop.Setup(ctx, pp, "Z"); err != nil {
		t.Fatal(err)
	}
	key, _ := laptop.DeviceKey(ctx)
	if err := u.Store.PutDeviceKey(ctx, pp.Code+"-Z", pp.Code, key.Public().(ed25519.PublicKey), time.Time{}); err != nil {
		t.Fatal(err)
	}
	procs, _ := u.Store.Procedures(ctx)
	var p domain.Procedure
	for _, x := range procs {
		if x.BCCIIntake && x.AgencyCode != "" {
			p = x
			break
		}
	}
	d, err := laptop.Intake(ctx, "buuta1", domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: p.Code, AgencyCode: p.AgencyCode,
		Applicant: domain.Person{FullName: "Siu Thị Hằng", IDNumber: "064301007701", IDType: domain.IDCCCD}, Place: domain.PlaceHome,
		ReturnMethod: domain.ReturnByPost, ReturnAddress: "Ia O"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := devicesync.ApplyPeerBatches(ctx, u.Store, []*syncproto.Batch{peerBatch(t, laptop, 0)}, "hub"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := u.Store.Record(ctx, "gdv1", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BB-1", Officer: "Lê Thu"}); err != nil {
		t.Fatal(err)
	}
	// The laptop, apart, cancels later by its clock.
	laptop.Now = func() time.Time { return time.Now().Add(time.Hour) }
	if _, _, err := laptop.Record(ctx, "buuta1", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	if _, err := devicesync.ApplyPeerBatches(ctx, u.Store, []*syncproto.Batch{peerBatch(t, laptop, 1)}, "hub"); err != nil {
		t.Fatal(err)
	}

	u.Show("home")
	titles := cardTitles(u.Win.Canvas().Content())
	if !hasPrefix(titles, strings.SplitN(i18n.T("todo.conflict.title"), "(", 2)[0]) {
		t.Fatalf("home lacks the conflicts; cards %v", titles)
	}
	test.Tap(findButton(t, u.Win.Canvas().Content(), i18n.T("todo.conflict.resolve")))
	test.Type(u.Win.Canvas().Focused(), "đã gọi công dân")
	u.Win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	got, err := u.Store.Dossier(ctx, d.ID)
	if err != nil || got.InConflict() || got.State != domain.StateAtAgency {
		t.Fatalf("after settling: %+v %v", got, err)
	}
	if titles := cardTitles(u.Win.Canvas().Content()); hasPrefix(titles, strings.SplitN(i18n.T("todo.conflict.title"), "(", 2)[0]) {
		t.Fatalf("still listed: %v", titles)
	}
}

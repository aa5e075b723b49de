package e2e

import (
	"context"
	"testing"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"

	"postdesk/internal/hub/hubtest"
)

// TestConcurrentMovesSameEverywhere: the counter (A) and the laptop (B)
// both hold B's dossier; apart, A hands it over while B cancels it. After
// both sync, in either order, A, B and the hub hold the same dossier (the
// first move wins), it is in conflict on all three, and the supervisor's
// resolution on A reaches B and the hub. check passes everywhere.
func TestConcurrentMovesSameEverywhere(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600900", "A", 5, 1)
	b := newDevice(t, dir, "600900", "B", 5, 2)
	a.enroll(h, h.URL)
	b.enroll(h, h.URL)
	ids := b.intakes(1, "Rơ Mah H'Bích", "0643010088")
	b.syncUntilQuiet()
	a.syncUntilQuiet()
	id := ids[0]
	ctx := context.Background()
	// Apart: A hands it over first, B cancels it later.
	sa := a.open()
	if _, _, err := sa.Record(ctx, "gdv1", domain.KindHandover, id, domain.HandoverPayload{HandoverID: "BG-A", Officer: "Lê Thu"}); err != nil {
		t.Fatal(err)
	}
	sa.Close()
	sb := b.open()
	if _, _, err := sb.Record(ctx, "buuta1", domain.KindCancel, id, domain.ReasonPayload{Reason: "công dân rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	sb.Close()
	for _, d := range []*device{b, a, b} { // B's cancel reaches the hub before A's handover
		d.syncUntilQuiet()
	}
	same := func(want bool) {
		t.Helper()
		da, db := a.dossier(id), b.dossier(id)
		if da.State != domain.StateAtAgency || db.State != da.State || da.InConflict() != want || db.InConflict() != want ||
			len(da.Conflicts) != 1 || da.Conflicts[0].Kind != domain.KindCancel || len(db.Conflicts) != 1 {
			t.Fatalf("A %s %v %+v; B %s %v %+v", da.State, da.InConflict(), da.Conflicts, db.State, db.InConflict(), db.Conflicts)
		}
		hub := hubDB(t, hubPath)
		waitProjected(t, hub)
		var state string
		var inConflict int
		if err := hub.QueryRow("SELECT state, in_conflict FROM hub_dossiers WHERE id = ?", id).Scan(&state, &inConflict); err != nil {
			t.Fatal(err)
		}
		if state != string(da.State) || (inConflict == 1) != want {
			t.Fatalf("hub: %s in_conflict=%d", state, inConflict)
		}
		// What the hub's conflicts page lists.
		hs, err := hubstore.Open(hubPath)
		if err != nil {
			t.Fatal(err)
		}
		listed, err := hs.ConflictedDossiers(ctx, 10)
		hs.Close()
		if err != nil || (len(listed) == 1) != want || (want && (listed[0].ID != id || listed[0].Moves[0].Kind != domain.KindCancel)) {
			t.Fatalf("hub's list: %+v %v", listed, err)
		}
		assertExactlyOnce(t, hubPath, a, b)
	}
	same(true)
	// The supervisor settles it on A.
	sa = a.open()
	dk := desk.New(sa)
	if _, err := dk.ResolveConflict(ctx, desk.Actor{Username: "truong", Role: domain.RoleSupervisor}, id, "đã gọi công dân: hồ sơ vẫn gửi đi"); err != nil {
		t.Fatal(err)
	}
	sa.Close()
	a.syncUntilQuiet()
	b.syncUntilQuiet()
	same(false)
}

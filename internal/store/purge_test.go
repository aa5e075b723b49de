package store

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/vault"
)

// figures is what the reports count of every dossier: purging must not change it.
func figures(t testing.TB, s *Store) string {
	t.Helper()
	rows, err := s.db.Query(`SELECT id, state, option, procedure_code, agency_code, commune, official_code, received_at, due_date, updated_at
		FROM dossiers ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var f [10]string
		if err := rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9]); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, strings.Join(f[:], "|"))
	}
	var counts string
	s.db.QueryRow("SELECT group_concat(state || '=' || n, ',') FROM (SELECT state, n FROM dossier_state_counts ORDER BY state)").Scan(&counts)
	return b.String() + counts
}

func dbBytes(t testing.TB, s *Store) []byte {
	t.Helper()
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(s.path + "-wal")
	return append(b, wal...)
}

// TestPurgeRemovesPersonalDataKeepsFigures: after the retention, a
// delivered and a cancelled dossier lose names, ID numbers, phones,
// addresses, notes and proof files — in the projection, the events and the
// file's bytes — while an open one keeps them; the figures are unchanged,
// check passes, a dry run changes nothing and a second purge nothing more;
// a redacted event changed afterwards fails check.
func TestPurgeRemovesPersonalDataKeepsFigures(t *testing.T) {
	s := newTestStore(t)
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	delivered, _, _ := deliveredWithProofs(t, s) // Siu Thị Hằng, 064190000000
	mk := func(name, id, phone string) *domain.Dossier {
		d := sampleDossier(name, id, phone)
		d.Applicant.Address, d.Notes, d.ReturnAddress = "Thôn Plei Ơi", "gọi trước khi giao", "Thôn Plei Ơi, Ia Grai"
		got, err := s.Intake(ctx, "gdv1", d)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	cancelled := mk("Rơ Châm Thuyết", "064301777001", "0977001122")
	if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, cancelled.ID, domain.ReasonPayload{Reason: "Công dân rút hồ sơ"}); err != nil {
		t.Fatal(err)
	}
	open := mk("Kpă Hơ Nia", "064301888002", "0966002233")
	proofs, _ := os.ReadDir(s.ProofsDir())
	if len(proofs) != 2 {
		t.Fatalf("%d proof files, want 2", len(proofs))
	}
	before := figures(t, s)
	events := countEvents(t, s)

	// Inside the retention: nothing is due.
	if rep, err := s.Purge(ctx, "truong", true); err != nil || len(rep.Dossiers) != 0 || rep.Days != domain.DefaultRetentionDays {
		t.Fatalf("inside the retention: %+v %v", rep, err)
	}
	later := time.Date(2027, 12, 1, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { later = later.Add(time.Second); return later }
	rep, err := s.Purge(ctx, "truong", true)
	if err != nil || strings.Join(rep.Dossiers, ",") != delivered.ID+","+cancelled.ID || !rep.DryRun {
		t.Fatalf("dry run: %+v %v", rep, err)
	}
	if countEvents(t, s) != events || figures(t, s) != before {
		t.Fatal("a dry run changed the database")
	}

	rep, err = s.Purge(ctx, "truong", false)
	if err != nil || len(rep.Dossiers) != 2 || rep.Proofs != 2 || rep.Events < 3 {
		t.Fatalf("purge: %+v %v", rep, err)
	}
	if got := countEvents(t, s); got != events+2 {
		t.Fatalf("%d events after the purge, want %d (one purge record per dossier)", got, events+2)
	}
	if after := figures(t, s); after != before {
		t.Fatalf("figures changed:\nbefore %s\nafter  %s", before, after)
	}
	mustCheck(t, s)
	for _, id := range []string{delivered.ID, cancelled.ID} {
		d, err := s.Dossier(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !d.PersonalDataPurged || d.Applicant.FullName != "" || d.Applicant.IDNumber != "" || d.Applicant.Phone != "" ||
			d.Applicant.Address != "" || d.Notes != "" || d.ReturnAddress != "" || d.Applicant.Commune != "Ia Grai" {
			t.Fatalf("%s after the purge: %+v", id, d.Applicant)
		}
		if p := d.Delivery; p != nil && (p.RecipientID != "" || p.RecipientName != "" || p.SignatureFile != "" || p.PhotoFile != "") {
			t.Fatalf("%s delivery after the purge: %+v", id, p)
		}
	}
	if left, _ := os.ReadDir(s.ProofsDir()); len(left) != 0 {
		t.Fatalf("%d proof files left", len(left))
	}
	if rows, err := s.Search(ctx, "064301777001", 10); err != nil || len(rows) != 0 {
		t.Fatalf("the purged CCCD is still found: %v %v", rows, err)
	}
	if rows, err := s.Search(ctx, open.Applicant.IDNumber, 10); err != nil || len(rows) != 1 {
		t.Fatalf("the open dossier's CCCD is not found: %v %v", rows, err)
	}
	raw := dbBytes(t, s)
	// The open dossier shares the address and the note: only the purged ones' own data is looked for.
	for _, gone := range []string{"064190000000", "Siu Thị Hằng", "064301777001", "Rơ Châm Thuyết", "0977001122"} {
		if bytes.Contains(raw, []byte(gone)) {
			t.Errorf("the database file still holds %q", gone)
		}
	}
	if !bytes.Contains(raw, []byte("064301888002")) || !bytes.Contains(raw, []byte("Kpă Hơ Nia")) {
		t.Error("the open dossier's data is gone from the file")
	}

	// Again: nothing more.
	events = countEvents(t, s)
	if rep, err := s.Purge(ctx, "truong", false); err != nil || len(rep.Dossiers) != 0 || countEvents(t, s) != events {
		t.Fatalf("second purge: %+v %v", rep, err)
	}
	mustCheck(t, s)

	// A redacted event changed afterwards: check names it.
	if _, err := s.db.Exec("UPDATE events SET payload = CAST(? AS BLOB) WHERE dossier = ? AND kind = ?",
		`{"forged":true}`, cancelled.ID, string(domain.KindIntake)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "changed since the purge") {
		t.Fatalf("check after changing a redacted event: %v", err)
	}
	// Nor may a purge's permission be used to change anything but the payload.
	if _, err := s.db.Exec("UPDATE events SET staff = 'x' WHERE dossier = ? AND kind = ?", cancelled.ID, string(domain.KindIntake)); err == nil {
		t.Fatal("a redacted event's staff was changed")
	}
	if _, err := s.db.Exec("UPDATE events SET payload = x'' WHERE dossier = ?", open.ID); err == nil {
		t.Fatal("an event not redacted was changed")
	}
}

// TestPurgeWaitsForTheHub: a due dossier with events the hub has not
// acknowledged is not purged (its events must reach the hub as written).
func TestPurgeWaitsForTheHub(t *testing.T) {
	s := newTestStore(t)
	d, err := s.Intake(ctx, "gdv1", sampleDossier("Rơ Châm Thuyết", "064301777001", "0977001122"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút"}); err != nil {
		t.Fatal(err)
	}
	enrollForTest(t, s)
	later := time.Date(2027, 12, 1, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { return later }
	rep, err := s.Purge(ctx, "truong", false)
	if err != nil || len(rep.Dossiers) != 0 || strings.Join(rep.Waiting, ",") != d.ID {
		t.Fatalf("unacknowledged: %+v %v", rep, err)
	}
	last, _ := s.LastSeq(ctx, "553140-A")
	if _, err := s.db.Exec("UPDATE sync_state SET acked_through_seq = ?", last); err != nil {
		t.Fatal(err)
	}
	if rep, err = s.Purge(ctx, "truong", false); err != nil || strings.Join(rep.Dossiers, ",") != d.ID {
		t.Fatalf("acknowledged: %+v %v", rep, err)
	}
	mustCheck(t, s)
}

const purgeChildEnv = "POSTDESK_PURGE_CHILD_DB"

// purgeChild purges (retention 1 day, the real clock) until done.
func purgeChild(path string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	if _, err := s.Purge(ctx, "truong", false); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestPurgeSurvivesAKill kills a purging process at random moments: each
// dossier is afterwards purged whole (every event redacted, its purge
// record written, its projection purged) or not at all, check passes, and
// the next run purges the rest.
func TestPurgeSurvivesAKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes")
	}
	s := newTestStore(t)
	var ids []string
	for i := 0; i < 150; i++ {
		d, err := s.Intake(ctx, "gdv1", sampleDossier(fmt.Sprintf("Nguyễn Văn Số %d", i), fmt.Sprintf("0643%08d", i), "0905123456"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút"}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	if err := s.SetRetentionDays(ctx, "truong", 1); err != nil {
		t.Fatal(err)
	}
	path := s.path
	s.Close()
	partial := 0
	for round := 0; round < 5; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), purgeChildEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(60+50*round) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("child: %s", stderr.String())
		}
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		mustCheck(t, s)
		purged := 0
		for _, id := range ids {
			d, err := s.Dossier(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			evs, _ := s.DossierEvents(ctx, id)
			var records int
			if err := s.db.QueryRow("SELECT count(*) FROM events WHERE kind = ? AND instr(CAST(payload AS TEXT), ?) > 0", string(domain.KindPurge), `"`+id+`"`).Scan(&records); err != nil {
				t.Fatal(err)
			}
			intake := string(evs[0].Payload)
			whole := d.PersonalDataPurged && d.Applicant.FullName == "" && !strings.Contains(intake, "Nguyễn") && records == 1
			none := !d.PersonalDataPurged && d.Applicant.FullName != "" && strings.Contains(intake, "Nguyễn") && records == 0
			if !whole && !none {
				t.Fatalf("round %d: %s is half purged (projection %v, intake %q, records %d)", round, id, d.PersonalDataPurged, intake, records)
			}
			if whole {
				purged++
			}
		}
		t.Logf("round %d: %d of %d purged", round, purged, len(ids))
		if purged > 0 && purged < len(ids) {
			partial++
		}
		s.Close()
	}
	if partial == 0 {
		t.Log("no kill landed mid-purge this time")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Purge(ctx, "truong", false); err != nil {
		t.Fatal(err)
	}
	if rep, _ := s.Purge(ctx, "truong", true); len(rep.Dossiers) != 0 {
		t.Fatalf("%d dossiers left after the last run", len(rep.Dossiers))
	}
	mustCheck(t, s)
}

func enrollForTest(t testing.TB, s *Store) {
	t.Helper()
	hub, _ := vault.NewKey()
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := s.SaveEnrollment(ctx, Enrollment{HubURL: "http://127.0.0.1:1", HubSignKey: pub, HubAgeRecipient: hub.Recipient().String(),
		EnrolledAt: s.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestAutoPurgeDaily: the app's automatic purge runs at start, then not
// again within a day, then again.
func TestAutoPurgeDaily(t *testing.T) {
	s := newTestStore(t)
	d, err := s.Intake(ctx, "gdv1", sampleDossier("Rơ Châm Thuyết", "064301777001", "0977001122"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { return now }
	if rep, ran, err := s.AutoPurge(ctx); err != nil || !ran || len(rep.Dossiers) != 0 {
		t.Fatalf("first run: %+v %v %v", rep, ran, err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindCancel, d.ID, domain.ReasonPayload{Reason: "rút"}); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(1, 1, 0)
	if rep, ran, err := s.AutoPurge(ctx); err != nil || !ran || strings.Join(rep.Dossiers, ",") != d.ID {
		t.Fatalf("a year later: %+v %v %v", rep, ran, err)
	}
	now = now.Add(23 * time.Hour)
	if _, ran, err := s.AutoPurge(ctx); err != nil || ran {
		t.Fatalf("within a day: ran %v %v", ran, err)
	}
	now = now.Add(time.Hour)
	if _, ran, err := s.AutoPurge(ctx); err != nil || !ran {
		t.Fatalf("a day later: ran %v %v", ran, err)
	}
}

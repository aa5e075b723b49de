package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/internal/domain"
	"postdesk/internal/vault"
)

// giveRecoveryKey makes a recovery key for s and returns its secret.
func giveRecoveryKey(t testing.TB, s *Store) *age.X25519Identity {
	t.Helper()
	id, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRecoveryRecipient(ctx, id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	return id
}

// enrollAtFakeHub records an enrollment at a hub whose age identity is returned.
func enrollAtFakeHub(t testing.TB, s *Store) *age.X25519Identity {
	t.Helper()
	hub, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SaveEnrollment(ctx, Enrollment{HubURL: "https://127.0.0.1:1", HubName: "hub", HubSignKey: make([]byte, 32),
		HubAgeRecipient: hub.Recipient().String(), EnrolledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return hub
}

var backupSeeds = []struct{ name, folded, id, phone string }{
	{"Nguyễn Văn Bình", "nguyen van binh", "064090000123", "0905123456"},
	{"Rơ Mah H'Bích", "ro mah h'bich", "064301000045", "0356789012"},
	{"Lê Thị Cúc", "le thi cuc", "064190000124", "0905123457"},
}

func TestBackupIsEncryptedAndRestoresWithEitherKey(t *testing.T) {
	s := newTestStore(t)
	var ids []string
	for _, p := range backupSeeds {
		d, err := s.Intake(ctx, "c", sampleDossier(p.name, p.id, p.phone))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	dir := t.TempDir()
	if err := s.Backup(ctx, filepath.Join(dir, "none"+BackupExt)); !errors.Is(err, ErrNoRecoveryKey) {
		t.Fatalf("backup without a recovery key: %v, want ErrNoRecoveryKey", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused backup left %v", entries)
	}
	recovery := giveRecoveryKey(t, s)
	hub := enrollAtFakeHub(t, s)
	file, err := s.AutoBackup(ctx, dir, 2)
	if err != nil || file == "" {
		t.Fatalf("auto backup: %q %v", file, err)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !vault.IsSealed(raw) {
		t.Fatalf("backup starts %q, not an age file", raw[:min(len(raw), 30)])
	}
	lower := bytes.ToLower(raw)
	for _, p := range backupSeeds {
		for _, needle := range []string{p.name, domain.Fold(p.name), p.folded, strings.ReplaceAll(p.folded, " ", ""), p.id, p.phone} {
			if needle != "" && bytes.Contains(lower, bytes.ToLower([]byte(needle))) {
				t.Fatalf("the backup holds %q in plain text", needle)
			}
		}
	}
	for _, e := range mustReadDir(t, filepath.Dir(s.Path())) {
		if strings.HasPrefix(e, ".backup-") {
			t.Fatalf("the plain copy %s was left beside the database", e)
		}
	}
	s.Intake(ctx, "c", sampleDossier("Đinh Văn Mới", "064090000999", "0905999999")) // after the backup
	for name, key := range map[string]age.Identity{"recovery": recovery, "hub": hub} {
		target := filepath.Join(t.TempDir(), "restored.db")
		res, err := Restore(ctx, target, file, []age.Identity{key})
		if err != nil || res.Plain {
			t.Fatalf("restore with the %s key: %+v %v", name, res, err)
		}
		r, err := Open(target)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		r.db.QueryRow("SELECT count(*) FROM dossiers").Scan(&n)
		for _, id := range ids {
			if _, err := r.Dossier(ctx, id); err != nil {
				t.Fatalf("%s: restored db lacks %s: %v", name, id, err)
			}
		}
		r.Close()
		if n != len(backupSeeds) {
			t.Fatalf("%s: restored %d dossiers, want the %d of the backup", name, n, len(backupSeeds))
		}
	}
}

func TestRestoreRefusesWrongKeyTamperAndCut(t *testing.T) {
	s := newTestStore(t)
	for _, p := range backupSeeds {
		if _, err := s.Intake(ctx, "c", sampleDossier(p.name, p.id, p.phone)); err != nil {
			t.Fatal(err)
		}
	}
	recovery := giveRecoveryKey(t, s)
	dir := t.TempDir()
	file := filepath.Join(dir, "b"+BackupExt)
	if err := s.Backup(ctx, file); err != nil {
		t.Fatal(err)
	}
	good, _ := os.ReadFile(file)
	other, _ := vault.NewKey()
	// age: a text header ending in "--- MAC\n", a 16-byte nonce, then
	// chunks of 64 KiB + a 16-byte tag; cutting between two chunks must be
	// caught too (the last chunk is marked).
	payload := bytes.Index(good, []byte("\n---")) + 1
	payload += bytes.IndexByte(good[payload:], '\n') + 1 + 16
	if len(good)-payload <= 65552 {
		t.Fatalf("backup of %d bytes has a single chunk; the cut test needs two", len(good))
	}

	// The target holds a database of its own that must survive every refusal.
	tdir := t.TempDir()
	target := filepath.Join(tdir, "live.db")
	writeFile(t, target, "the live database, untouched")
	flip := func(at int) []byte {
		b := bytes.Clone(good)
		b[at] ^= 0x01
		return b
	}
	cases := []struct {
		name string
		data []byte
		keys []age.Identity
		want error
	}{
		{"wrong key", good, []age.Identity{other}, vault.ErrWrongKey},
		{"no key", good, nil, vault.ErrWrongKey},
		{"flipped byte in the header", flip(40), []age.Identity{recovery}, nil},
		{"flipped byte in the middle", flip(len(good) / 2), []age.Identity{recovery}, vault.ErrDamaged},
		{"flipped last byte", flip(len(good) - 1), []age.Identity{recovery}, vault.ErrDamaged},
		{"cut at a chunk boundary", good[:payload+65552], []age.Identity{recovery}, vault.ErrDamaged},
		{"cut short", good[:len(good)-1000], []age.Identity{recovery}, vault.ErrDamaged},
		{"header only", good[:200], []age.Identity{recovery}, vault.ErrDamaged},
	}
	for _, c := range cases {
		bad := filepath.Join(dir, "bad"+BackupExt)
		if err := os.WriteFile(bad, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Restore(ctx, target, bad, c.keys)
		if err == nil {
			t.Fatalf("%s: restored", c.name)
		}
		if c.want != nil && !errors.Is(err, c.want) {
			t.Fatalf("%s: %v, want %v", c.name, err, c.want)
		}
		if b, _ := os.ReadFile(target); string(b) != "the live database, untouched" {
			t.Fatalf("%s: the target was changed", c.name)
		}
		if left := mustReadDir(t, tdir); len(left) != 1 {
			t.Fatalf("%s: left %v beside the target", c.name, left)
		}
	}
	// The good file still restores.
	if _, err := Restore(ctx, target, file, []age.Identity{other, recovery}); err != nil {
		t.Fatalf("good backup, right key among others: %v", err)
	}
	if b, _ := os.ReadFile(target + ".before-restore"); string(b) != "the live database, untouched" {
		t.Fatalf("the replaced file was not kept: %q", b)
	}
}

func TestRestorePlainOldBackupWarns(t *testing.T) {
	s := newTestStore(t)
	d, _ := s.Intake(ctx, "c", sampleDossier("Nguyễn Văn Bình", "064090000123", "0905123456"))
	plain := filepath.Join(t.TempDir(), "postdesk-20250101-120000.db")
	if err := s.PlainCopy(ctx, plain); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored.db")
	res, err := Restore(ctx, target, plain, nil)
	if err != nil || !res.Plain {
		t.Fatalf("plain restore: %+v %v, want Plain", res, err)
	}
	r, err := Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Dossier(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	writeFile(t, junk, "not a database at all")
	if _, err := Restore(ctx, target, junk, nil); err == nil {
		t.Fatal("restored from junk")
	}
}

func mustReadDir(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestBackupCarriesProofs: the delivery proofs travel inside the backup (as
// sealed on disk) and come back with the database, readable after a sign-in
// there; a backup that names a proof missing on disk is refused.
func TestBackupCarriesProofs(t *testing.T) {
	s := newTestStore(t)
	recovery := giveRecoveryKey(t, s)
	enrollAtFakeHub(t, s)
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	d, sig, photo := deliveredWithProofs(t, s)
	file := filepath.Join(t.TempDir(), "with-proofs"+BackupExt)
	if err := s.Backup(ctx, file); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(file)
	if bytes.Contains(raw, []byte("\x89PNG")) || bytes.Contains(raw, []byte("proofs/")) {
		t.Fatal("the backup shows a proof or its name in the clear")
	}

	dir := t.TempDir()
	target := filepath.Join(dir, "restored.db")
	res, err := Restore(ctx, target, file, []age.Identity{recovery})
	if err != nil || res.Proofs != 2 {
		t.Fatalf("restore: %+v %v, want 2 proofs", res, err)
	}
	if e := mustReadDir(t, dir); strings.Join(e, ",") != "proofs,restored.db" {
		t.Fatalf("restore left %v beside the database", e)
	}
	r, err := Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	signInStaff(t, r, "gdv1", "246810", domain.RoleClerk)
	for rel, want := range map[string][]byte{d.Delivery.SignatureFile: sig, d.Delivery.PhotoFile: photo} {
		wantSealedOnDisk(t, r.ProofPath(rel), want)
		if got, err := r.ReadProof(rel); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("restored proof %s: %v", rel, err)
		}
	}
	if _, err := r.Check(ctx); err != nil {
		t.Fatal(err)
	}

	// A proof the database names but the disk lost: the backup is still
	// made (a lost file must not stop every backup after it), with the rest,
	// and the error names the missing file.
	lostName := strings.TrimPrefix(d.Delivery.PhotoFile, "proofs/")
	if err := os.Remove(s.ProofPath(d.Delivery.PhotoFile)); err != nil {
		t.Fatal(err)
	}
	lostDir := t.TempDir()
	lost, err := s.AutoBackup(ctx, lostDir, 3)
	if !errors.Is(err, ErrProofsMissing) || !strings.Contains(err.Error(), lostName) || lost == "" {
		t.Fatalf("backup with a proof file missing: %q %v", lost, err)
	}
	res, err = Restore(ctx, filepath.Join(t.TempDir(), "again.db"), lost, []age.Identity{recovery})
	if err != nil || res.Proofs != 1 {
		t.Fatalf("restore of the backup without the lost proof: %+v %v", res, err)
	}
}

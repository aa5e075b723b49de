package store

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
	"postdesk/internal/vault"
)

// signInStaff adds a staff member with pin (when new) and signs them in,
// which opens (or makes) the device's proof key.
func signInStaff(t testing.TB, s *Store, username, pin string, role domain.Role) {
	t.Helper()
	if _, err := s.StaffMember(ctx, username); errors.Is(err, ErrNotFound) {
		h, err := auth.Hash(pin)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddStaff(ctx, "", domain.Staff{Username: username, FullName: username, Role: role}, h); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SignIn(ctx, username, pin); err != nil {
		t.Fatal(err)
	}
}

func testImages(t testing.TB) (pngData, jpegData []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for x := 0; x < 64; x++ {
		img.Set(x, x/2, color.Black)
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	return p.Bytes(), j.Bytes()
}

// deliveredWithProofs brings one dossier to the post point and delivers it
// with a real PNG signature and a real JPEG photo.
func deliveredWithProofs(t *testing.T, s *Store) (*domain.Dossier, []byte, []byte) {
	t.Helper()
	ds := intakeN(t, s, 1)
	toAgency(t, s, ds)
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, domain.Zone)
	if _, err := s.Accept(ctx, "gdv1", ds[0].ID, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0001", DueDate: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, "gdv1", ds[0].ID); err != nil {
		t.Fatal(err)
	}
	h, err := s.CreateHandover(ctx, "buuta1", domain.HandoverIn, "", ids(ds))
	if err != nil {
		t.Fatal(err)
	}
	if _, err = s.ConfirmHandover(ctx, "buuta1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	sig, photo := testImages(t)
	d, err := s.Deliver(ctx, "gdv1", ds[0].ID, domain.DeliverPayload{RecipientID: ds[0].Applicant.IDNumber},
		Proof{Kind: "signature", Ext: ".png", Data: sig}, Proof{Kind: "photo", Ext: ".jpg", Data: photo})
	if err != nil {
		t.Fatal(err)
	}
	return d, sig, photo
}

// wantSealedOnDisk fails unless the file is an age file in which no image
// can be found or decoded.
func wantSealedOnDisk(t *testing.T, path string, plain []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !vault.IsSealed(raw) {
		t.Fatalf("%s is not an age file: starts %q", path, raw[:min(8, len(raw))])
	}
	if bytes.Contains(raw, []byte("\x89PNG")) || bytes.Contains(raw, []byte("\xff\xd8\xff")) || bytes.Contains(raw, plain[len(plain)/2:]) {
		t.Fatalf("%s holds image bytes in the clear", path)
	}
	if _, _, err := image.Decode(bytes.NewReader(raw)); err == nil {
		t.Fatalf("%s decodes as an image", path)
	}
}

func reopen(t *testing.T, s *Store) *Store {
	t.Helper()
	path := s.path
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s2.Close() })
	s2.Now = s.Now
	return s2
}

func TestProofsEncryptedAtRest(t *testing.T) {
	s := newTestStore(t)
	hub, _ := vault.NewKey()
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := s.SaveEnrollment(ctx, Enrollment{HubURL: "http://127.0.0.1:1", HubSignKey: pub, HubAgeRecipient: hub.Recipient().String(), EnrolledAt: s.Now()}); err != nil {
		t.Fatal(err)
	}
	// Before any sign-in there is no proof key, so no proof can be written.
	if _, err := s.saveProof(ctx, "X", Proof{Kind: "signature", Ext: ".png", Data: []byte("x")}); !errors.Is(err, ErrProofLocked) {
		t.Fatalf("a proof written before any sign-in: %v", err)
	}
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	d, sig, photo := deliveredWithProofs(t, s)
	if !strings.HasSuffix(d.Delivery.SignatureFile, ".png.age") || !strings.HasSuffix(d.Delivery.PhotoFile, ".jpg.age") {
		t.Fatalf("proof paths %q %q", d.Delivery.SignatureFile, d.Delivery.PhotoFile)
	}
	wantSealedOnDisk(t, s.ProofPath(d.Delivery.SignatureFile), sig)
	wantSealedOnDisk(t, s.ProofPath(d.Delivery.PhotoFile), photo)
	for rel, want := range map[string][]byte{d.Delivery.SignatureFile: sig, d.Delivery.PhotoFile: photo} {
		if got, err := s.ReadProof(rel); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("read back %s: %v", rel, err)
		}
		raw, _ := os.ReadFile(s.ProofPath(rel)) // the hub's identity opens it too
		if got, err := vault.Open(raw, []age.Identity{hub}); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("hub opens %s: %v", rel, err)
		}
	}
	if _, err := s.ReadProof("proofs/../postdesk.db"); err == nil {
		t.Fatal("a path outside proofs/ was read")
	}

	// A new process: locked until a member with a copy signs in; a wrong PIN opens nothing.
	s = reopen(t, s)
	if _, err := s.ReadProof(d.Delivery.SignatureFile); !errors.Is(err, ErrProofLocked) {
		t.Fatalf("read without sign-in: %v", err)
	}
	if _, err := s.SignIn(ctx, "gdv1", "000000"); err == nil || s.ProofsOpen() {
		t.Fatalf("wrong PIN: %v, open %v", err, s.ProofsOpen())
	}
	// buuta1 signs in first: no copy yet and nobody opened the key, so still locked.
	signInStaff(t, s, "buuta1", "135791", domain.RolePostalWorker)
	if s.ProofsOpen() {
		t.Fatal("a member without a copy opened the key")
	}
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	if got, err := s.ReadProof(d.Delivery.SignatureFile); err != nil || !bytes.Equal(got, sig) {
		t.Fatalf("read after sign-in: %v", err)
	}
	signInStaff(t, s, "buuta1", "135791", domain.RolePostalWorker) // now gets a copy
	if h, _ := s.ProofKeyHolders(ctx); strings.Join(h, ",") != "buuta1,gdv1" {
		t.Fatalf("holders %v", h)
	}
	s = reopen(t, s)
	signInStaff(t, s, "buuta1", "135791", domain.RolePostalWorker)
	if got, err := s.ReadProof(d.Delivery.PhotoFile); err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("buuta1 alone: %v", err)
	}
	// A PIN reset drops the copy: the old PIN does not open the key any more.
	newHash, _ := auth.Hash("975310")
	if err := s.ResetStaffSecret(ctx, "gdv1", "buuta1", newHash); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.ProofKeyHolders(ctx); strings.Join(h, ",") != "gdv1" {
		t.Fatalf("holders after reset %v", h)
	}
	// The database file holds no copy of the key in the clear.
	s = reopen(t, s)
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(s.path)
	if bytes.Contains(raw, []byte("AGE-SECRET-KEY-1")) {
		t.Fatal("the database holds a secret key in the clear")
	}
	mustCheck(t, s)
}

// writePlainProofs writes n proof files the way PostDesk did before proofs
// were encrypted, and returns their contents by name.
func writePlainProofs(t testing.TB, dir string, n int) map[string][]byte {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sig, _ := testImages(t)
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("BN-553140A-261125-%04d-signature-%d.png", i, 1700000000+i)
		data := append(append([]byte{}, sig...), []byte(fmt.Sprint(i))...)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	return out
}

func TestPlainProofsSealedOnce(t *testing.T) {
	s := newTestStore(t)
	plain := writePlainProofs(t, s.ProofsDir(), 3)
	leftover := filepath.Join(s.ProofsDir(), ".BN-1-signature-1.png.123.tmp") // half a plain write a crash left
	writeFile(t, leftover, "\x89PNG half")
	// No proof key yet: nothing to seal to, the files wait for the first sign-in.
	s = reopen(t, s)
	for name := range plain {
		if sealed, _ := vault.IsSealedFile(filepath.Join(s.ProofsDir(), name)); sealed {
			t.Fatal("sealed before a proof key existed")
		}
	}
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk) // makes the key, then seals them
	for name, data := range plain {
		wantSealedOnDisk(t, filepath.Join(s.ProofsDir(), name), data)
		if got, err := s.ReadProof("proofs/" + name); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s after sealing: %v", name, err)
		}
	}
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Fatalf("the plain leftover is still there: %v", err)
	}
	// Once: an older file appearing later is sealed at start; sealed ones are left alone.
	more := writePlainProofs(t, filepath.Join(t.TempDir(), "x"), 1)
	for name, data := range more {
		writeFile(t, filepath.Join(s.ProofsDir(), "late-"+name), string(data))
	}
	if n, err := s.SealPlainProofs(ctx); err != nil || n != 1 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	if n, err := s.SealPlainProofs(ctx); err != nil || n != 0 {
		t.Fatalf("again: sealed %d: %v", n, err)
	}
}

const sealChildEnv = "POSTDESK_SEAL_CHILD_DB"

// sealChild opens the database, which seals the plain proofs beside it.
func sealChild(path string) int {
	s, err := Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	s.Close()
	return 0
}

// TestSealingProofsSurvivesAKill kills the process sealing old plain proofs
// at random moments: every file is afterwards whole, plain or sealed, and
// the next start seals the rest.
func TestSealingProofsSurvivesAKill(t *testing.T) {
	s := newTestStore(t)
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	path, dir := s.path, s.ProofsDir()
	s.Close()
	plain := writePlainProofs(t, dir, 150)
	killed := 0
	for round := 0; round < 6; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), sealChildEnv+"="+path)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(40+30*round) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("child: %s", stderr.String())
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if _, ok := plain[e.Name()]; !ok && !strings.HasSuffix(e.Name(), ".tmp") {
				t.Fatalf("unexpected file %s", e.Name())
			}
		}
		sealed := 0
		for name, data := range plain {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("round %d: %s lost: %v", round, name, err)
			}
			if vault.IsSealed(raw) {
				sealed++
			} else if !bytes.Equal(raw, data) {
				t.Fatalf("round %d: %s is half written", round, name)
			}
		}
		t.Logf("round %d: %d of %d sealed", round, sealed, len(plain))
		if sealed > 0 && sealed < len(plain) {
			killed++ // killed mid-way
		}
	}
	if killed == 0 {
		t.Fatal("no child was killed mid-way")
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	signInStaff(t, s, "gdv1", "246810", domain.RoleClerk)
	for name, data := range plain {
		if got, err := s.ReadProof("proofs/" + name); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: %v", name, err)
		}
	}
}

package hubstore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"filippo.io/age"

	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
	"postdesk/internal/vault"
)

// TestProofPartsAnyOrderOnce: a proof's parts may come in any order and
// again; the file is kept once it is whole and its SHA-256 matches; other
// content under the same name is refused, never replaced; a part that does
// not fit or parts that do not add up are refused; hub check names a proof
// whose bytes changed; a revoked device's parts are refused.
func TestProofPartsAnyOrderOnce(t *testing.T) {
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	plain := make([]byte, 2*syncproto.ProofPartSize+1000)
	rand.Read(plain)
	sealed, err := vault.Seal(plain, []age.Recipient{s.AgeRecipient()})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sealed)
	p := syncproto.ProofPart{Device: d.ID, Dossier: "BN-600900A-261125-0001", Name: "BN-600900A-261125-0001-photo-1.jpg.age",
		Size: int64(len(sealed)), SHA256: hex.EncodeToString(sum[:])}
	put := func(off int64) (int64, bool, error) {
		q := p
		q.Offset = off
		return s.PutProofPart(ctx, q, sealed[off:off+q.PartLen()])
	}
	last := 2 * int64(syncproto.ProofPartSize)
	if got, done, err := put(last); err != nil || got != 0 || done {
		t.Fatalf("last part first: %d %v %v", got, done, err)
	}
	if got, done, err := put(0); err != nil || got != syncproto.ProofPartSize || done {
		t.Fatalf("first part: %d %v %v", got, done, err)
	}
	if got, _, err := put(0); err != nil || got != syncproto.ProofPartSize {
		t.Fatalf("first part again: %d %v", got, err)
	}
	if got, done, err := put(syncproto.ProofPartSize); err != nil || got != p.Size || !done {
		t.Fatalf("middle part: %d %v %v", got, done, err)
	}
	if got, done, err := put(0); err != nil || got != p.Size || !done {
		t.Fatalf("a part of a complete file: %d %v %v", got, done, err)
	}
	if got, err := s.OpenProof(ctx, d.ID, p.Name); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %v", err)
	}
	if n := hubtest.CountRows(t, s, "hub_proof_parts"); n != 0 {
		t.Fatalf("%d parts left after the file was kept", n)
	}

	// Same name, other content: refused, the kept file unchanged.
	other := p
	other.SHA256 = hex.EncodeToString(make([]byte, 32))
	_, _, err = s.PutProofPart(ctx, other, sealed[:syncproto.ProofPartSize])
	hubtest.WantCode(t, err, syncproto.CodeConflict)
	// A part of the wrong length; parts whose whole is not the SHA-256 named.
	q := p
	q.Name = "x.png.age"
	_, _, err = s.PutProofPart(ctx, q, sealed[:10])
	hubtest.WantCode(t, err, syncproto.CodeBadRequest)
	q.Size = 10
	_, _, err = s.PutProofPart(ctx, q, sealed[:10])
	hubtest.WantCode(t, err, syncproto.CodeCorruptBody)
	if held, _ := s.Proofs(ctx, ""); len(held) != 1 {
		t.Fatalf("hub holds %d proofs, want 1", len(held))
	}

	if rep, err := s.Check(ctx); err != nil || rep.Proofs != 1 {
		t.Fatalf("check: %+v %v", rep, err)
	}
	if _, err := hubtest.DB(t, s).Exec("UPDATE hub_proofs SET data = ? WHERE name = ?", append([]byte(vault.Magic), 'x'), p.Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err == nil {
		t.Fatal("check passed over a proof whose bytes changed")
	}
	if err := s.Revoke(ctx, d.ID, "tester", "lost"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.PutProofPart(ctx, q, sealed[:10])
	hubtest.WantCode(t, err, syncproto.CodeRevoked)
}

package devicesync

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/hub/hubweb"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// deliverWith brings one new dossier back to the post point and delivers it
// with the given proofs.
func deliverWith(t *testing.T, s *store.Store, name string, proofs ...store.Proof) *domain.Dossier {
	t.Helper()
	d, err := s.Intake(ctx, "gdv1", dossier(name, "064190012345"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.CreateHandover(ctx, "gdv1", domain.HandoverOut, "000.00.20.H21", []string{d.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "gdv1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, domain.Zone)
	if _, err := s.Accept(ctx, "gdv1", d.ID, domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0" + d.ID[len(d.ID)-3:], DueDate: due}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResultReady(ctx, "gdv1", d.ID); err != nil {
		t.Fatal(err)
	}
	if h, err = s.CreateHandover(ctx, "gdv1", domain.HandoverIn, "", []string{d.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(ctx, "gdv1", h.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	out, err := s.Deliver(ctx, "gdv1", d.ID, domain.DeliverPayload{RecipientID: "064190012345"}, proofs...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProofsTravelEncrypted: a real hub on 127.0.0.1 receives the device's
// proofs in parts (a 2.5 MiB photo is three), still encrypted, and can read
// them with its identity; a proof kept before enrollment waits for a
// sign-in (the key to seal it again to the hub), then goes too; nothing is
// sent twice; hub check counts them.
// proofPostPoint is a real hub on 127.0.0.1 and a device not yet enrolled
// at it, with a clerk signed in (so its proof key is open).
func proofPostPoint(t *testing.T) (*hubstore.Store, *httptest.Server, *store.Store) {
	t.Helper()
	hub := hubtest.Open(t)
	srv := httptest.NewServer(hubweb.NewServer(hub, hubweb.Options{Name: "Gia Lai"}))
	t.Cleanup(srv.Close)
	s := newDevice(t, "600900", "A")
	h, _ := auth.Hash("246810")
	if err := s.AddStaff(ctx, "", domain.Staff{Username: "gdv1", FullName: "Siu Thị Hằng", Role: domain.RoleClerk}, h); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "gdv1", "246810"); err != nil {
		t.Fatal(err)
	}
	return hub, srv, s
}

func TestProofsTravelEncrypted(t *testing.T) {
	hub, srv, s := proofPostPoint(t)
	early := []byte("\x89PNG\r\n\x1a\n signature kept before enrollment")
	before := deliverWith(t, s, "Rơ Mah H'Bích", store.Proof{Kind: "signature", Ext: ".png", Data: early})

	tok, err := hub.IssueToken(ctx, "600900", "", "t")
	if err != nil {
		t.Fatal(err)
	}
	c := New(s)
	if _, err := c.Enroll(ctx, srv.URL, tok.Token); err != nil {
		t.Fatal(err)
	}
	photo := make([]byte, 5<<19) // 2.5 MiB: three parts
	rand.Read(photo)
	copy(photo, "\xff\xd8\xff\xe0")
	sig := []byte("\x89PNG\r\n\x1a\n signature after enrollment")
	after := deliverWith(t, s, "Ksor Y Bhin", store.Proof{Kind: "signature", Ext: ".png", Data: sig},
		store.Proof{Kind: "photo", Ext: ".jpg", Data: photo})

	// A new process, nobody signed in: the two new proofs go, the early one waits.
	path := s.Path()
	s.Close()
	s, err = store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c = New(s)
	r, err := c.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.ProofsSent != 2 || r.ProofsWaiting != 1 {
		t.Fatalf("round without sign-in: sent %d, waiting %d", r.ProofsSent, r.ProofsWaiting)
	}
	if _, err := s.SignIn(ctx, "gdv1", "246810"); err != nil {
		t.Fatal(err)
	}
	if r, err = c.RunOnce(ctx); err != nil || r.ProofsSent != 1 || r.ProofsWaiting != 0 {
		t.Fatalf("round after sign-in: %+v %v", r, err)
	}
	if r, err = c.RunOnce(ctx); err != nil || r.ProofsSent != 0 {
		t.Fatalf("again: %+v %v", r, err)
	}

	held, err := hub.Proofs(ctx, "")
	if err != nil || len(held) != 3 {
		t.Fatalf("hub holds %d proofs: %v", len(held), err)
	}
	want := map[string][]byte{before.Delivery.SignatureFile: early, after.Delivery.SignatureFile: sig, after.Delivery.PhotoFile: photo}
	for rel, plain := range want {
		name := rel[len("proofs/"):]
		sealed, err := hub.SealedProof(ctx, "600900-A", name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		onDevice, _ := os.ReadFile(s.ProofPath(rel))
		if !bytes.Equal(sealed, onDevice) || bytes.Contains(sealed, plain[:4]) {
			t.Fatalf("%s: the hub does not hold the device's encrypted file as it is", name)
		}
		if got, err := hub.OpenProof(ctx, "600900-A", name); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%s: the hub's identity does not open it: %v", name, err)
		}
	}
	rep, err := hub.Check(ctx)
	if err != nil || rep.Proofs != 3 {
		t.Fatalf("hub check: %+v %v", rep, err)
	}

	// The province sets the retention; it comes down as a signed update.
	if err := hub.PushRetention(ctx, 400, "tinh"); err != nil {
		t.Fatal(err)
	}
	if r, err = c.RunOnce(ctx); err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("round with the retention: %+v %v", r, err)
	}
	if days, err := s.RetentionDays(ctx); err != nil || days != 400 {
		t.Fatalf("retention on the device: %d %v", days, err)
	}
	// The retention passes on the device: its purge records go up like any
	// event, the hub accepts and verifies them, and its own copy is untouched.
	later := time.Date(2028, 1, 1, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { later = later.Add(time.Second); return later }
	pr, err := s.Purge(ctx, "truong", false)
	if err != nil || len(pr.Dossiers) != 2 || pr.Proofs != 3 {
		t.Fatalf("device purge: %+v %v", pr, err)
	}
	if r, err = c.RunOnce(ctx); err != nil || r.Pushed != 2 { // the two purge records
		t.Fatalf("round after the purge: %+v %v", r, err)
	}
	if rep, err = hub.Check(ctx); err != nil || rep.Proofs != 3 {
		t.Fatalf("hub check after the device's purge: %+v %v", rep, err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("device check after the purge: %v", err)
	}
}

// TestProofsTravelByUSB: a post point that reaches the hub only by USB
// stick sends its proofs in the batch file, still encrypted and signed; the
// hub keeps them (a 2.5 MiB photo in three parts) and its reply confirms
// them, so the next file does not carry them again; a file whose proof was
// changed on the stick, or signed by another device, is refused whole.
func TestProofsTravelByUSB(t *testing.T) {
	hub, srv, s := proofPostPoint(t)
	tok, err := hub.IssueToken(ctx, "600900", "", "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(s).Enroll(ctx, srv.URL, tok.Token); err != nil {
		t.Fatal(err)
	}
	srv.Close() // from here on, only a USB stick
	photo := make([]byte, 5<<19)
	rand.Read(photo)
	copy(photo, "\xff\xd8\xff\xe0")
	sig := []byte("\x89PNG\r\n\x1a\n signature at the door")
	d := deliverWith(t, s, "Ksor Y Bhin", store.Proof{Kind: "signature", Ext: ".png", Data: sig},
		store.Proof{Kind: "photo", Ext: ".jpg", Data: photo})

	dir := t.TempDir()
	export := func(name string) ([]byte, ExportResult) {
		t.Helper()
		res, err := ExportFile(ctx, s, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(filepath.Join(dir, name))
		return data, res
	}
	file, res := export("a.pdsync")
	if res.Proofs != 2 || res.ProofsWaiting != 0 {
		t.Fatalf("export: %+v", res)
	}
	if bytes.Contains(file, sig[:8]) || bytes.Contains(file, photo[len(photo)/2:len(photo)/2+64]) {
		t.Fatal("the batch file shows a proof in the clear")
	}

	// Tampered on the stick: the hub's identity opens the file, a proof's
	// bytes are changed (or it is signed by another key), the file sealed
	// again to the hub (anyone can).
	fr, err := syncproto.OpenBatchFile(bytes.NewReader(file), hub.AgeIdentity())
	if err != nil {
		t.Fatal(err)
	}
	var batches []*syncproto.Batch
	for {
		b, err := fr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, b)
	}
	proofs := fr.Proofs()
	if len(proofs) != 2 {
		t.Fatalf("%d proofs read back", len(proofs))
	}
	changed := proofs[0]
	changed.Data = bytes.Clone(changed.Data)
	changed.Data[len(changed.Data)-1] ^= 1
	sum := sha256.Sum256(changed.Data)
	changed.Part.SHA256 = hex.EncodeToString(sum[:])
	_, other, _ := ed25519.GenerateKey(nil)
	foreign, err := syncproto.NewProofFile(other, "600900-A", proofs[0].Part.Dossier, proofs[0].Part.Name, changed.Data)
	if err != nil {
		t.Fatal(err)
	}
	rewrite := func(fs ...syncproto.ProofFile) []byte {
		var buf bytes.Buffer
		if err := syncproto.WriteBatchFile(&buf, hub.AgeRecipient().String(), batches, fs...); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for name, bad := range map[string]syncproto.ProofFile{"SHA-256": changed, "signature": foreign} {
		if _, err := hub.ReceiveFile(ctx, bytes.NewReader(rewrite(bad, proofs[1]))); err == nil || !strings.Contains(err.Error(), name) {
			t.Fatalf("a batch file with a proof of wrong %s: %v", name, err)
		}
		if held, _ := hub.Proofs(ctx, ""); len(held) != 0 {
			t.Fatalf("%s: the refused file left %d proofs", name, len(held))
		}
		if st, _ := hub.Status(ctx); st.Events != 0 {
			t.Fatalf("%s: the refused file left %d events", name, st.Events)
		}
	}

	reply := func(file []byte) string {
		t.Helper()
		fres, err := hub.ReceiveFile(ctx, bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := syncproto.WriteReplyFile(&buf, fres.AgeRecipient, fres.Reply); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("reply-%d.pdreply", len(file)))
		os.WriteFile(p, buf.Bytes(), 0o600)
		return p
	}
	rp := reply(rewrite(proofs...)) // read back and written again, as it was: taken
	reply(file)                     // the province imports it twice
	held, err := hub.Proofs(ctx, "")
	if err != nil || len(held) != 2 {
		t.Fatalf("hub holds %d proofs: %v", len(held), err)
	}
	for rel, plain := range map[string][]byte{d.Delivery.SignatureFile: sig, d.Delivery.PhotoFile: photo} {
		if got, err := hub.OpenProof(ctx, "600900-A", rel[len("proofs/"):]); err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("%s at the hub: %v", rel, err)
		}
	}
	r, err := ImportReply(ctx, s, rp)
	if err != nil || r.ProofsSent != 2 {
		t.Fatalf("reply: %+v %v", r, err)
	}
	if _, res = export("b.pdsync"); res.Proofs != 0 {
		t.Fatalf("the next file carries %d proofs the hub confirmed", res.Proofs)
	}
	if rep, err := hub.Check(ctx); err != nil || rep.Proofs != 2 {
		t.Fatalf("hub check: %+v %v", rep, err)
	}
}

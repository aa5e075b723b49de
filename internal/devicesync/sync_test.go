package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
	"postdesk/internal/testtool"
)

var ctx = context.Background()

// newDevice opens a fresh device database of post point pp, letter, with a
// clock that moves one second per call.
func newDevice(t testing.TB, pp, letter string) *store.Store {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "device-"+pp+letter+".db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)
	var mu sync.Mutex
	s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); clock = clock.Add(time.Second); return clock }
	if err := s.Setup(ctx, domain.PostPoint{Code: pp, Name: "Bưu điện Văn hóa xã Ia Grai", Commune: "Ia Grai", Province: "Gia Lai"}, letter); err != nil {
		t.Fatal(err)
	}
	return s
}

func dossier(name, id string) domain.Dossier {
	return domain.Dossier{
		Option:        domain.OptionSendAndReturn,
		ProcedureCode: "1.001193", ProcedureName: "Thủ tục đăng ký khai sinh", AgencyCode: "000.00.20.H21",
		Applicant:    domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: "0905123456", Commune: "Ia Grai"},
		Place:        domain.PlaceCounter,
		Postage:      15000,
		ReturnMethod: domain.ReturnByPost,
		Documents:    []domain.DocumentItem{{Name: "Tờ khai đăng ký khai sinh", Required: true, Received: true, Original: true, Count: 1}},
	}
}

// intake takes n dossiers and hands every other one over to the agency.
func intake(t testing.TB, s *store.Store, n int) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		d, err := s.Intake(ctx, "gdv1", dossier(fmt.Sprintf("Rơ Mah H'Bích %d", i), fmt.Sprintf("0641900%05d", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
		if i%2 == 0 {
			if _, _, err := s.Record(ctx, "gdv1", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BB-1", Officer: "Ksor Y Bhin"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func startHub(t testing.TB) (*fakeHub, string) {
	h := newFakeHub(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func enroll(t testing.TB, s *store.Store, h *fakeHub, url string) *Client {
	t.Helper()
	c := New(s)
	dev, _, _ := s.Device(ctx)
	if _, err := c.Enroll(ctx, url, h.token(dev.PostPointCode)); err != nil {
		t.Fatal(err)
	}
	return c
}

// sameLog asserts the hub holds exactly the device's events, each once.
func sameLog(t testing.TB, s *store.Store, h *fakeHub) {
	t.Helper()
	dev, _, _ := s.Device(ctx)
	mine, err := s.EventsAfter(ctx, dev.ID(), 0, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	theirs := h.events(dev.ID())
	if len(mine) != len(theirs) {
		t.Fatalf("device has %d events, hub %d", len(mine), len(theirs))
	}
	for i := range mine {
		if mine[i].Hash != theirs[i].Hash || mine[i].Seq != theirs[i].Seq || !bytes.Equal(mine[i].Payload, theirs[i].Payload) {
			t.Fatalf("event %d differs at the hub", mine[i].Seq)
		}
	}
	if err := domain.VerifyChain("", theirs); err != nil {
		t.Fatal(err)
	}
	st, _ := s.SyncState(ctx)
	if st.AckedThrough != int64(len(mine)) {
		t.Fatalf("acked through %d of %d", st.AckedThrough, len(mine))
	}
}

func TestEnrollPushAck(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url+"/")
	st, _ := s.SyncState(ctx)
	if !st.Enrolled() || st.HubURL != url || st.HubName != "Gia Lai (test)" || st.AckedThrough != 0 {
		t.Fatalf("state after enroll: %+v", st)
	}
	intake(t, s, 30)
	c.MaxEvents = 7 // several batches
	r, err := c.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pushed != 45 || r.Batches != 7 || r.AckedThrough != 45 || r.ID == 0 {
		t.Fatalf("round %+v", r)
	}
	sameLog(t, s, h)
	if n, _ := s.EventsWaiting(ctx); n != 0 {
		t.Fatalf("%d waiting", n)
	}
	// Nothing new: a round pushes nothing and succeeds.
	r, err = c.RunOnce(ctx)
	if err != nil || r.Pushed != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	rounds, _ := s.SyncRounds(ctx, 10)
	if len(rounds) != 2 || rounds[0].Error != "" || rounds[1].Pushed != 45 {
		t.Fatalf("history %+v", rounds)
	}
	st, _ = s.SyncState(ctx)
	if st.LastSuccess.IsZero() || len(st.AckBlob) == 0 {
		t.Fatal("last success or ack not kept")
	}
	// A used token cannot enroll another device.
	s2 := newDevice(t, "600900", "B")
	if _, err := New(s2).Enroll(ctx, url, "tok-600900-1"); err == nil || !strings.Contains(err.Error(), syncproto.CodeBadToken) {
		t.Fatalf("reused token: %v", err)
	}
}

func TestNotEnrolled(t *testing.T) {
	s := newDevice(t, "600900", "A")
	if _, err := New(s).RunOnce(ctx); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatal(err)
	}
	if _, err := New(s).Enroll(ctx, "ftp://x", "t"); err == nil {
		t.Fatal("bad URL accepted")
	}
}

// cutProxy forwards 127.0.0.1 connections to target; the first cuts
// connections are closed after k bytes of upload (before the hub has the
// whole batch) and the next ackCuts after the hub answered but before the
// device reads the answer (the ack is lost).
type cutProxy struct {
	ln      net.Listener
	target  string
	k       int64
	cuts    atomic.Int32
	ackCuts atomic.Int32
}

func newCutProxy(t testing.TB, target string, k int64, cuts, ackCuts int32) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: strings.TrimPrefix(target, "http://"), k: k}
	p.cuts.Store(cuts)
	p.ackCuts.Store(ackCuts)
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *cutProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *cutProxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(in)
	}
}

func (p *cutProxy) handle(in net.Conn) {
	defer in.Close()
	out, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer out.Close()
	// Only POSTs of batches are cut (health and updates pass).
	head := make([]byte, 64)
	n, _ := io.ReadAtLeast(in, head, 20)
	head = head[:n]
	isBatch := bytes.HasPrefix(head, []byte("POST "+syncproto.PathBatches))
	out.Write(head)
	if isBatch && p.cuts.Add(-1) >= 0 {
		io.CopyN(out, in, p.k)
		return // both sides closed mid-upload
	}
	if isBatch && p.ackCuts.Add(-1) >= 0 {
		go io.Copy(out, in)
		buf := make([]byte, 1)
		out.Read(buf) // the hub has answered: it has committed the batch
		return        // …and the device never sees the ack
	}
	go io.Copy(out, in)
	io.Copy(in, out)
}

func TestConnectionCutMidUpload(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	intake(t, s, 60)
	p := newCutProxy(t, url, 700, 3, 2)
	c := enroll(t, s, h, p.url())
	// One request per connection, so the proxy sees each batch.
	c.HTTP = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	c.MaxEvents = 20
	var fails int
	for i := 0; i < 20; i++ {
		_, err := c.RunOnce(ctx)
		if err == nil {
			break
		}
		if !IsOffline(err) {
			t.Fatalf("round %d: %v", i, err)
		}
		fails++
		if i == 5 {
			intake(t, s, 5) // new work while retrying
		}
	}
	if fails < 5 || p.cuts.Load() >= 0 || p.ackCuts.Load() >= 0 {
		t.Fatalf("only %d failed rounds: the proxy did not cut", fails)
	}
	sameLog(t, s, h)
	rounds, _ := s.SyncRounds(ctx, 100)
	if rounds[0].Error != "" || rounds[len(rounds)-1].ErrorCode != "offline" {
		t.Fatalf("history: %+v", rounds)
	}
}

func TestDuplicateAckAndResend(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 4)
	if _, err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// The same batch again: the hub answers the same ack; nothing doubles.
	dev, pp, _ := s.Device(ctx)
	key, _ := s.DeviceKey(ctx)
	events, _ := s.EventsAfter(ctx, dev.ID(), 0, 100)
	b, _, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, "", 1, events, 0, time.Now(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := s.SyncState(ctx)
	ack, err := c.send(ctx, b, st.HubSignKey, dev.ID())
	if err != nil || ack.ThroughSeq != 6 || h.dupBatches != 1 {
		t.Fatalf("duplicate: %+v %v dup=%d", ack, err, h.dupBatches)
	}
	// An older ack (through 3) changes nothing: the mark only increases.
	b3, _, _ := syncproto.EncodeBatch(key, dev.ID(), pp.Code, "", 1, events[:3], 0, time.Now(), 0, 0)
	if _, err := c.send(ctx, b3, st.HubSignKey, dev.ID()); err != nil {
		t.Fatal(err)
	}
	st, _ = s.SyncState(ctx)
	if st.AckedThrough != 6 {
		t.Fatalf("acked went to %d", st.AckedThrough)
	}
	if _, err := testtool.DB(t, s.Path()).ExecContext(ctx, "UPDATE sync_state SET acked_through_seq = 2"); err == nil {
		t.Fatal("the acknowledged sequence went down")
	}
	sameLog(t, s, h)
}

// The hub lost its copy (restored from an old backup): it answers "gap,
// expected seq N" and the device sends again from N.
func TestHubBehindResendsFromGap(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 6)
	if _, err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	d := h.devices["600900-A"]
	d.events = d.events[:2]
	d.acks = map[string][]byte{}
	h.mu.Unlock()
	intake(t, s, 2)
	if _, err := c.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sameLog(t, s, h)
}

func TestWrongHubKeyNeverMarks(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 3)
	h.mu.Lock()
	h.sign = testKey(3) // the hub's answers are now signed by another key
	h.mu.Unlock()
	_, err := c.RunOnce(ctx)
	if err == nil || errorCode(err) != syncproto.CodeBadSignature {
		t.Fatalf("ack of another key: %v", err)
	}
	st, _ := s.SyncState(ctx)
	if st.AckedThrough != 0 {
		t.Fatal("marked synced on an unverified ack")
	}
}

func TestClockHoursOff(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	c.Now = func() time.Time { return time.Now().Add(-5 * time.Hour) } // the PC's clock is 5 h behind
	intake(t, s, 3)
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateRevoke, Payload: json.RawMessage(`{"device":"600900-Z"}`)})
	r, err := c.RunOnce(ctx)
	if err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	// Without the health probe's correction the request is refused, and the
	// hub's clock_skew answer corrects it.
	c.offMu.Lock()
	c.offset = 0
	c.offMu.Unlock()
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateRevoke, Payload: json.RawMessage(`{"device":"600900-Y"}`)})
	st, _ := s.SyncState(ctx)
	var rr Round
	if err := c.pull(ctx, st, &rr); err != nil || rr.UpdatesApplied != 1 {
		t.Fatalf("%+v %v", rr, err)
	}
	sameLog(t, s, h)
}

func TestUpdatesApplied(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	ids := intake(t, s, 4) // 0 and 2 are at the agency; 1 and 3 still received
	due := time.Date(2026, 12, 10, 0, 0, 0, 0, domain.Zone)
	accept := func(id, code string) syncproto.Update {
		p, _ := json.Marshal(domain.AcceptPayload{OfficialCode: code, DueDate: due})
		return syncproto.Update{Kind: syncproto.UpdateOutcome, Dossier: id, Event: domain.KindAccept, Payload: p}
	}
	h.addUpdate("600900-A", accept(ids[0], "000.00.20.H21-261125-0001"))
	skipID := h.addUpdate("600900-A", accept(ids[1], "000.00.20.H21-261125-0002")) // not handed over yet
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateOutcome, Dossier: ids[2], Event: domain.KindReject,
		Payload: json.RawMessage(`{"reason":"Thiếu giấy tờ"}`)})
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateOutcome, Dossier: ids[2], Event: domain.KindResultReady})
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateOutcome, Dossier: ids[0], Event: domain.KindDeliver,
		Payload: json.RawMessage(`{}`)}) // not an outcome: refused
	reg, _ := json.Marshal(domain.Dossier{Option: domain.OptionReturnOnly, ProcedureCode: "1.001193", AgencyCode: "000.00.20.H21",
		OfficialCode: "000.00.20.H21-261120-0042", Applicant: domain.Person{FullName: "Siu Thị Hằng", IDNumber: "064190000999", IDType: domain.IDCCCD},
		ReturnAddress: "Thôn 3, Ia Grai", ID: "FORGED-ID", State: domain.StateDelivered})
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateRegister, Payload: reg})
	other := testKey(7).Public()
	dk, _ := json.Marshal(syncproto.DeviceKey{Device: "600901-B", PostPoint: "600901", PublicKey: other.(ed25519.PublicKey)})
	h.addUpdate("", syncproto.Update{Kind: syncproto.UpdateDeviceKey, Payload: dk})
	cat, _ := json.Marshal(syncproto.CatalogChange{FileName: "hub-catalog-2.csv", SHA256: strings.Repeat("e", 64),
		Agencies:   []domain.Agency{{Code: "000.00.20.H21", Name: "UBND xã Ia Grai", Level: "cấp xã"}},
		Procedures: []domain.Procedure{{Code: "1.001193", Name: "Thủ tục đăng ký khai sinh", Field: "Hộ tịch", Level: "cấp xã", AgencyCode: "000.00.20.H21", BCCIIntake: true, BCCIReturn: true}}})
	h.addUpdate("", syncproto.Update{Kind: syncproto.UpdateCatalog, Payload: cat})

	r, err := c.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.UpdatesApplied != 6 || r.UpdatesSkipped != 2 {
		t.Fatalf("applied %d skipped %d", r.UpdatesApplied, r.UpdatesSkipped)
	}
	d0, _ := s.Dossier(ctx, ids[0])
	if d0.State != domain.StateAccepted || d0.OfficialCode != "000.00.20.H21-261125-0001" || !d0.DueDate.Equal(due) {
		t.Fatalf("accepted dossier: %+v", d0)
	}
	d2, _ := s.Dossier(ctx, ids[2])
	if d2.State != domain.StateResultReady || d2.RejectReason != "Thiếu giấy tờ" {
		t.Fatalf("rejected then result ready: %+v", d2)
	}
	evs, _ := s.DossierEvents(ctx, ids[0])
	last := evs[len(evs)-1]
	if last.Staff != store.HubStaff || !strings.Contains(string(last.Payload), `"hub_update":1`) {
		t.Fatalf("outcome event: %+v %s", last, last.Payload)
	}
	rows, _ := s.Search(ctx, "Siu Thị Hằng", 5)
	if len(rows) != 1 {
		t.Fatalf("registration: %+v", rows)
	}
	reg2, _ := s.Dossier(ctx, rows[0].ID)
	if reg2.State != domain.StateResultReady || reg2.Option != domain.OptionReturnOnly || reg2.ID == "FORGED-ID" ||
		reg2.DeviceID != "600900-A" || reg2.OfficialCode != "000.00.20.H21-261120-0042" {
		t.Fatalf("registered dossier: %+v", reg2)
	}
	if pub, ok, err := s.PublicKeyOf(ctx, "600901-B"); err != nil || !ok || !bytes.Equal(pub, other.(ed25519.PublicKey)) {
		t.Fatalf("other device's key: %v %v", ok, err)
	}
	key, _ := s.DeviceKey(ctx)
	if pub, ok, _ := s.PublicKeyOf(ctx, "600900-A"); !ok || !bytes.Equal(pub, key.Public().(ed25519.PublicKey)) {
		t.Fatal("own key")
	}
	if _, ok, _ := s.PublicKeyOf(ctx, "600999-C"); ok {
		t.Fatal("unknown device has a key")
	}
	if p, err := s.Procedure(ctx, "1.001193"); err != nil || !p.BCCIReturn {
		t.Fatalf("catalog: %+v %v", p, err)
	}
	skipped, _ := s.SkippedUpdates(ctx, 10)
	if len(skipped) != 2 || skipped[0].ID != skipID || !strings.Contains(skipped[0].Reason, string(domain.StateReceived)) &&
		!strings.Contains(skipped[0].Reason, "tiếp nhận") {
		t.Fatalf("skipped: %+v", skipped)
	}
	inRound, _ := s.RoundUpdates(ctx, r.ID)
	if len(inRound) != 8 {
		t.Fatalf("round lists %d updates", len(inRound))
	}
	n1 := countEvents(t, s)

	// Again: nothing applies twice.
	r, err = c.RunOnce(ctx)
	if err != nil || r.UpdatesApplied != 0 || r.UpdatesSkipped != 0 {
		t.Fatalf("second round %+v %v", r, err)
	}
	// Once the clerk records the handover, the skipped acceptance applies.
	if _, _, err := s.Record(ctx, "gdv1", domain.KindHandover, ids[1], domain.HandoverPayload{HandoverID: "BB-2", Officer: "A"}); err != nil {
		t.Fatal(err)
	}
	r, err = c.RunOnce(ctx)
	if err != nil || r.UpdatesApplied != 1 {
		t.Fatalf("retry round %+v %v", r, err)
	}
	d1, _ := s.Dossier(ctx, ids[1])
	if d1.State != domain.StateAccepted {
		t.Fatalf("retried acceptance: %s", d1.State)
	}
	if got := countEvents(t, s); got != n1+2 {
		t.Fatalf("events %d, want %d", got, n1+2)
	}
	if rep, err := s.Check(ctx); err != nil {
		t.Fatalf("store check after updates: %v %+v", err, rep)
	}
	sameLog(t, s, h)
}

func countEvents(t testing.TB, s *store.Store) int64 {
	dev, _, _ := s.Device(ctx)
	n, err := s.LastSeq(ctx, dev.ID())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRevocation(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	c := enroll(t, s, h, url)
	intake(t, s, 1)
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateRevoke, Payload: json.RawMessage(`{"device":"600900-A","reason":"máy bị mất"}`)})
	if _, err := c.RunOnce(ctx); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revocation: %v", err)
	}
	st, _ := s.SyncState(ctx)
	if !st.Revoked() || st.RevokedReason != "máy bị mất" {
		t.Fatalf("%+v", st)
	}
	if _, err := c.RunOnce(ctx); !errors.Is(err, ErrRevoked) {
		t.Fatal("a revoked device synced")
	}
	// A device the hub revoked answers "revoked" to a push too.
	s2 := newDevice(t, "600900", "B")
	c2 := enroll(t, s2, h, url)
	intake(t, s2, 1)
	h.mu.Lock()
	h.devices["600900-B"].revoked = true
	h.mu.Unlock()
	if _, err := c2.RunOnce(ctx); !errors.Is(err, ErrRevoked) {
		t.Fatalf("push of a revoked device: %v", err)
	}
}

func TestUSBRoundTripTwice(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	enroll(t, s, h, url)
	ids := intake(t, s, 12)
	p, _ := json.Marshal(domain.AcceptPayload{OfficialCode: "000.00.20.H21-261125-0007", DueDate: time.Date(2026, 12, 1, 0, 0, 0, 0, domain.Zone)})
	h.addUpdate("600900-A", syncproto.Update{Kind: syncproto.UpdateOutcome, Dossier: ids[0], Event: domain.KindAccept, Payload: p})
	dir := t.TempDir()
	snapshot := func() string {
		st, _ := s.SyncState(ctx)
		d, _ := s.Dossier(ctx, ids[0])
		return fmt.Sprintf("acked=%d cursor=%d events=%d state=%s", st.AckedThrough, st.UpdateCursor, countEvents(t, s), d.State)
	}
	var results []string
	for round := 0; round < 2; round++ {
		path := filepath.Join(dir, fmt.Sprintf("600900-A-%d%s", round, syncproto.ExtBatchFile))
		res, err := ExportFile(ctx, s, path)
		if err != nil {
			t.Fatal(err)
		}
		if round == 0 && (res.Events != 18 || res.FirstSeq != 1) {
			t.Fatalf("export %+v", res)
		}
		data, _ := os.ReadFile(path)
		if bytes.Contains(data, []byte("Rơ Mah")) || bytes.Contains(data, []byte("064190")) {
			t.Fatal("the USB file shows citizen data")
		}
		reply, err := h.importFile(data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.importFile(data); err != nil { // the province imports it twice
			t.Fatal(err)
		}
		rp := filepath.Join(dir, fmt.Sprintf("reply-%d%s", round, syncproto.ExtReplyFile))
		os.WriteFile(rp, reply, 0o600)
		for i := 0; i < 2; i++ { // the supervisor imports the reply twice
			if _, err := ImportReply(ctx, s, rp); err != nil {
				t.Fatal(err)
			}
			results = append(results, snapshot())
		}
	}
	// acked and outcome applied after the first import; identical ever after
	// (the accept event is the device's own, so its count grows by one, once).
	for i := 1; i < len(results); i++ {
		if i != 2 && results[i] != results[i-1] {
			t.Fatalf("import %d changed something: %v", i, results)
		}
	}
	// round 2's export carries the outcome event (seq 19); after it, acked covers it.
	if !strings.HasPrefix(results[0], "acked=18 ") || !strings.HasPrefix(results[3], "acked=19 ") || !strings.Contains(results[3], "state=accepted") {
		t.Fatalf("results %v", results)
	}
	sameLog(t, s, h)
}

func TestUSBRefusesBadReplies(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	enroll(t, s, h, url)
	intake(t, s, 3)
	other := newDevice(t, "600900", "B")
	enroll(t, other, h, url)
	intake(t, other, 2)
	dir := t.TempDir()
	reply := func(st *store.Store, name string) []byte {
		p := filepath.Join(dir, name)
		if _, err := ExportFile(ctx, st, p); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		rep, err := h.importFile(data)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	mine := reply(s, "a.pdsync")
	foreign := reply(other, "b.pdsync")
	batchFile, _ := os.ReadFile(filepath.Join(dir, "a.pdsync"))
	flipped := bytes.Clone(mine)
	flipped[len(flipped)-30] ^= 1
	cases := map[string][]byte{
		"truncated":  mine[:len(mine)-20],
		"half":       mine[:len(mine)/2],
		"flipped":    flipped,
		"foreign":    foreign,
		"batch file": batchFile,
		"garbage":    []byte("hello"),
		"empty":      nil,
	}
	for name, data := range cases {
		p := filepath.Join(dir, name+".pdreply")
		os.WriteFile(p, data, 0o600)
		_, err := ImportReply(ctx, s, p)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if st, _ := s.SyncState(ctx); st.AckedThrough != 0 {
			t.Fatalf("%s: marked synced", name)
		}
	}
	p := filepath.Join(dir, "good.pdreply")
	os.WriteFile(p, mine, 0o600)
	if _, err := ImportReply(ctx, s, p); err != nil {
		t.Fatal(err)
	}
	sameLog(t, s, h)
	rounds, _ := s.SyncRounds(ctx, 50)
	failed := 0
	for _, r := range rounds {
		if r.Via == "usb_import" && r.Error != "" {
			failed++
		}
	}
	if failed != len(cases) {
		t.Fatalf("%d failed imports in the history, want %d", failed, len(cases))
	}
}

func TestLoopBacksOffThenSyncs(t *testing.T) {
	h, url := startHub(t)
	s := newDevice(t, "600900", "A")
	enroll(t, s, h, url)
	intake(t, s, 5)
	h.mu.Lock()
	h.down = true
	h.mu.Unlock()
	c := New(s)
	l := NewLoop(c, nil)
	l.Min, l.Max, l.Interval = 5*time.Millisecond, 40*time.Millisecond, time.Hour
	states := make(chan Status, 100)
	l.OnStatus = func(st Status) {
		select {
		case states <- st:
		default:
		}
	}
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { l.Run(lctx); close(done) }()
	defer func() { cancel(); <-done }()
	offline := 0
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-states:
			switch st.State {
			case StateOffline:
				offline++
				if st.Waiting != 8 {
					t.Fatalf("waiting %d", st.Waiting)
				}
				if offline == 3 {
					h.mu.Lock()
					h.down = false
					h.mu.Unlock()
				}
			case StateSynced:
				if offline < 3 || st.Waiting != 0 || st.LastSuccess.IsZero() {
					t.Fatalf("synced after %d offline, %+v", offline, st)
				}
				sameLog(t, s, h)
				// Sync now: a new event goes up at once, not in an hour.
				intake(t, s, 1)
				l.SyncNow()
				for st := range states {
					if st.State == StateSynced {
						sameLog(t, s, h)
						return
					}
				}
			case StateError:
				t.Fatalf("error: %v", st.Err)
			}
		case <-deadline:
			t.Fatalf("no sync; %d offline reports", offline)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for n := 0; n < 40; n++ {
		d := Backoff(n, time.Second, 5*time.Minute)
		capN := time.Second << uint(min(n, 20))
		if capN > 5*time.Minute {
			capN = 5 * time.Minute
		}
		if d < capN/2 || d > capN {
			t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, capN/2, capN)
		}
	}
}

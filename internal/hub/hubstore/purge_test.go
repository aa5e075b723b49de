package hubstore_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
	"postdesk/internal/vault"
)

// purgeHub is a hub with dossiers of device 600900-A done long ago (a
// cancelled intake, a delivered intake with a delivery proof, a delivered
// result-only registration, a conflict quoting the first), one old but
// still open, one done lately; the hub's retention is 365 days.
type purgeHub struct {
	s                   *hubstore.Store
	d                   *hubtest.Device
	gone, kept          []domain.Person
	goneIDs, keptIDs    []string
	proofName, partName string
}

func person(name, id, phone, addr string) domain.Person {
	return domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: phone, Address: addr}
}

func newPurgeHub(t *testing.T) *purgeHub {
	t.Helper()
	s := hubtest.Open(t)
	d := hubtest.NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	h := &purgeHub{s: s, d: d,
		gone: []domain.Person{person("Siu Thị Hoa", "064301000451", "0905111451", "Làng Plei Ơi"),
			person("Kpă Nguyên", "052098000452", "0905222452", "Thôn Kon Mahar"),
			person("Ksor Y Bhin", "064090001234", "0912345678", "Làng Dơ Nâu")},
		kept: []domain.Person{person("Rơ Châm Thuận", "064301000453", "0905333453", "Làng Bi Giông"),
			person("Đinh Văn Lực", "052098000454", "0905444454", "Thôn Đak Kơ")},
	}
	// Done long ago: cancelled.
	a := d.IntakeOf(h.gone[0])
	d.Add(domain.KindCancel, a, domain.ReasonPayload{Reason: "Công dân rút"})
	// Done long ago: delivered, with a proof kept whole and one in parts.
	b := d.IntakeOf(h.gone[1])
	d.Handover(b)
	d.Add(domain.KindAccept, b, domain.AcceptPayload{OfficialCode: "000.00.20.H21-260302-0007", DueDate: d.Clock.AddDate(0, 0, 10)})
	d.Add(domain.KindResultReady, b, nil)
	d.Add(domain.KindResultHandover, b, domain.ResultHandoverPayload{HandoverID: "BG-2"})
	d.Add(domain.KindNote, b, domain.NotePayload{Text: "Gọi " + h.gone[1].Phone + " trước khi giao"})
	h.proofName, h.partName = b+"-photo-1.jpg.age", b+"-signature-1.png.age"
	d.Add(domain.KindDeliver, b, domain.DeliverPayload{RecipientName: h.gone[1].FullName, RecipientID: h.gone[1].IDNumber,
		FeeCollected: 15000, PhotoFile: h.proofName, SignatureFile: h.partName})
	// Done long ago: a result-only registration queued at the hub, delivered.
	csv := "outcome,post_point,official_code,applicant_name,applicant_id,applicant_phone,commune,address,procedure_code,procedure_name,agency_code,fee\n" +
		"result_only,600900,000.00.20.H21-260301-0042," + h.gone[2].FullName + "," + h.gone[2].IDNumber + "," + h.gone[2].Phone +
		",Ia O," + h.gone[2].Address + ",1.001193,Đăng ký khai sinh,000.00.20.H21,\"15.000\"\n"
	if _, err := s.QueueOutcomes(ctx, hubtest.ParseCSV(t, csv), "r.csv"); err != nil {
		t.Fatal(i18n.Message(err))
	}
	ups, err := s.Pull(ctx, d.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var reg domain.Dossier
	for _, u := range ups.Items {
		if u.Kind == syncproto.UpdateRegister {
			if err := json.Unmarshal(u.Payload, &reg); err != nil {
				t.Fatal(err)
			}
		}
	}
	d.N++
	local := d.Clock.In(domain.Zone)
	y, m, dd := local.Date()
	reg.ID = domain.ReceiptNumber{PostPoint: d.PP, Letter: "A", Date: time.Date(y, m, dd, 0, 0, 0, 0, domain.Zone), Seq: d.N}.String()
	reg.DeviceID = d.ID
	c := reg.ID
	d.Add(domain.KindRegisterResult, c, reg)
	d.Add(domain.KindResultHandover, c, domain.ResultHandoverPayload{HandoverID: "BG-3"})
	d.Add(domain.KindDeliver, c, domain.DeliverPayload{RecipientName: h.gone[2].FullName, RecipientID: h.gone[2].IDNumber, FeeCollected: 15000})
	// Old, still open: rejected, its papers to go back to the citizen.
	e := d.IntakeOf(h.kept[0])
	d.Handover(e)
	d.Add(domain.KindReject, e, domain.ReasonPayload{Reason: "Không đủ điều kiện"})
	// Done lately.
	d.Clock = d.Clock.AddDate(0, 0, 400)
	f := d.IntakeOf(h.kept[1])
	d.Add(domain.KindCancel, f, domain.ReasonPayload{Reason: "Công dân rút"})
	h.goneIDs, h.keptIDs = []string{a, b, c}, []string{e, f}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
		t.Fatal(err)
	}
	now := d.Clock.Add(24 * time.Hour)
	s.Now = func() time.Time { return now }

	// The proofs: one whole, one of which only the first part arrived.
	h.putProof(t, b, h.proofName, 1000, true)
	h.putProof(t, b, h.partName, syncproto.ProofPartSize+1000, false)
	// A conflict: event 1 sent again with other content (its payload quotes the citizen).
	other := *d
	other.Events = nil
	first := d.Events[0]
	var doss domain.Dossier
	if err := json.Unmarshal(first.Payload, &doss); err != nil {
		t.Fatal(err)
	}
	doss.Applicant.Address += " (sửa)"
	other.Clock = first.At.Add(-time.Minute)
	other.Add(domain.KindIntake, a, doss)
	_, err = s.ReceiveBatch(ctx, other.Batch(t, 1, 1), "http")
	hubtest.WantCode(t, err, syncproto.CodeConflict)
	if err := s.SetHubRetentionDays(ctx, 365); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *purgeHub) putProof(t *testing.T, dossier, name string, size int, whole bool) {
	t.Helper()
	plain := make([]byte, size)
	rand.Read(plain)
	sealed, err := vault.Seal(plain, []age.Recipient{h.s.AgeRecipient()})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(sealed)
	p := syncproto.ProofPart{Device: h.d.ID, Dossier: dossier, Name: name, Size: int64(len(sealed)), SHA256: hex.EncodeToString(sum[:])}
	for off := int64(0); off < p.Size; off += syncproto.ProofPartSize {
		p.Offset = off
		if _, _, err := h.s.PutProofPart(ctx, p, sealed[off:off+p.PartLen()]); err != nil {
			t.Fatal(err)
		}
		if !whole {
			return
		}
	}
}

// needles are what must not be found of people: name, ID number, phone.
func needles(ps []domain.Person) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.FullName, p.IDNumber, p.Phone)
	}
	return out
}

// figures is what the reports read: the BCCI counts by post point and the
// one-stop export of every dossier.
func figures(t *testing.T, s *hubstore.Store) string {
	t.Helper()
	p, err := domain.NewPeriod(time.Date(2026, 1, 1, 0, 0, 0, 0, domain.Zone), time.Date(2027, 12, 31, 0, 0, 0, 0, domain.Zone))
	if err != nil {
		t.Fatal(err)
	}
	counts, err := s.ReportCounts(ctx, p, true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(counts)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string // the export's rows come in the table's order (PostgreSQL: as stored)
	if _, err := s.ExportDossiers(ctx, p.Start(), p.End(), func(d *hubstore.PortalDossier) error {
		r, err := json.Marshal(d)
		rows = append(rows, string(r))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sort.Strings(rows)
	return string(b) + "\n" + strings.Join(rows, "\n")
}

func citizenDossiers(t *testing.T, s *hubstore.Store, id string) int {
	t.Helper()
	ex, err := s.CitizenExport(ctx, "tester", "cli", id, "json")
	if err != nil {
		t.Fatal(err)
	}
	return len(ex.Dossiers)
}

// TestHubPurgeRemovesPersonalDataKeepsFigures: the hub's retention removes
// the names, ID numbers and phones of the dossiers done before it from
// every table (SQLite: the file's bytes; PostgreSQL: every text and bytea
// column), keeps the open and the recent ones whole, the figures and the
// one-stop export identical, hub check passing and counting the redacted
// events; a dry run and a second purge change nothing; the citizen export
// finds nothing of a purged citizen; a device's retry of redacted events is
// accepted as the same events; a peer is handed nothing past the dropped
// envelope; a redacted payload changed afterwards fails hub check.
func TestHubPurgeRemovesPersonalDataKeepsFigures(t *testing.T) {
	h := newPurgeHub(t)
	s := h.s
	if rep, err := s.Check(ctx); err != nil || rep.ApplyErrors != 0 || rep.Proofs != 1 || rep.Conflicts != 1 {
		t.Fatalf("check before: %+v %v", rep, err)
	}
	before := figures(t, s)
	if got := hubtest.Holds(t, s.Path(), needles(h.gone)); len(got) != 3*len(h.gone) {
		t.Fatalf("before the purge only %v are found: the search does not see them", got)
	}
	if n := citizenDossiers(t, s, h.gone[1].IDNumber); n != 1 {
		t.Fatalf("citizen export before: %d dossiers", n)
	}

	snap := hubtest.Snapshot(t, s)
	dry, err := s.Purge(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(dry.Dossiers, h.goneIDs) || !dry.DryRun || dry.Days != 365 {
		t.Fatalf("dry run: %+v, want %v", dry, h.goneIDs)
	}
	if hubtest.Snapshot(t, s) != snap || len(hubtest.Holds(t, s.Path(), needles(h.gone))) != 3*len(h.gone) {
		t.Fatal("the dry run changed something")
	}

	// The purge runs in a process of its own (hub purge beside hub serve):
	// s, the serving one, keeps its copies of the dossiers it projected.
	cli, err := hubstore.Open(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	cli.Now = s.Now
	rep, err := cli.Purge(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rep.Dossiers, h.goneIDs) || rep.Events != 6 || rep.Proofs != 1 || rep.Conflicts != 1 || rep.Envelopes != 1 || len(rep.Waiting) != 0 {
		t.Fatalf("purge: %+v", rep)
	}
	if got := hubtest.Holds(t, s.Path(), needles(h.gone)); len(got) > 0 {
		t.Fatalf("after the purge the hub still holds %v", got)
	}
	if got := hubtest.Holds(t, s.Path(), needles(h.kept)); len(got) != 3*len(h.kept) {
		t.Fatalf("the dossiers not due lost data: only %v found", got)
	}
	chk, err := s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if chk.Redacted != rep.Events || chk.Proofs != 0 || chk.Dossiers != 5 {
		t.Fatalf("check after: %+v", chk)
	}
	if after := figures(t, s); after != before {
		t.Fatalf("the figures changed:\nbefore %s\nafter  %s", before, after)
	}
	for i, p := range h.gone {
		if n := citizenDossiers(t, s, p.IDNumber); n != 0 {
			t.Fatalf("citizen export of purged %d: %d dossiers", i, n)
		}
	}
	if n := citizenDossiers(t, s, h.kept[1].IDNumber); n != 1 {
		t.Fatalf("citizen export of a kept citizen: %d dossiers", n)
	}
	if n := hubtest.CountRows(t, s, "hub_proof_parts"); n != 0 {
		t.Fatalf("%d proof parts left", n)
	}
	d, _, err := s.DossierDetail(ctx, h.goneIDs[1])
	if err != nil || !d.PersonalDataPurged || d.Applicant.FullName != "" || d.State != domain.StateDelivered {
		t.Fatalf("purged dossier: %+v %v", d, err)
	}

	snap = hubtest.Snapshot(t, s)
	again, err := s.Purge(ctx, false)
	if err != nil || len(again.Dossiers) != 0 || again.Events != 0 {
		t.Fatalf("second purge: %+v %v", again, err)
	}
	if hubtest.Snapshot(t, s) != snap {
		t.Fatal("the second purge changed something")
	}

	// The device sends its events again from the start (a lost ack) with
	// one new about a purged dossier: the redacted ones are the same
	// events, the new one stored and projected onto the purged dossier (not
	// onto the serving process's copy from before), and the batch, which
	// holds the personal data as signed, is not kept.
	h.d.Add(domain.KindNote, h.goneIDs[0], domain.NotePayload{Text: "ok"})
	res, err := s.ReceiveBatch(ctx, h.d.Batch(t, 1, int64(len(h.d.Events))), "http")
	if err != nil || res.New != 1 {
		t.Fatalf("retry over redacted events: %+v %v", res, err)
	}
	if n := hubtest.CountRows(t, s, "conflicts"); n != 1 {
		t.Fatalf("the retry made %d conflicts", n)
	}
	if got := hubtest.Holds(t, s.Path(), needles(h.gone)); len(got) > 0 {
		t.Fatalf("after the retry the hub holds %v again", got)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	// The dossier has moved since its purge (its note): due again once the
	// retention has passed since.
	if again, err := cli.Purge(ctx, false); err != nil || len(again.Dossiers) != 0 {
		t.Fatalf("purge right after a new event: %+v %v", again, err)
	}
	later := s.Now().AddDate(1, 0, 1)
	cli.Now = func() time.Time { return later }
	if again, err := cli.Purge(ctx, false); err != nil || !slices.Contains(again.Dossiers, h.goneIDs[0]) || again.Events < 1 {
		t.Fatalf("purge a year after a new event: %+v %v", again, err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}

	// A peer of the post point is handed nothing of A past the dropped envelope.
	b := hubtest.NewDevice(t, "600900", "B")
	b.Enroll(t, s)
	envs, more, err := s.PeerEnvelopes(ctx, b.ID, map[string]int64{})
	if err != nil || len(envs) != 0 || more {
		t.Fatalf("peer envelopes after the purge: %d %v %v", len(envs), more, err)
	}

	// The guard: only a listed event's payload may change, nothing else of it.
	db := hubtest.DB(t, s)
	if _, err := db.Exec("UPDATE hub_events SET payload = payload WHERE kind = ?", string(domain.KindHandover)); err == nil {
		t.Fatal("an event not redacted was changed")
	}
	var seq int64
	var payload []byte
	if err := db.QueryRow(`SELECT h.seq, h.payload FROM hub_events h JOIN hub_event_redactions r ON r.device_id = h.device_id AND r.seq = h.seq
		WHERE h.kind = ? ORDER BY h.seq LIMIT 1`, string(domain.KindIntake)).Scan(&seq, &payload); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE hub_events SET staff = 'x' WHERE device_id = ? AND seq = ?", h.d.ID, seq); err == nil {
		t.Fatal("a redacted event's staff was changed")
	}
	tampered := bytes.Replace(payload, []byte("1.001193"), []byte("1.001194"), 1)
	if bytes.Equal(tampered, payload) {
		t.Fatal("nothing to tamper with")
	}
	if _, err := db.Exec("UPDATE hub_events SET payload = ? WHERE device_id = ? AND seq = ?", tampered, h.d.ID, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "changed since the purge") {
		t.Fatalf("check of a tampered redacted event: %v", err)
	}
}

// TestHubAutoPurgeDaily: hub serve's purge runs at once, then not again
// within a day; retention 0 keeps everything.
// TestHubPurgedDossierProofNotKept: a proof that reaches the hub after its
// dossier was purged (a device offline past the hub's retention) is
// answered complete, so the device stops sending it, and is not kept.
func TestHubPurgedDossierProofNotKept(t *testing.T) {
	h := newPurgeHub(t)
	if _, err := h.s.Purge(ctx, false); err != nil {
		t.Fatal(err)
	}
	h.putProof(t, h.goneIDs[1], h.goneIDs[1]+"-photo-2.jpg.age", syncproto.ProofPartSize+10, true)
	h.putProof(t, h.keptIDs[1], h.keptIDs[1]+"-photo-1.jpg.age", 100, true)
	for id, want := range map[string]int{h.goneIDs[1]: 0, h.keptIDs[1]: 1} {
		if ps, err := h.s.Proofs(ctx, id); err != nil || len(ps) != want {
			t.Fatalf("%s: %d proofs held, want %d (%v)", id, len(ps), want, err)
		}
	}
}

func TestHubAutoPurgeDaily(t *testing.T) {
	h := newPurgeHub(t)
	s := h.s
	if err := s.SetHubRetentionDays(ctx, 0); err != nil {
		t.Fatal(err)
	}
	rep, ran, err := s.AutoPurge(ctx)
	if err != nil || !ran || len(rep.Dossiers) != 0 {
		t.Fatalf("retention 0: %+v %v %v", rep, ran, err)
	}
	if err := s.SetHubRetentionDays(ctx, 365); err != nil {
		t.Fatal(err)
	}
	if _, ran, err := s.AutoPurge(ctx); err != nil || ran {
		t.Fatalf("again within the day: ran %v %v", ran, err)
	}
	now := s.Now().Add(hubstore.HubPurgeEvery)
	s.Now = func() time.Time { return now }
	rep, ran, err = s.AutoPurge(ctx)
	if err != nil || !ran || len(rep.Dossiers) != len(h.goneIDs) {
		t.Fatalf("a day later: %+v %v %v", rep, ran, err)
	}
	if err := s.SetHubRetentionDays(ctx, -1); err == nil {
		t.Fatal("a negative retention was taken")
	}
	if days, err := s.HubRetentionDays(ctx); err != nil || days != 365 {
		t.Fatalf("retention: %d %v", days, err)
	}
}

// TestHubCheckComparesDevicePurgeRecords: when the device purged a dossier
// too, its purge record (an event of its chain) names the same redacted
// hashes as the hub's; a redacted payload changed at the hub together with
// its record in hub_event_redactions then fails hub check.
func TestHubCheckComparesDevicePurgeRecords(t *testing.T) {
	h := newPurgeHub(t)
	s := h.s
	if _, err := s.Purge(ctx, false); err != nil {
		t.Fatal(err)
	}
	// The device's own purge of the delivered dossier, as store.Purge records it.
	id := h.goneIDs[1]
	rec := domain.PurgePayload{Dossier: id, Days: 365}
	for _, e := range h.d.Events {
		if e.Dossier != id {
			continue
		}
		red, changed, err := domain.RedactPayload(e.Kind, e.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if !changed {
			continue
		}
		r := e
		r.Payload = red
		rec.Events = append(rec.Events, domain.Redaction{Device: e.DeviceID, Seq: e.Seq, Hash: e.Hash, Redacted: r.ComputeHash()})
	}
	from := int64(len(h.d.Events)) + 1
	h.d.Add(domain.KindPurge, "", rec)
	if _, err := s.ReceiveBatch(ctx, h.d.Batch(t, from, from), "http"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("the device's and the hub's redactions differ: %v", err)
	}
	// Change a redacted payload and its record together.
	seq := rec.Events[0].Seq
	ev := h.d.Events[seq-1]
	red, _, _ := domain.RedactPayload(ev.Kind, ev.Payload)
	ev.Payload = bytes.Replace(red, []byte("1.001193"), []byte("1.001194"), 1)
	db := hubtest.DB(t, s)
	if _, err := db.Exec("UPDATE hub_event_redactions SET redacted_hash = ? WHERE device_id = ? AND seq = ?", ev.ComputeHash(), h.d.ID, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE hub_events SET payload = ? WHERE device_id = ? AND seq = ?", []byte(ev.Payload), h.d.ID, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "differs from device") {
		t.Fatalf("check of a payload changed with its record: %v", err)
	}
}

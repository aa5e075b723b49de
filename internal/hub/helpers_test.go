package hub

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/xuri/excelize/v2"

	"postdesk/internal/domain"
	"postdesk/internal/syncproto"
)

var ctx = context.Background()

func openHub(t testing.TB) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "HUB.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// fakeDevice makes a device's hash-chained events without a device
// database, so ingest tests control every byte.
type fakeDevice struct {
	id, pp string
	key    ed25519.PrivateKey
	age    *age.X25519Identity
	events []domain.Event
	clock  time.Time
	n      int // dossiers made
}

func newFakeDevice(t testing.TB, pp, letter string) *fakeDevice {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return &fakeDevice{id: pp + "-" + letter, pp: pp, key: key, age: id,
		clock: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
}

func (f *fakeDevice) enroll(t testing.TB, s *Store) {
	t.Helper()
	tok, err := s.IssueToken(ctx, f.pp, "test", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enroll(ctx, Enrollment{Token: tok.Token, DeviceID: f.id, PublicKey: f.key.Public().(ed25519.PublicKey),
		AgeRecipient: f.age.Recipient().String()}); err != nil {
		t.Fatal(err)
	}
}

func (f *fakeDevice) add(kind domain.Kind, dossier string, payload any) *domain.Event {
	f.clock = f.clock.Add(time.Minute)
	e := domain.Event{DeviceID: f.id, Seq: int64(len(f.events) + 1), Kind: kind, Dossier: dossier, Staff: "gdv1", At: f.clock}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	prev := ""
	if len(f.events) > 0 {
		prev = f.events[len(f.events)-1].Hash
	}
	e.Seal(prev)
	f.events = append(f.events, e)
	return &f.events[len(f.events)-1]
}

// intake adds a new dossier taken at the counter and returns its receipt number.
func (f *fakeDevice) intake() string {
	f.n++
	local := f.clock.In(domain.Zone)
	y, m, d := local.Date()
	id := domain.ReceiptNumber{PostPoint: f.pp, Letter: f.id[len(f.id)-1:], Date: time.Date(y, m, d, 0, 0, 0, 0, domain.Zone), Seq: f.n}.String()
	doss := domain.Dossier{ID: id, PostPointCode: f.pp, DeviceID: f.id, Option: domain.OptionSendAndReturn,
		ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh", AgencyCode: "000.00.20.H21",
		Applicant: domain.Person{FullName: "Rơ Mah H'Bích", IDNumber: "064301000123", IDType: domain.IDCCCD, Address: "Làng Mrông Yố"},
		Place:     domain.PlaceCounter, Postage: 15000, ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Mrông Yố, Ia O"}
	f.add(domain.KindIntake, id, doss)
	return id
}

// handover moves a dossier to the agency.
func (f *fakeDevice) handover(id string) {
	f.add(domain.KindHandover, id, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Thị Thu"})
}

// batch encodes events from..to (seq, inclusive) as one envelope.
func (f *fakeDevice) batch(t testing.TB, from, to int64) []byte {
	t.Helper()
	prev := ""
	if from > 1 {
		prev = f.events[from-2].Hash
	}
	b, n, err := syncproto.EncodeBatch(f.key, f.id, f.pp, prev, from, f.events[from-1:to], 0, f.clock, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) != to-from+1 {
		t.Fatalf("encoded %d of %d events", n, to-from+1)
	}
	return b.Raw
}

func countRows(t testing.TB, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantCode(t testing.TB, err error, code string) *syncproto.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want refusal %s, got success", code)
	}
	r := AsRefusal(err)
	if r.Code != code {
		t.Fatalf("want refusal %s, got %v", code, err)
	}
	return r
}

func openAck(t testing.TB, s *Store, ack []byte, device string) syncproto.Ack {
	t.Helper()
	sg, err := syncproto.ParseSigned(ack)
	if err != nil {
		t.Fatal(err)
	}
	a, err := syncproto.OpenAck(s.PublicKey(), sg, device)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// snapshot is everything ingest may write, to prove a refusal wrote nothing.
func snapshot(t testing.TB, s *Store) string {
	t.Helper()
	out := ""
	for _, q := range []string{
		"SELECT count(*), coalesce(sum(seq), 0) FROM hub_events",
		"SELECT count(*), coalesce(group_concat(batch_id), '') FROM batches",
		"SELECT coalesce(group_concat(id || ':' || head_seq || ':' || head_hash || ':' || last_batch_at), ''), '' FROM devices",
		"SELECT count(*), coalesce(sum(version), 0) FROM hub_dossiers",
	} {
		var a, b string
		if err := s.db.QueryRow(q).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s|%s;", a, b)
	}
	return out
}

func buildXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Package hubtest is what the hub's tests share: a hub store in a test's
// folder, a fake device that makes hash-chained events and batches without
// a device database, and checks of refusals, acks and what ingest wrote.
package hubtest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/xuri/excelize/v2"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

var ctx = context.Background()

// Open opens a new hub store in the test's folder, closed at its end.
func Open(t testing.TB) *hubstore.Store {
	t.Helper()
	s, err := hubstore.Open(NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	if s.IsPostgres() {
		s.SetCalendarDir(filepath.Join(t.TempDir(), "calendar"))
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// WithDossiers is a hub holding n dossiers of device 600900-A handed over to the agency.
func WithDossiers(t testing.TB, n int) (*hubstore.Store, *Device, []string) {
	s := Open(t)
	d := NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	var ids []string
	for i := 0; i < n; i++ {
		id := d.Intake()
		d.Handover(id)
		ids = append(ids, id)
	}
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
		t.Fatal(err)
	}
	return s, d, ids
}

// ParseCSV parses an outcome file's CSV text.
func ParseCSV(t testing.TB, text string) []hubstore.Outcome {
	t.Helper()
	rows, err := hubstore.ParseOutcomesCSV(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// Device makes a device's hash-chained events without a device
// database, so ingest tests control every byte.
type Device struct {
	ID, PP string
	Key    ed25519.PrivateKey
	Age    *age.X25519Identity
	Events []domain.Event
	Clock  time.Time
	N      int // dossiers made
}

// NewDevice is device letter of post point pp, its clock at 2 March 2026.
func NewDevice(t testing.TB, pp, letter string) *Device {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return &Device{ID: pp + "-" + letter, PP: pp, Key: key, Age: id,
		Clock: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
}

// Enroll enrolls the device at s with a fresh token.
func (f *Device) Enroll(t testing.TB, s *hubstore.Store) {
	t.Helper()
	tok, err := s.IssueToken(ctx, f.PP, "test", "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enroll(ctx, hubstore.Enrollment{Token: tok.Token, DeviceID: f.ID, PublicKey: f.Key.Public().(ed25519.PublicKey),
		AgeRecipient: f.Age.Recipient().String()}); err != nil {
		t.Fatal(err)
	}
}

// Add seals the next event.
func (f *Device) Add(kind domain.Kind, dossier string, payload any) *domain.Event {
	f.Clock = f.Clock.Add(time.Minute)
	e := domain.Event{DeviceID: f.ID, Seq: int64(len(f.Events) + 1), Kind: kind, Dossier: dossier, Staff: "gdv1", At: f.Clock}
	if payload != nil {
		e.Payload, _ = json.Marshal(payload)
	}
	prev := ""
	if len(f.Events) > 0 {
		prev = f.Events[len(f.Events)-1].Hash
	}
	e.Seal(prev)
	f.Events = append(f.Events, e)
	return &f.Events[len(f.Events)-1]
}

// Intake adds a new dossier taken at the counter and returns its receipt number.
func (f *Device) Intake() string {
	return f.IntakeOf(domain.Person{FullName: "Rơ Mah H'Bích", IDNumber: "064301000123", IDType: domain.IDCCCD, Address: "Làng Mrông Yố"})
}

// IntakeOf adds a new dossier of applicant taken at the counter and returns its receipt number.
func (f *Device) IntakeOf(applicant domain.Person) string {
	f.N++
	local := f.Clock.In(domain.Zone)
	y, m, d := local.Date()
	id := domain.ReceiptNumber{PostPoint: f.PP, Letter: f.ID[len(f.ID)-1:], Date: time.Date(y, m, d, 0, 0, 0, 0, domain.Zone), Seq: f.N}.String()
	doss := domain.Dossier{ID: id, PostPointCode: f.PP, DeviceID: f.ID, Option: domain.OptionSendAndReturn,
		ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh", AgencyCode: "000.00.20.H21",
		Applicant: applicant,
		Place:     domain.PlaceCounter, Postage: 15000, ReturnMethod: domain.ReturnByPost, ReturnAddress: applicant.Address + ", Ia O"}
	f.Add(domain.KindIntake, id, doss)
	return id
}

// Handover moves a dossier to the agency.
func (f *Device) Handover(id string) {
	f.Add(domain.KindHandover, id, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Thị Thu"})
}

// Batch encodes events from..to (seq, inclusive) as one envelope.
func (f *Device) Batch(t testing.TB, from, to int64) []byte {
	t.Helper()
	prev := ""
	if from > 1 {
		prev = f.Events[from-2].Hash
	}
	b, n, err := syncproto.EncodeBatch(f.Key, f.ID, f.PP, prev, from, f.Events[from-1:to], 0, f.Clock, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if int64(n) != to-from+1 {
		t.Fatalf("encoded %d of %d events", n, to-from+1)
	}
	return b.Raw
}

// CountRows counts the rows of a table of s, on a connection of the test's own.
func CountRows(t testing.TB, s *hubstore.Store, table string) int {
	t.Helper()
	var n int
	if err := DB(t, s).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// WantCode fails unless err is a refusal with code.
func WantCode(t testing.TB, err error, code string) *syncproto.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want refusal %s, got success", code)
	}
	r := hubstore.AsRefusal(err)
	if r.Code != code {
		t.Fatalf("want refusal %s, got %v", code, err)
	}
	return r
}

// OpenAck checks and opens an ack signed by s.
func OpenAck(t testing.TB, s *hubstore.Store, ack []byte, device string) syncproto.Ack {
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

// Snapshot is everything ingest may write, to prove a refusal wrote nothing.
func Snapshot(t testing.TB, s *hubstore.Store) string {
	t.Helper()
	db := DB(t, s)
	out := ""
	for _, q := range []string{
		"SELECT count(*), coalesce(sum(seq), 0) FROM hub_events",
		"SELECT count(*), coalesce(group_concat(batch_id), '') FROM batches",
		"SELECT coalesce(group_concat(id || ':' || head_seq || ':' || head_hash || ':' || last_batch_at), ''), '' FROM devices",
		"SELECT count(*), coalesce(sum(version), 0) FROM hub_dossiers",
	} {
		var a, b string
		if err := db.QueryRow(q).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s|%s;", a, b)
	}
	return out
}

// BuildXLSX writes rows on Sheet1 of a new workbook.
func BuildXLSX(t testing.TB, rows [][]any) []byte {
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

// Browser signs in to the hub's staff page at Base and keeps its cookies.
type Browser struct {
	T    testing.TB
	Base string
	C    *http.Client
}

// NewBrowser is a browser with a cookie jar of its own.
func NewBrowser(t testing.TB, base string) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, Base: base, C: &http.Client{Jar: jar}}
}

// Get fetches path and returns the status and body.
func (b *Browser) Get(path string) (int, string) {
	resp, err := b.C.Get(b.Base + path)
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// Post posts a form to path.
func (b *Browser) Post(path string, form url.Values) (int, string, *http.Response) {
	resp, err := b.C.PostForm(b.Base+path, form)
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// CSRFOf is the CSRF token of a page's form.
func CSRFOf(t testing.TB, page string) string {
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", page)
	}
	return m[1]
}

// Login signs in through the sign-in form.
func (b *Browser) Login(user, pass string) (int, string) {
	_, page := b.Get("/login")
	code, body, _ := b.Post("/login", url.Values{"csrf": {CSRFOf(b.T, page)}, "username": {user}, "password": {pass}})
	return code, body
}

// OneStop is a hub with four dossiers of device 600900-A in several
// states (received, accepted with an item code, rejected, cancelled).
func OneStop(t testing.TB) (*hubstore.Store, map[string]domain.State) {
	s := Open(t)
	d := NewDevice(t, "600900", "A")
	d.Enroll(t, s)
	states := map[string]domain.State{}
	a := d.Intake() // received
	states[a] = domain.StateReceived
	b := d.Intake()
	d.Handover(b)
	d.Add(domain.KindAccept, b, domain.AcceptPayload{OfficialCode: "000.00.20.H21-260302-0001", DueDate: time.Date(2026, 3, 16, 0, 0, 0, 0, domain.Zone)})
	d.Add(domain.KindSetItemCode, b, map[string]string{"item_code": "RR473124829VN"})
	states[b] = domain.StateAccepted
	c := d.Intake()
	d.Handover(c)
	d.Add(domain.KindReject, c, domain.ReasonPayload{Reason: "Không đủ điều kiện"})
	states[c] = domain.StateRejected
	e := d.Intake()
	d.Add(domain.KindCancel, e, domain.ReasonPayload{Reason: "Công dân rút"})
	states[e] = domain.StateCancelled
	if _, err := s.ReceiveBatch(ctx, d.Batch(t, 1, int64(len(d.Events))), "http"); err != nil {
		t.Fatal(err)
	}
	return s, states
}

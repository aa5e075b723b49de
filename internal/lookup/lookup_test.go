package lookup

import (
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

var ctx = context.Background()

type fixture struct {
	s              *store.Store
	first, second  *domain.Dossier
	item, official string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "lookup.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	mk := func(name, id, phone, item string) *domain.Dossier {
		d, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: domain.OptionSendAndReturn, ProcedureCode: "1.001193",
			ProcedureName: "Thủ tục đăng ký khai sinh", AgencyCode: "000.01.50.H21",
			Applicant: domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: phone},
			Place:     domain.PlaceCounter, ReturnMethod: domain.ReturnByPost, ReturnAddress: "Làng Mrông Yố", ItemCode: item})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	f := fixture{s: s, item: domain.MakeItemCode("RR", 47312482, "VN"), official: "000.01.50.H21-261125-0975"}
	f.first = mk("Rơ Mah H'Bích", "064301000045", "0905123456", f.item)
	f.second = mk("Nguyễn Thị Hằng", "064190000123", "0356789012", "")
	if _, _, err := s.Record(ctx, "gdv1", domain.KindHandover, f.second.ID, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Thị Thu"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindAccept, f.second.ID, domain.AcceptPayload{OfficialCode: f.official,
		DueDate: time.Date(2026, 12, 5, 0, 0, 0, 0, domain.Zone)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLookup(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		text string
		kind Kind
		want []string // receipt numbers, in order
	}{
		{f.first.ID, KindReceipt, []string{f.first.ID}},
		{" " + f.second.ID + " ", KindReceipt, []string{f.second.ID}},
		{"600900a-261125-0002", KindReceipt, []string{f.second.ID}},
		{"600900A-261125-0099", KindReceipt, nil}, // a real shape, not on this device
		{f.item, KindItemCode, []string{f.first.ID}},
		{"rr 47312482 9 vn", KindItemCode, []string{f.first.ID}},
		{domain.MakeItemCode("RR", 11111111, "VN"), KindItemCode, nil},
		{f.official, KindOfficialCode, []string{f.second.ID}},
		{"064301000045", KindSearch, []string{f.first.ID}},
		{"0356 789 012", KindSearch, []string{f.second.ID}},
		{"+84 356 789 012", KindSearch, []string{f.second.ID}},
		{"nguyen thi", KindSearch, []string{f.second.ID}},
		{"Rơ Mah", KindSearch, []string{f.first.ID}},
		{"bích", KindSearch, []string{f.first.ID}},      // a word inside the name
		{"thi hang", KindSearch, []string{f.second.ID}}, // words inside, in order of typing
		{"hang bich", KindSearch, nil},
		{"600900A", KindSearch, []string{f.second.ID, f.first.ID}},
		{"Trần Văn Không Có", KindSearch, nil},
		{"https://example.com/?q=1", KindNone, nil},
		{"{\"a\":1}", KindNone, nil},
		{"12", KindNone, nil},
		{"", KindNone, nil},
	}
	for _, tt := range tests {
		res, err := Lookup(ctx, f.s, tt.text)
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		var got []string
		for _, r := range res.Dossiers {
			got = append(got, r.ID)
		}
		if res.Kind != tt.kind || len(got) != len(tt.want) {
			t.Errorf("%q: kind %s, %v; want %s, %v", tt.text, res.Kind, got, tt.kind, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%q: got %v, want %v", tt.text, got, tt.want)
			}
		}
	}
}

func TestLookupQRHook(t *testing.T) {
	f := newFixture(t)
	defer func(old QRReader) { ReadQR = old }(ReadQR)
	forged := errors.New("bad signature")
	ReadQR = func(_ context.Context, _ *store.Store, text string) (QR, bool) {
		switch text {
		case "QR-GOOD":
			return QR{Receipt: f.first.ID}, true
		case "QR-FORGED":
			return QR{Receipt: f.first.ID, Err: forged}, true
		}
		return QR{}, false
	}
	res, err := Lookup(ctx, f.s, "QR-GOOD")
	if err != nil || res.Kind != KindQR || !res.SignatureValid || len(res.Dossiers) != 1 || res.Dossiers[0].ID != f.first.ID || !res.Exact() {
		t.Fatalf("good QR: %+v, %v", res, err)
	}
	res, err = Lookup(ctx, f.s, "QR-FORGED")
	if err != nil || res.Kind != KindQR || res.SignatureValid || res.SignatureErr != forged || len(res.Dossiers) != 1 {
		t.Fatalf("forged QR: %+v, %v", res, err)
	}
	// Text that is no QR falls through to the other kinds.
	if res, _ := Lookup(ctx, f.s, f.first.ID); res.Kind != KindReceipt {
		t.Fatalf("receipt number read as %s", res.Kind)
	}
}

// TestLookupRealQR signs a receipt QR with the device key, as the receipt
// does, and scans it back: genuine, tampered, another device's, and a
// genuine signature over another dossier's time.
func TestLookupRealQR(t *testing.T) {
	f := newFixture(t)
	st, err := f.s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := f.s.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.s.Dossier(ctx, f.first.ID)
	if err != nil {
		t.Fatal(err)
	}
	good, err := receipt.MakeQR(st.LookupURLTemplate, d, key)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Lookup(ctx, f.s, good)
	if err != nil || res.Kind != KindQR || !res.SignatureValid || len(res.Dossiers) != 1 || res.Dossiers[0].ID != f.first.ID {
		t.Fatalf("genuine QR: %+v, %v", res, err)
	}

	// The receipt number changed to another dossier's: the signature fails,
	// and the dossier the QR names is still found (to show it flagged).
	tampered := strings.Replace(good, f.first.ID, f.second.ID, 1)
	res, err = Lookup(ctx, f.s, tampered)
	if err != nil || res.Kind != KindQR || res.SignatureValid || !errors.Is(res.SignatureErr, receipt.ErrBadSignature) ||
		len(res.Dossiers) != 1 || res.Dossiers[0].ID != f.second.ID {
		t.Fatalf("tampered QR: %+v, %v", res, err)
	}

	// Signed by a key this device does not know.
	_, other, _ := ed25519.GenerateKey(nil)
	foreign, err := receipt.SignQR(st.LookupURLTemplate, d.ID, "600901-B", d.ReceivedAt, other)
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := Lookup(ctx, f.s, foreign); res.SignatureValid || !errors.Is(res.SignatureErr, receipt.ErrUnknownDevice) {
		t.Fatalf("foreign QR: %+v", res)
	}
	// Once sync has brought that device's key, its receipts verify here too
	// (its time of receipt matches: it signed this dossier's own time).
	if err := f.s.PutDeviceKey(ctx, "600901-B", "600901", other.Public().(ed25519.PublicKey), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if res, _ := Lookup(ctx, f.s, foreign); !res.SignatureValid {
		t.Fatalf("QR of a known device: %+v", res)
	}

	// Our own genuine signature, but over another time of receipt.
	shifted, err := receipt.SignQR(st.LookupURLTemplate, d.ID, d.DeviceID, d.ReceivedAt.Add(-time.Hour), key)
	if err != nil {
		t.Fatal(err)
	}
	res, _ = Lookup(ctx, f.s, shifted)
	var fe *domain.FieldError
	if res.SignatureValid || !errors.As(res.SignatureErr, &fe) || fe.Key != "scan.err.qr_mismatch" {
		t.Fatalf("shifted QR: %+v", res)
	}
}

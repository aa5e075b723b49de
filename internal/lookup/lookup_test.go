package lookup

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/domain"
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

func TestLookupQR(t *testing.T) {
	f := newFixture(t)
	defer func(old QRReader) { ReadQR = old }(ReadQR)
	forged := errors.New("bad signature")
	ReadQR = func(_ context.Context, _ *store.Store, text string) (string, bool, error) {
		switch text {
		case "QR-GOOD":
			return f.first.ID, true, nil
		case "QR-FORGED":
			return f.first.ID, true, forged
		}
		return "", false, nil
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

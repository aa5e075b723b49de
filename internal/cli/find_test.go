package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/receipt"
	"postdesk/internal/store"
)

// findDB makes a database with two dossiers of known applicants.
func findDB(t *testing.T) (path string, first, second *domain.Dossier, qr string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "find.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Setup(ctx, desk.DemoPostPoint, "A"); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	mk := func(name, id, phone, item string) *domain.Dossier {
		d, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: domain.OptionSend, ProcedureCode: "1.001193",
			ProcedureName: "Thủ tục đăng ký khai sinh", AgencyCode: "000.01.50.H21",
			Applicant: domain.Person{FullName: name, IDNumber: id, IDType: domain.IDCCCD, Phone: phone},
			Place:     domain.PlaceCounter, ItemCode: item})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	first = mk("Rơ Mah H'Bích", "064301000045", "0905123456", domain.MakeItemCode("RR", 47312482, "VN"))
	second = mk("Siu Thị Hằng", "064190000123", "0356789012", "")
	st, _ := s.Settings(ctx)
	key, err := s.DeviceKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if qr, err = receipt.MakeQR(st.LookupURLTemplate, first, key); err != nil {
		t.Fatal(err)
	}
	return path, first, second, qr
}

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestFindPrintsOneDossierALine(t *testing.T) {
	db, first, second, qr := findDB(t)
	for _, text := range []string{first.ID, "RR473124829VN", "064301000045", "0905 123 456", qr} {
		code, out, errs := runCLI("find", "--db", db, text)
		if code != 0 {
			t.Fatalf("find %q: exit %d, %s", text, code, errs)
		}
		want := first.ID + "\treceived\tRơ Mah H'Bích\t1.001193\t25/11/2026\n"
		if out != want {
			t.Errorf("find %q printed %q, want %q", text, out, want)
		}
	}
	// A name finds both, newest first; flags may follow the text.
	code, out, _ := runCLI("find", "hằng", "--db", db)
	if code != 0 || !strings.HasPrefix(out, second.ID+"\t") {
		t.Fatalf("find by name: exit %d, %q", code, out)
	}
	code, out, _ = runCLI("find", "--db", db, "600900A")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], second.ID) || !strings.HasPrefix(lines[1], first.ID) {
		t.Fatalf("find by prefix: exit %d, %q", code, out)
	}
}

func TestFindJSON(t *testing.T) {
	db, first, _, qr := findDB(t)
	code, out, errs := runCLI("find", "--db", db, "--json", qr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got struct {
		Kind           string
		SignatureValid *bool `json:"signature_valid"`
		Dossiers       []findRow
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Kind != "qr" || got.SignatureValid == nil || !*got.SignatureValid || len(got.Dossiers) != 1 {
		t.Fatalf("json %s", out)
	}
	r := got.Dossiers[0]
	if r.Receipt != first.ID || r.Applicant != "Rơ Mah H'Bích" || r.Received != "25/11/2026" || r.ItemCode != "RR473124829VN" || r.State != "received" {
		t.Fatalf("row %+v", r)
	}
}

func TestFindBadInput(t *testing.T) {
	db, first, second, qr := findDB(t)
	code, out, errs := runCLI("find", "--db", db, "https://example.com/?q=1")
	if code != 1 || out != "" || !strings.Contains(errs, "not a PostDesk receipt") {
		t.Fatalf("garbage: exit %d, out %q, err %q", code, out, errs)
	}
	code, _, errs = runCLI("find", "--db", db, "Không Có Ai")
	if code != 1 || !strings.Contains(errs, "no dossier") {
		t.Fatalf("no match: exit %d, err %q", code, errs)
	}
	// A tampered QR still names its dossier, but fails.
	tampered := strings.Replace(qr, first.ID, second.ID, 1)
	code, out, errs = runCLI("find", "--db", db, tampered)
	if code != 1 || !strings.HasPrefix(out, second.ID) || !strings.Contains(errs, "forged") {
		t.Fatalf("tampered: exit %d, out %q, err %q", code, out, errs)
	}
	code, out, _ = runCLI("find", "--db", db, "--json", tampered)
	if code != 1 || !strings.Contains(out, `"signature_valid": false`) {
		t.Fatalf("tampered json: exit %d, %s", code, out)
	}
	if code, _, errs := runCLI("find", "--db", db); code != 2 || !strings.Contains(errs, "usage") {
		t.Fatalf("no text: exit %d, %q", code, errs)
	}
	if code, _, _ := runCLI("find", "x"); code != 2 {
		t.Fatalf("no --db: exit %d", code)
	}
}

// TestFindOfficialCodeLevelOneFirst: `postdesk find H15.50.05.13-261008-0975`
// reads the text as an official dossier code (the agency code written level 1
// first, QCVN 102:2016) and finds the dossier the agency gave it to.
func TestFindOfficialCodeLevelOneFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "find.db")
	s, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Setup(ctx, desk.DemoPostPoint, "A"); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 10, 8, 9, 0, 0, 0, domain.Zone)
	s.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	d, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: domain.OptionSend, ProcedureCode: "1.001193",
		ProcedureName: "Thủ tục đăng ký khai sinh", AgencyCode: "H15.50.05.13",
		Applicant: domain.Person{FullName: "Ksor H'Mai", IDNumber: "064301000045", IDType: domain.IDCCCD, Phone: "0905123456"},
		Place:     domain.PlaceCounter})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BG-1", Officer: "Lê Thị Thu"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Record(ctx, "gdv1", domain.KindAccept, d.ID, domain.AcceptPayload{OfficialCode: "H15.50.05.13-261008-0975",
		DueDate: time.Date(2026, 10, 20, 0, 0, 0, 0, domain.Zone)}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs := runCLI("find", "--db", path, "--json", "H15.50.05.13-261008-0975")
	if code != 0 {
		t.Fatalf("find: %d %s", code, errs)
	}
	var got struct {
		Kind     string    `json:"kind"`
		Dossiers []findRow `json:"dossiers"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Kind != "official_code" || len(got.Dossiers) != 1 || got.Dossiers[0].Receipt != d.ID {
		t.Errorf("find by official code: %s", out)
	}
}

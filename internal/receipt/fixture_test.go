package receipt

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

var ctx = context.Background()

// The names the tests look for, letter for letter, in the printed PDF.
const (
	applicantName = "Nguyễn Thị Hằng"
	repName       = "Rơ Mah H'Bích"
	clerkName     = "Trần Thị Thu Hương"
	procName      = "Đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"
	procCode      = "1.001193"
	agencyCode    = "000.00.20.H21"
	agencyName    = "Ủy ban nhân dân xã Ia O"
)

// receivedAt is Friday 28/11/2025 09:30 in Vietnam: five processing days
// and two transit days later, skipping two weekends, is Tuesday 09/12/2025.
var receivedAt = time.Date(2025, 11, 28, 9, 30, 0, 0, domain.Zone)

const wantAppointment = "09/12/2025"

// newStore opens a real database in a temporary folder with a post point,
// a catalog of one procedure and agency, a clerk, and one dossier taken at
// receivedAt; it returns the store and the dossier.
func newStore(t testing.TB) (*store.Store, *domain.Dossier) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "postdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return receivedAt }
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O",
		Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCatalog(ctx, "admin", store.CatalogImport{
		FileName: "test.csv",
		Agencies: []domain.Agency{{Code: agencyCode, Name: agencyName, Level: "cấp xã"}},
		Procedures: []domain.Procedure{{Code: procCode, Name: procName, Field: "Hộ tịch", Level: "cấp xã",
			AgencyCode: agencyCode, ProcessingDays: 5, Fee: 0, FeeKnown: true, Postage: 15000,
			BCCIIntake: true, BCCIReturn: true,
			Documents: []domain.DocumentRequirement{
				{Name: "Tờ khai đăng ký khai sinh", Required: true, Original: true},
				{Name: "Giấy chứng sinh", Required: true, Original: true},
				{Name: "Giấy tờ chứng minh nơi cư trú", Required: true},
			}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaff(ctx, "", domain.Staff{Username: "gdv1", FullName: clerkName, Role: domain.RoleClerk},
		"not-a-real-hash"); err != nil {
		t.Fatal(err)
	}
	st, err := s.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st.TransitDays = 2
	st.Holidays = []string{"01/01/2026", "02/09/2025"}
	if err := s.SaveSettings(ctx, "admin", st); err != nil {
		t.Fatal(err)
	}
	d, err := s.Intake(ctx, "gdv1", sampleDossier())
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

func sampleDossier() domain.Dossier {
	return domain.Dossier{
		Option:        domain.OptionSendAndReturn,
		ProcedureCode: procCode, ProcedureName: procName, AgencyCode: agencyCode,
		Applicant: domain.Person{FullName: applicantName, IDNumber: "064190000123", IDType: domain.IDCCCD,
			Phone: "0905123456", Commune: "Ia O", Address: "Làng Bi Giông"},
		Representative: &domain.Person{FullName: repName, IDNumber: "064301000045", IDType: domain.IDCCCD,
			Phone: "0356789012"},
		Documents: []domain.DocumentItem{
			{Name: "Tờ khai đăng ký khai sinh", Required: true, Received: true, Original: true, Count: 1},
			{Name: "Giấy chứng sinh", Required: true, Received: true, Original: true, Count: 1},
			{Name: "Giấy tờ chứng minh nơi cư trú", Required: true, Received: false, Count: 0},
		},
		MissingNotified: true,
		Place:           domain.PlaceCounter,
		Postage:         15000,
		Fee:             0,
		FeePayment:      domain.PayNow,
		ReturnMethod:    domain.ReturnByPost,
		ReturnAddress:   "Làng Bi Giông, xã Ia O, tỉnh Gia Lai",
		ItemCode:        domain.MakeItemCode("RR", 47312482, "VN"),
		ReceivedAt:      receivedAt,
	}
}

// input is the receipt input of the fixture's dossier, as ForDossier makes it.
func input(t testing.TB, layout string) (Input, *store.Store) {
	t.Helper()
	s, d := newStore(t)
	in, err := ForDossier(ctx, s, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	in.Layout = layout
	in.Now = receivedAt.Add(time.Minute)
	return in, s
}

// needTool returns a poppler or zbar tool's path; a missing one skips the
// test, or fails it under CI (see internal/testtool).
func needTool(t testing.TB, name string) string {
	t.Helper()
	return testtool.Need(t, name)
}

// pdfText is the text of a PDF as pdftotext -layout reads it.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	return pdftotext(t, pdf, "-layout")
}

// pdfTextBoth is the -layout text followed by the text in reading order,
// where a phrase wrapped inside one of two columns reads whole again.
func pdfTextBoth(t testing.TB, pdf []byte) string {
	t.Helper()
	return pdftotext(t, pdf, "-layout") + "\n" + pdftotext(t, pdf, "-raw")
}

func pdftotext(t testing.TB, pdf []byte, mode string) string {
	t.Helper()
	needTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", mode, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// render renders in and returns the PDF.
func render(t testing.TB, in Input) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

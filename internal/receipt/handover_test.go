package receipt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/register"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

var rtCtx = context.Background()

const (
	rtAgencyCode = "000.00.20.H21"
	rtAgencyName = "Ủy ban nhân dân xã Ia Grai"
	rtWorker     = "Ksor Y Phôn"
)

var rtDay = time.Date(2026, 11, 25, 9, 0, 0, 0, domain.Zone)

// rtStore opens a database with a post point, an agency, a postal worker
// and n received dossiers (Jrai and Kinh names), returning their numbers.
func rtStore(t testing.TB, n int) (*store.Store, []string) {
	t.Helper()
	s, err := store.Open(filepath.Join(t.TempDir(), "postdesk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clock := rtDay
	s.Now = func() time.Time { clock = clock.Add(time.Second); return clock }
	if err := s.Setup(rtCtx, domain.PostPoint{Code: "553140", Name: "Bưu điện Văn hóa xã Ia Grai", Commune: "Ia Grai", Province: "Gia Lai"}, "A"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ImportCatalog(rtCtx, "admin", store.CatalogImport{FileName: "t.csv",
		Agencies: []domain.Agency{{Code: rtAgencyCode, Name: rtAgencyName, Level: "cấp xã"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddStaff(rtCtx, "", domain.Staff{Username: "buuta1", FullName: rtWorker, Role: domain.RolePostalWorker}, "x"); err != nil {
		t.Fatal(err)
	}
	names := []string{"Rơ Mah H'Bích", "Nguyễn Thị Hằng", "Ksor Y Bhin", "Đinh Thị Blơm"}
	var ids []string
	err = s.Bulk(rtCtx, func(b *store.Bulk) error {
		for i := 0; i < n; i++ {
			d := domain.Dossier{
				Option: domain.OptionSendAndReturn, ProcedureCode: "1.001193", ProcedureName: "Đăng ký khai sinh", AgencyCode: rtAgencyCode,
				Applicant: domain.Person{FullName: names[i%len(names)], IDNumber: fmt.Sprintf("0641900%05d", i), IDType: domain.IDCCCD,
					Phone: "0905123456", Commune: "Ia Grai", Address: "Thôn 1"},
				Place: domain.PlaceCounter, Postage: 15000, Fee: 8000, FeePayment: domain.PayNow, FeePaid: true,
				ReturnMethod: domain.ReturnByPost, ReturnAddress: "Thôn 1, Ia Grai",
				Documents: []domain.DocumentItem{
					{Name: "Tờ khai", Required: true, Received: true, Original: true, Count: 2},
					{Name: "Bản sao CCCD", Received: true, Count: 1},
				},
				ReceivedAt: s.Now(),
			}
			got, err := b.Intake("gdv1", d)
			if err != nil {
				return err
			}
			ids = append(ids, got.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, ids
}

// rtPDFText is the text pdftotext reads from a PDF, with runs of spaces
// squeezed so table columns do not matter.
func rtPDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	testtool.Need(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return regexp.MustCompile(`[ \t]+`).ReplaceAllString(string(out), " ")
}

func handoverPDF(t testing.TB, s *store.Store, id string) string {
	t.Helper()
	in, err := HandoverFor(rtCtx, s, id)
	if err != nil {
		t.Fatal(err)
	}
	in.Lang, _ = i18n.New("vi")
	var b bytes.Buffer
	if err := RenderHandover(&b, in); err != nil {
		t.Fatal(err)
	}
	return rtPDFText(t, b.Bytes())
}

func wantAll(t *testing.T, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("the PDF lacks %q", p)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", text)
	}
}

func TestHandoverRecordPDFs(t *testing.T) {
	s, ids := rtStore(t, 3)
	h, err := s.CreateHandover(rtCtx, "buuta1", domain.HandoverOut, rtAgencyCode, ids)
	if err != nil {
		t.Fatal(err)
	}
	draft := handoverPDF(t, s, h.ID)
	wantAll(t, draft, "BIÊN BẢN GIAO NHẬN HỒ SƠ", h.ID, "(Bản nháp — chưa xác nhận)", rtAgencyName, rtAgencyCode,
		ids[0], ids[1], ids[2], "Rơ Mah H'Bích", "Nguyễn Thị Hằng", "Ksor Y Bhin", "Đăng ký khai sinh",
		"Tổng cộng: 3 hồ sơ, 9 giấy tờ; phí, lệ phí thu hộ: 24.000 ₫", "8.000 ₫",
		"ĐẠI DIỆN BƯU ĐIỆN", "ĐẠI DIỆN CƠ QUAN", rtWorker, "Hôm nay, ngày 25/11/2026")

	if _, err := s.ConfirmHandover(rtCtx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	signed := handoverPDF(t, s, h.ID)
	wantAll(t, signed, "BIÊN BẢN GIAO NHẬN HỒ SƠ", "Lê Thị Thu", ids[2])
	if strings.Contains(signed, "Bản nháp") {
		t.Error("a confirmed record still says draft")
	}

	// Results back: the inbound record lists the official codes.
	code := domain.OfficialCode{Agency: rtAgencyCode, Date: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Seq: 975}.String()
	if _, err := s.Accept(rtCtx, "gdv1", ids[0], domain.AcceptPayload{OfficialCode: code, DueDate: rtDay.AddDate(0, 0, 7)}); err != nil {
		t.Fatal(err)
	}
	in, err := s.CreateHandover(rtCtx, "buuta1", domain.HandoverIn, "", ids[:2])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(rtCtx, "buuta1", in.ID, "Phạm Văn Đức"); err != nil {
		t.Fatal(err)
	}
	inbound := handoverPDF(t, s, in.ID)
	wantAll(t, inbound, "BIÊN BẢN GIAO NHẬN KẾT QUẢ", in.ID, code, ids[0], ids[1], "Phạm Văn Đức", "Tổng cộng: 2 kết quả.")
	if strings.Contains(inbound, ids[2]) {
		t.Error("the inbound record lists a dossier it does not hold")
	}
	// Bên giao is the agency on an inbound record.
	if i, j := strings.Index(inbound, "Bên giao"), strings.Index(inbound, rtAgencyName); i < 0 || j < i {
		t.Error("the agency must be the giving side of an inbound record")
	}

	// A return record after a refusal.
	if err := s.TakeOutForDelivery(rtCtx, "buuta1", []string{ids[1]}); err != nil {
		t.Fatal(err)
	}
	_, ret, err := s.FailDelivery(rtCtx, "buuta1", ids[1], domain.FailedPayload{Reason: domain.FailRefused})
	if err != nil || ret == nil {
		t.Fatal(ret, err)
	}
	wantAll(t, handoverPDF(t, s, ret.ID), "BIÊN BẢN TRẢ LẠI KẾT QUẢ", ids[1], "Từ chối nhận", "1 lần phát")
}

func TestRegisterPDF(t *testing.T) {
	s, ids := rtStore(t, 4)
	h, err := s.CreateHandover(rtCtx, "buuta1", domain.HandoverOut, rtAgencyCode, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmHandover(rtCtx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		t.Fatal(err)
	}
	r, err := register.Compute(rtCtx, s, rtDay)
	if err != nil {
		t.Fatal(err)
	}
	lang, _ := i18n.New("vi")
	var b bytes.Buffer
	if err := RenderRegister(&b, r, lang); err != nil {
		t.Fatal(err)
	}
	text := rtPDFText(t, b.Bytes())
	wantAll(t, text, "SỔ THEO DÕI TIẾP NHẬN, TRẢ KẾT QUẢ VÀ THU TIỀN TRONG NGÀY", "Ngày 25/11/2026",
		"Bưu điện Văn hóa xã Ia Grai", "Tổng cộng", "Ksor Y Phôn (buuta1)", "gdv1",
		"Tổng tiền đã thu: 92.000 ₫ (tiền mặt 92.000 ₫, chuyển khoản 0 ₫)", lang.T("event.dossier.handover"), ids[3], h.ID,
		"NGƯỜI LẬP SỔ", "TRƯỞNG BƯU CỤC")
}

// BenchmarkHandover500 is one handover of 500 dossiers: the draft, its
// confirmation (500 events in one transaction) and its PDF.
func BenchmarkHandover500(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, ids := rtStore(b, 500)
		b.StartTimer()
		h, err := s.CreateHandover(rtCtx, "buuta1", domain.HandoverOut, rtAgencyCode, ids)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.ConfirmHandover(rtCtx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
			b.Fatal(err)
		}
		in, err := HandoverFor(rtCtx, s, h.ID)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := RenderHandover(&buf, in); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkRegisterPDF300 is the daily register of a day with 300 events:
// computed from the log and printed.
func BenchmarkRegisterPDF300(b *testing.B) {
	s, ids := rtStore(b, 150)
	h, err := s.CreateHandover(rtCtx, "buuta1", domain.HandoverOut, rtAgencyCode, ids)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.ConfirmHandover(rtCtx, "buuta1", h.ID, "Lê Thị Thu"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := register.Compute(rtCtx, s, rtDay)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Lines) != 300 {
			b.Fatalf("%d lines", len(r.Lines))
		}
		var buf bytes.Buffer
		if err := RenderRegister(&buf, r, nil); err != nil {
			b.Fatal(err)
		}
	}
}

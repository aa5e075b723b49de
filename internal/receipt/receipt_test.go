package receipt

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"

	"postdesk/i18n"
	"postdesk/internal/atomicfile"
	"postdesk/internal/calendar"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
)

// flat collapses all white space, so text wrapped over lines still matches.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	f := flat(text)
	for _, w := range wants {
		if !strings.Contains(text, w) && !strings.Contains(f, flat(w)) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
}

// pageSize reads the first page's size in points with pdfinfo.
func pageSize(t *testing.T, pdf []byte) (w, h float64) {
	t.Helper()
	needTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf("pdfinfo: no page size in %s", out)
	}
	w, _ = strconv.ParseFloat(m[1], 64)
	h, _ = strconv.ParseFloat(m[2], 64)
	return w, h
}

func pages(t *testing.T, pdf []byte) int {
	t.Helper()
	needTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "p.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(string(out))
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestReceiptText(t *testing.T) {
	for _, c := range []struct {
		layout string
		w, h   float64 // points; h 0: a roll, longer than wide
	}{
		{LayoutA5, 419.53, 595.28},
		{LayoutRoll, 226.77, 0},
	} {
		t.Run(c.layout, func(t *testing.T) {
			in, _ := input(t, c.layout)
			pdf := render(t, in)
			text := pdfText(t, pdf)
			if !norm.NFC.IsNormalString(text) {
				t.Error("the PDF's text is not NFC")
			}
			mustContain(t, text,
				"GIẤY BIÊN NHẬN HỒ SƠ",
				"Bưu điện Văn hóa xã Ia O", "600900",
				in.Dossier.ID, "28/11/2025 09:30",
				applicantName, "064190000123", "0905123456", "Làng Bi Giông",
				repName, "064301000045",
				procCode, procName, agencyName, agencyCode,
				"Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Bản chính", "Bản sao",
				"Giấy tờ còn thiếu: Giấy tờ chứng minh nơi cư trú",
				"15.000 ₫",
				wantAppointment, "Gồm 5 ngày làm việc giải quyết và 2 ngày chuyển phát",
				"Chuyển phát đến địa chỉ", "Làng Bi Giông, xã Ia O, tỉnh Gia Lai",
				"RR473124829VN",
				clerkName, "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN",
				"1900 54 54 81", "Quét mã để tra cứu hồ sơ",
			)
			// The applicant's name is printed twice: in the rows and under her signature.
			if n := strings.Count(text, applicantName); n != 2 {
				t.Errorf("applicant's name printed %d times, want 2", n)
			}
			w, h := pageSize(t, pdf)
			if w < c.w-0.5 || w > c.w+0.5 || (c.h > 0 && (h < c.h-0.5 || h > c.h+0.5)) || (c.h == 0 && h < 2*w) {
				t.Errorf("page %.2f × %.2f pt, want %.2f × %.2f", w, h, c.w, c.h)
			}
			if n := pages(t, pdf); n != 1 {
				t.Errorf("the receipt takes %d pages, want 1", n)
			}
		})
	}
}

func TestReceiptInEnglishKeepsVietnameseNames(t *testing.T) {
	in, _ := input(t, LayoutA5)
	en, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	in.Lang = en
	text := pdfText(t, render(t, in))
	mustContain(t, text, "DOSSIER RECEIPT", "Receipt no.", "Expected result date", applicantName, repName, procName, "15.000 ₫", wantAppointment)
	if strings.Contains(text, "GIẤY BIÊN NHẬN") {
		t.Error("English receipt has the Vietnamese title")
	}
}

func TestReceiptAppointment(t *testing.T) {
	in, _ := input(t, LayoutA5)

	// Unknown processing days: the receipt says so rather than inventing a date.
	unknown := in
	unknown.Procedure.ProcessingDays = 0
	text := pdfTextBoth(t, render(t, unknown))
	mustContain(t, text, i18n.T("receipt.appointment_unknown"))
	if strings.Contains(text, wantAppointment) {
		t.Error("a date was printed for a procedure without processing days")
	}

	// The date promised at intake wins on a reprint, even if settings changed.
	promised := time.Date(2025, 12, 12, 0, 0, 0, 0, domain.Zone)
	d := *in.Dossier
	d.ExpectedDate = &promised
	kept := in
	kept.Dossier = &d
	kept.Settings.TransitDays = 9
	text = pdfTextBoth(t, render(t, kept))
	mustContain(t, text, "12/12/2025")
	if strings.Contains(text, "ngày làm việc giải quyết") {
		t.Error("a recorded date that the rule does not give is explained by the rule")
	}
	// Recorded by the same rule: explained; without transit days, the short note.
	same := time.Date(2025, 12, 5, 0, 0, 0, 0, domain.Zone) // 5 working days after Friday 28/11
	d2 := *in.Dossier
	d2.ExpectedDate = &same
	noTransit := in
	noTransit.Dossier = &d2
	noTransit.Settings.TransitDays = 0
	text = pdfTextBoth(t, render(t, noTransit))
	mustContain(t, text, "05/12/2025", "Gồm 5 ngày làm việc giải quyết.", "Chưa nạp lịch nghỉ năm")
	if strings.Contains(text, "chuyển phát,") {
		t.Error("zero transit days explained as transit")
	}

	// A holiday inside the window moves the date by a working day.
	hol := in
	hol.Settings.Holidays = []string{"02/12/2025"}
	mustContain(t, pdfText(t, render(t, hol)), "10/12/2025")

	// A bad holiday in the settings stops the receipt, naming the entry.
	bad := in
	bad.Settings.Holidays = []string{"01/01/2026", "31/02/2026"}
	err := Render(io.Discard, bad)
	var fe *domain.FieldError
	if !errors.As(err, &fe) || fe.Key != "err.holiday.invalid" || fe.Args["Value"] != "31/02/2026" {
		t.Errorf("bad holiday: %v", err)
	}
	if msg := i18n.Message(err); !strings.Contains(msg, "31/02/2026") {
		t.Errorf("bad holiday shown as %q", msg)
	}

	// Appointment itself.
	if got, ok, err := Appointment(in.Dossier, in.Procedure, in.Settings, nil); err != nil || !ok || domain.FormatDate(got) != wantAppointment {
		t.Errorf("Appointment = %v, %v, %v", got, ok, err)
	}
	ro := *in.Dossier
	ro.Option = domain.OptionReturnOnly
	if _, ok, _ := Appointment(&ro, in.Procedure, in.Settings, nil); ok {
		t.Error("a result-only registration got an appointment date")
	}
}

// TestReceiptSaysWhichCalendar: the note under the appointment states only
// what is true — which years' government calendar files were loaded, or
// that a year's was not (then it does not claim its holidays were skipped).
func TestReceiptSaysWhichCalendar(t *testing.T) {
	in, _ := input(t, LayoutA5)
	vi, err := i18n.New("vi")
	if err != nil {
		t.Fatal(err)
	}
	en, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	// 2026 has a shipped file: Tết 16–20/02 skipped, and the note says the file was used
	d := *in.Dossier
	d.ReceivedAt = time.Date(2026, 2, 13, 9, 0, 0, 0, domain.Zone)
	d.ExpectedDate = nil
	with := in
	with.Dossier = &d
	with.Procedure.ProcessingDays, with.Settings.TransitDays = 1, 0
	text := pdfTextBoth(t, render(t, with))
	mustContain(t, text, "23/02/2026", "lịch nghỉ năm 2026 đã nạp")
	if strings.Contains(text, "Chưa nạp") {
		t.Error("a loaded calendar described as missing")
	}
	// 2027 has none shipped: the same count says the 2027 calendar is not loaded
	d27 := d
	d27.ReceivedAt = time.Date(2027, 2, 1, 9, 0, 0, 0, domain.Zone)
	without := with
	without.Dossier = &d27
	without.Procedure.ProcessingDays, without.Settings.TransitDays = 3, 2
	text = pdfTextBoth(t, render(t, without))
	mustContain(t, text, "15/02/2027", "Chưa nạp lịch nghỉ năm 2027")
	if strings.Contains(text, "đã nạp") {
		t.Error("claims a calendar that was not loaded")
	}
	// the supervisor installs 2027's file: the note changes, nothing else claimed
	dir := t.TempDir()
	if _, err := calendar.Install(dir, []byte("year 2027\ntet 05/02/2027 06/02/2027 07/02/2027 08/02/2027 09/02/2027\nnational-day 03/09/2027\n")); err != nil {
		t.Fatal(err)
	}
	cal, err := calendar.LoadLocal(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	without.Calendar = cal
	mustContain(t, pdfTextBoth(t, render(t, without)), "15/02/2027", "lịch nghỉ năm 2027 đã nạp")
	// across a year end, every year the count runs through is named
	a := calendar.Embedded().Appointment(time.Date(2026, 12, 30, 9, 0, 0, 0, domain.Zone), 5, 0)
	if note := AppointmentNote(vi, a, 5, 0); !strings.Contains(note, "Chưa nạp lịch nghỉ năm 2027") {
		t.Errorf("note across 2026–2027: %q", note)
	}
	if note := AppointmentNote(en, a, 5, 0); !strings.Contains(note, "The 2027 calendar is not loaded") {
		t.Errorf("English note: %q", note)
	}
}

func TestReturnOnlyReceipt(t *testing.T) {
	in, _ := input(t, LayoutRoll)
	d := *in.Dossier
	d.Option, d.Documents, d.Representative = domain.OptionReturnOnly, nil, nil
	d.Fee, d.FeePaid, d.FeePayment = 28000, false, domain.PayOnDelivery
	in.Dossier = &d
	text := pdfText(t, render(t, in))
	mustContain(t, text, "GIẤY BIÊN NHẬN ĐĂNG KÝ TRẢ KẾT QUẢ", "Nhận kết quả qua bưu điện",
		"28.000 ₫ (thu khi trả kết quả)", i18n.T("receipt.appointment_unknown"))
	for _, absent := range []string{"Thành phần hồ sơ", repName} {
		if strings.Contains(text, absent) {
			t.Errorf("result-only receipt shows %q", absent)
		}
	}
}

func TestReceiptSurvivesHostileText(t *testing.T) {
	in, _ := input(t, LayoutA5)
	d := *in.Dossier
	d.Applicant.FullName = "Nguyễn\u200b Thị\x00 Hằng 😀 山田"
	d.Notes = strings.Repeat("Rất dài ", 200) + strings.Repeat("x", 500) // a word wider than the page
	d.Applicant.Address = "Làng\tBi\nGiông"
	d.Documents = nil
	for i := range 40 {
		d.Documents = append(d.Documents, domain.DocumentItem{Name: "Giấy tờ số " + strconv.Itoa(i+1) + " có tên rất dài để phải xuống dòng trong ô của bảng",
			Required: true, Received: i%3 != 0, Original: i%2 == 0, Count: 1})
	}
	// NFD input (as pasted from some programs) prints as NFC.
	d.Representative = &domain.Person{FullName: norm.NFD.String(repName), IDNumber: "064301000045", IDType: domain.IDCCCD}
	in.Dossier = &d
	for _, layout := range []string{LayoutA5, LayoutRoll} {
		in.Layout = layout
		pdf := render(t, in)
		text := pdfText(t, pdf)
		mustContain(t, text, "Nguyễn Thị Hằng ? 山田", repName, "Giấy tờ số 40", "Làng Bi Giông")
		if layout == LayoutA5 {
			n := pages(t, pdf)
			if n < 2 {
				t.Errorf("40 papers fit on %d page", n)
			}
			mustContain(t, text, "Trang 1/"+strconv.Itoa(n), "Trang "+strconv.Itoa(n)+"/"+strconv.Itoa(n))
			// The table's header is repeated on every page it runs over.
			if c := strings.Count(text, "Tên giấy tờ"); c < 2 {
				t.Errorf("table header printed %d times over %d pages", c, n)
			}
		}
	}
}

func TestLayouts(t *testing.T) {
	in, _ := input(t, "")
	in.Settings.ReceiptLayout = "80mm"
	w, _ := pageSize(t, render(t, in))
	if w < 226 || w > 227.5 {
		t.Errorf("Settings.ReceiptLayout 80mm gave width %.2f pt", w)
	}
	in.Layout = "a4"
	err := Render(io.Discard, in)
	if !errors.Is(err, ErrLayout) || !strings.Contains(i18n.Message(err), "a4") {
		t.Errorf("unknown layout: %v", err)
	}
	if err := Render(io.Discard, Input{}); err == nil {
		t.Error("a receipt without a dossier rendered")
	}
	// Without a QR text the receipt still prints (and says nothing of a code).
	in.Layout, in.QR = LayoutA5, ""
	if text := pdfText(t, render(t, in)); strings.Contains(text, "Quét mã") {
		t.Error("caption of a QR code that is not there")
	}
}

func TestForDossier(t *testing.T) {
	s, d := newStore(t)
	// The number as a clerk might type it.
	in, err := ForDossier(ctx, s, " "+strings.ToLower(d.ID)+" ", "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Dossier.ID != d.ID || in.ClerkName != clerkName || in.Agency.Name != agencyName ||
		in.Procedure.ProcessingDays != 5 || in.PostPoint.Code != "600900" || in.Settings.TransitDays != 2 ||
		in.Layout != LayoutA5 || in.QR == "" {
		t.Errorf("ForDossier = %+v", in)
	}
	in, err = ForDossier(ctx, s, d.ID, "Lê Văn Tám")
	if err != nil || in.ClerkName != "Lê Văn Tám" {
		t.Errorf("clerk given: %q, %v", in.ClerkName, err)
	}

	_, err = ForDossier(ctx, s, "600900A-251128-0099", "")
	if !errors.Is(err, ErrNoDossier) || !strings.Contains(i18n.Message(err), "600900A-251128-0099") {
		t.Errorf("missing dossier: %v (%q)", err, i18n.Message(err))
	}

	// A dossier of a procedure since removed from the catalog still prints
	// with the name recorded at intake.
	gone := sampleDossier()
	gone.ProcedureCode, gone.ProcedureName, gone.AgencyCode = "9.999999", "Thủ tục đã bãi bỏ", "000.00.99.H21"
	g, err := s.Intake(ctx, "gdv1", gone)
	if err != nil {
		t.Fatal(err)
	}
	in, err = ForDossier(ctx, s, g.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, pdfTextBoth(t, render(t, in)), "9.999999", "Thủ tục đã bãi bỏ", "000.00.99.H21", i18n.T("receipt.appointment_unknown"))
}

func TestForDossierOfAnotherDeviceSignsAsThisDevice(t *testing.T) {
	s, d := newStore(t)
	// Make the dossier look taken on laptop B of the same post point and
	// synced here (the sync engine is not in this package's reach).
	if _, err := testtool.DB(t, s.Path()).ExecContext(ctx,
		`UPDATE dossiers SET data = json_set(data, '$.device_id', '600900-B') WHERE id = ?`, d.ID); err != nil {
		t.Fatal(err)
	}
	in, err := ForDossier(ctx, s, d.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if in.Dossier.DeviceID != "600900-B" {
		t.Fatalf("device of the dossier: %s", in.Dossier.DeviceID)
	}
	scan, err := ParseQR(in.QR)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := OwnKeys(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if scan.Receipt != d.ID || scan.Device != "600900-A" || scan.VerifyWith(keys) != nil {
		t.Errorf("reprint of another device's dossier: %+v", scan)
	}
}

func TestRenderFileIsAtomic(t *testing.T) {
	in, _ := input(t, LayoutA5)
	dir := t.TempDir()
	path := filepath.Join(dir, "bien-nhan.pdf")
	if err := RenderFile(path, in); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[len(b)-32:], []byte("%%EOF")) {
		t.Fatalf("written file is not a whole PDF (%d bytes, %v)", len(b), err)
	}
	// A failing render leaves the old file as it was and no temporary file.
	bad := in
	bad.Layout = "a3"
	if err := RenderFile(path, bad); err == nil {
		t.Fatal("bad layout rendered")
	}
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("half a PDF"))
		return errors.New("disk full")
	})
	if err == nil {
		t.Fatal("atomicfile.Write hid the write error")
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(after, b) {
		t.Error("a failed write changed the existing file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after a failed write, want only the PDF", len(entries))
	}
	if err := RenderFile(filepath.Join(dir, "no-such-folder", "x.pdf"), in); err == nil {
		t.Error("writing into a missing folder succeeded")
	}
}

// BenchmarkReceiptA5 renders a full A5 receipt with its QR code.
func BenchmarkReceiptA5(b *testing.B) {
	in, _ := input(b, LayoutA5)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiptRoll renders the 80 mm roll (two passes: measure, draw).
func BenchmarkReceiptRoll(b *testing.B) {
	in, _ := input(b, LayoutRoll)
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, in); err != nil {
			b.Fatal(err)
		}
	}
}

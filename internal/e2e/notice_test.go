package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/i18n"
	"postdesk/internal/testtool"
)

// TestReceiptNoticeFromProvince: the province sets its wording of the
// receipt's personal-data notice at a real hub (`hub notice set`); after
// its next sync a device prints it on its receipts, A5 and 80 mm, one page
// each; `hub notice set --default` brings PostDesk's wording back; a notice
// too long for the receipt is refused at the hub.
func TestReceiptNoticeFromProvince(t *testing.T) {
	testtool.Need(t, "pdftotext")
	dir := t.TempDir()
	hubPath := filepath.Join(dir, "HUB.db")
	h := startHub(t, hubPath, "127.0.0.1:0")
	a := newDevice(t, dir, "600940", "A", 0, 41)
	a.enroll(h, h.URL)
	id := a.work(1)[0]
	a.syncUntilQuiet()

	receipt := func(layout string) string {
		t.Helper()
		out := filepath.Join(dir, "r-"+layout+".pdf")
		mustPD(t, "receipt", "--db", a.db, "--dossier", id, "--out", out, "--layout", layout)
		text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		info, err := exec.Command("pdfinfo", out).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(info), "Pages:           1\n") {
			t.Errorf("the %s receipt is more than one page:\n%s", layout, info)
		}
		return strings.Join(strings.Fields(string(text)), " ")
	}
	vi, _ := i18n.New("vi")
	def := strings.Join(strings.Fields(vi.T("receipt.privacy_notice")), " ")
	for _, layout := range []string{"a5", "80mm"} {
		if !strings.Contains(receipt(layout), def) {
			t.Fatalf("the %s receipt lacks PostDesk's notice", layout)
		}
	}

	province := "Sở KH&CN Gia Lai: họ tên, số CCCD và điện thoại của ông/bà chỉ dùng để trả hồ sơ này."
	mustPD(t, "hub", "notice", "set", "--db", hubPath, "--vi", province, "--staff", "so-khcn")
	if _, err := pd(t, "hub", "notice", "set", "--db", hubPath, "--vi", strings.Repeat("dài ", 100)); err == nil {
		t.Fatal("a 400-character notice was accepted")
	}
	a.syncUntilQuiet()
	mustPD(t, "sync", "--db", a.db)
	for _, layout := range []string{"a5", "80mm"} {
		text := receipt(layout)
		if !strings.Contains(text, province) || strings.Contains(text, def) {
			t.Fatalf("after the sync the %s receipt does not print the province's notice alone:\n%s", layout, text)
		}
	}

	mustPD(t, "hub", "notice", "set", "--db", hubPath, "--default")
	mustPD(t, "sync", "--db", a.db)
	if text := receipt("a5"); !strings.Contains(text, def) || strings.Contains(text, province) {
		t.Fatalf("after --default the receipt does not print PostDesk's notice:\n%s", text)
	}
}

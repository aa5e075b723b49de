package receipt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
)

func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func testDossier() *domain.Dossier {
	return &domain.Dossier{ID: "600900A-251128-0001", DeviceID: "600900-A", ReceivedAt: receivedAt}
}

// decodeQR reads the one QR code in an image with a Go decoder.
func decodeQR(t testing.TB, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func TestMakeQRRoundTrip(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	d := testDossier()
	text, err := MakeQR("", d, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "https://dichvucong.gialai.gov.vn/tra-cuu?ma=600900A-251128-0001&d=600900-A&t=1764297000&s=") {
		t.Errorf("QR text %q does not follow the default template", text)
	}
	png, err := QRPNG(text)
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	got := decodeQR(t, img)
	if got != text {
		t.Fatalf("decoded QR %q, want %q", got, text)
	}
	s, err := ParseQR(got)
	if err != nil {
		t.Fatal(err)
	}
	if s.Receipt != d.ID || s.Device != d.DeviceID || !s.ReceivedAt.Equal(d.ReceivedAt) || s.Text != text {
		t.Errorf("ParseQR = %+v", s)
	}
	if err := s.Verify(pub); err != nil {
		t.Errorf("genuine QR does not verify: %v", err)
	}
	if err := s.VerifyWith(Keys(map[string]ed25519.PublicKey{"600900-A": pub})); err != nil {
		t.Errorf("VerifyWith: %v", err)
	}
}

func TestQRTemplates(t *testing.T) {
	key := testKey(2)
	pub := key.Public().(ed25519.PublicKey)
	for _, c := range []struct{ tmpl, prefix string }{
		{"https://tracuu.example.vn/hs/{receipt}", "https://tracuu.example.vn/hs/600900A-251128-0001?d=600900-A&t="},
		{"http://10.0.0.5:8080/lookup?lang=vi&code={receipt}#top", "http://10.0.0.5:8080/lookup?lang=vi&code=600900A-251128-0001&d=600900-A&t="},
		{"https://example.vn/tra-cuu", "https://example.vn/tra-cuu?ma=600900A-251128-0001&d=600900-A&t="},
		{"https://example.vn/tra-cuu?", "https://example.vn/tra-cuu?ma=600900A-251128-0001&d=600900-A&t="},
		{"  https://example.vn/q?id={receipt}&  ", "https://example.vn/q?id=600900A-251128-0001&d=600900-A&t="},
	} {
		text, err := MakeQR(c.tmpl, testDossier(), key)
		if err != nil {
			t.Errorf("template %q: %v", c.tmpl, err)
			continue
		}
		if !strings.HasPrefix(text, c.prefix) {
			t.Errorf("template %q gave %q, want prefix %q", c.tmpl, text, c.prefix)
		}
		if strings.Contains(c.tmpl, "#top") && !strings.HasSuffix(text, "#top") {
			t.Errorf("template %q lost its fragment: %q", c.tmpl, text)
		}
		s, err := ParseQR(text)
		if err != nil {
			t.Errorf("ParseQR(%q): %v", text, err)
			continue
		}
		if s.Receipt != "600900A-251128-0001" || s.Verify(pub) != nil {
			t.Errorf("template %q: scan %+v does not verify", c.tmpl, s)
		}
	}
	for _, bad := range []string{"not a link {receipt}", "/tra-cuu?ma={receipt}", "https://x.vn/?ma={receipt}&s=1", "https://x.vn/?d=1&ma={receipt}", "https://x.vn/?ma={receipt}&t=%zz"} {
		_, err := MakeQR(bad, testDossier(), key)
		if !errors.Is(err, ErrBadQRTemplate) {
			t.Errorf("template %q: err %v, want ErrBadQRTemplate", bad, err)
		}
	}
}

func TestMakeQRRefusesWhatItCannotSign(t *testing.T) {
	key := testKey(3)
	for name, c := range map[string]struct {
		d   *domain.Dossier
		key ed25519.PrivateKey
	}{
		"nil dossier":      {nil, key},
		"no receipt":       {&domain.Dossier{DeviceID: "600900-A", ReceivedAt: receivedAt}, key},
		"bad device":       {&domain.Dossier{ID: "600900A-251128-0001", DeviceID: "600900A", ReceivedAt: receivedAt}, key},
		"no time":          {&domain.Dossier{ID: "600900A-251128-0001", DeviceID: "600900-A"}, key},
		"no key":           {testDossier(), nil},
		"short key":        {testDossier(), key[:10]},
		"before 1970 time": {&domain.Dossier{ID: "600900A-251128-0001", DeviceID: "600900-A", ReceivedAt: time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC)}, key},
	} {
		if _, err := MakeQR("", c.d, c.key); !errors.Is(err, ErrCannotSignQR) {
			t.Errorf("%s: err %v, want ErrCannotSignQR", name, err)
		}
	}
}

func TestTamperedQRFails(t *testing.T) {
	key := testKey(4)
	pub := key.Public().(ed25519.PublicKey)
	text, err := MakeQR("", testDossier(), key)
	if err != nil {
		t.Fatal(err)
	}
	sigStart := strings.Index(text, "&s=") + 3
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tampered := map[string]string{
		"receipt number changed": strings.Replace(text, "251128-0001", "251128-0002", 1),
		"receipt date changed":   strings.Replace(text, "251128-0001", "251129-0001", 1),
		"device changed":         strings.Replace(text, "d=600900-A", "d=600900-B", 1),
		"time changed":           strings.Replace(text, "t=1764297000", "t=1764297001", 1),
		"signature first byte":   flip(text, sigStart),
		"signature middle byte":  flip(text, sigStart+40),
	}
	for name, tt := range tampered {
		if tt == text {
			t.Fatalf("%s: tampering changed nothing", name)
		}
		s, err := ParseQR(tt)
		if err != nil {
			t.Errorf("%s: ParseQR: %v (a well-formed forgery should parse and fail Verify)", name, err)
			continue
		}
		err = s.Verify(pub)
		if !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
		var fe *domain.FieldError
		if !errors.As(err, &fe) || fe.Key != "receipt.err.bad_signature" {
			t.Errorf("%s: error %v carries no translatable FieldError", name, err)
		}
	}

	// Signed by another device's key: fails with the right key, and a
	// device the key list does not know is named as unknown.
	other, err := MakeQR("", testDossier(), testKey(5))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseQR(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(pub); !errors.Is(err, ErrBadSignature) {
		t.Errorf("QR signed by another key: Verify = %v, want ErrBadSignature", err)
	}
	keys := Keys(map[string]ed25519.PublicKey{"600900-A": pub})
	if err := s.VerifyWith(keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("QR signed by another key: VerifyWith = %v, want ErrBadSignature", err)
	}
	d := testDossier()
	d.DeviceID = "553140-C"
	stranger, err := MakeQR("", d, testKey(6))
	if err != nil {
		t.Fatal(err)
	}
	s, err = ParseQR(stranger)
	if err != nil {
		t.Fatal(err)
	}
	err = s.VerifyWith(keys)
	if !errors.Is(err, ErrUnknownDevice) || !strings.Contains(i18n.Message(err), "553140-C") {
		t.Errorf("unknown device: %v (%q)", err, i18n.Message(err))
	}
	if err := s.Verify(nil); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("Verify(nil) = %v", err)
	}
}

func TestParseQRRefusesWhatIsNotAReceipt(t *testing.T) {
	good, err := MakeQR("", testDossier(), testKey(7))
	if err != nil {
		t.Fatal(err)
	}
	sig := good[strings.Index(good, "&s=")+3:]
	for name, text := range map[string]string{
		"empty":                "",
		"blank":                " \r\n\t",
		"garbage":              "\x00\xff\xfe garbage ☃",
		"receipt number alone": "600900A-251128-0001",
		"random URL":           "https://www.google.com/search?q=postdesk",
		"lookup link unsigned": "https://dichvucong.gialai.gov.vn/tra-cuu?ma=600900A-251128-0001",
		"no receipt number":    "https://x.vn/?d=600900-A&t=1764297000&s=" + sig,
		"bad receipt in ma":    "https://x.vn/?ma=600900A-251199-0001&d=600900-A&t=1764297000&s=" + sig,
		"two receipt numbers":  "https://x.vn/600900A-251128-0002?q=600900A-251128-0001&d=600900-A&t=1764297000&s=" + sig,
		"bad device":           strings.Replace(good, "d=600900-A", "d=600900-AB", 1),
		"device twice":         good + "&d=600900-A",
		"time not a number":    strings.Replace(good, "t=1764297000", "t=17642970x0", 1),
		"time with plus sign":  strings.Replace(good, "t=1764297000", "t=+1764297000", 1),
		"time negative":        strings.Replace(good, "t=1764297000", "t=-5", 1),
		"signature short":      strings.Replace(good, sig, sig[:40], 1),
		"signature not b64url": strings.Replace(good, sig, strings.Repeat("!", len(sig)), 1),
		"signature padded":     good + "==",
		"no host":              strings.Replace(good, "https://dichvucong.gialai.gov.vn", "https://", 1),
		"broken query":         good + "&x=%zz",
		"too long":             good + "&pad=" + strings.Repeat("a", 3000),
		"mailto":               "mailto:someone@example.vn",
		"wifi QR":              "WIFI:S:BuuDien;T:WPA;P:12345678;;",
	} {
		_, err := ParseQR(text)
		if !errors.Is(err, ErrNotReceipt) {
			t.Errorf("%s: ParseQR = %v, want ErrNotReceipt", name, err)
			continue
		}
		if msg := i18n.Current().Message(err); msg != i18n.T("receipt.err.not_receipt") {
			t.Errorf("%s: shown as %q", name, msg)
		}
	}
	vi, err := i18n.New("vi")
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseQR("garbage")
	if got := vi.Message(err); got != "Không phải biên nhận PostDesk." {
		t.Errorf("Vietnamese message %q", got)
	}
	// Whitespace a scanner adds around the text is not part of it.
	if _, err := ParseQR("  " + good + "\r\n"); err != nil {
		t.Errorf("scanner's trailing newline: %v", err)
	}
}

func TestOwnKeysVerifiesThisDevicesReceipts(t *testing.T) {
	in, s := input(t, LayoutA5)
	keys, err := OwnKeys(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := ParseQR(in.QR)
	if err != nil {
		t.Fatal(err)
	}
	if err := scan.VerifyWith(keys); err != nil {
		t.Errorf("this device's receipt: %v", err)
	}
	if scan.Receipt != in.Dossier.ID || scan.ReceivedAt.Unix() != in.Dossier.ReceivedAt.Unix() {
		t.Errorf("scan %+v does not match dossier %s", scan, in.Dossier.ID)
	}
	forged, err := MakeQR(in.Settings.LookupURLTemplate, in.Dossier, testKey(9))
	if err != nil {
		t.Fatal(err)
	}
	scan, _ = ParseQR(forged)
	if err := scan.VerifyWith(keys); !errors.Is(err, ErrBadSignature) {
		t.Errorf("receipt signed with another key: %v", err)
	}
}

// TestQRFromRenderedPage decodes the QR code from the printed page as a
// camera would see it: the PDF rasterised at 150 dpi and read by the Go
// decoder and, when installed, at 80 dpi (a coarse photo) by zbarimg; the
// text read must verify with the device's key.
func TestQRFromRenderedPage(t *testing.T) {
	needTool(t, "pdftoppm")
	for _, layout := range []string{LayoutA5, LayoutRoll} {
		t.Run(layout, func(t *testing.T) {
			in, s := input(t, layout)
			dir := t.TempDir()
			pdf := filepath.Join(dir, "r.pdf")
			if err := RenderFile(pdf, in); err != nil {
				t.Fatal(err)
			}
			raster := func(dpi string) string {
				out := filepath.Join(dir, "page"+dpi)
				if msg, err := exec.Command("pdftoppm", "-r", dpi, "-png", "-singlefile", pdf, out).CombinedOutput(); err != nil {
					t.Fatalf("pdftoppm: %v %s", err, msg)
				}
				return out + ".png"
			}
			f, err := os.Open(raster("150"))
			if err != nil {
				t.Fatal(err)
			}
			img, _, err := image.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			keys, err := OwnKeys(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			check := func(who, got string) {
				t.Helper()
				if got != in.QR {
					t.Fatalf("%s read %q, want %q", who, got, in.QR)
				}
				scan, err := ParseQR(got)
				if err != nil {
					t.Fatal(err)
				}
				if err := scan.VerifyWith(keys); err != nil {
					t.Errorf("%s: page QR does not verify: %v", who, err)
				}
			}
			check("Go decoder", decodeQR(t, img))
			if testtool.Have(t, "zbarimg") {
				out, err := exec.Command("zbarimg", "-q", "--raw", raster("80")).Output()
				if err != nil {
					t.Fatalf("zbarimg found no code at 80 dpi: %v", err)
				}
				check("zbarimg", strings.TrimSpace(string(out)))
			}
		})
	}
}

// FuzzParseQR: any text either parses into a scan whose fields are valid
// (and whose signature length is right) or fails with ErrNotReceipt; never
// a panic.
func FuzzParseQR(f *testing.F) {
	good, _ := MakeQR("", testDossier(), testKey(8))
	for _, s := range []string{good, "", "garbage", "https://x.vn/?ma=600900A-251128-0001&d=600900-A&t=1&s=" +
		base64.RawURLEncoding.EncodeToString(make([]byte, 64)), "https://x/a/600900A-251128-0001?d=1-A&t=1&s=x"} {
		f.Add(s)
	}
	pub := testKey(8).Public().(ed25519.PublicKey)
	f.Fuzz(func(t *testing.T, text string) {
		s, err := ParseQR(text)
		if err != nil {
			if !errors.Is(err, ErrNotReceipt) {
				t.Fatalf("ParseQR(%q) = %v, not ErrNotReceipt", text, err)
			}
			return
		}
		if _, err := domain.ParseReceiptNumber(s.Receipt); err != nil || !validDevice(s.Device) ||
			len(s.Signature) != ed25519.SignatureSize || s.ReceivedAt.Unix() <= 0 {
			t.Fatalf("ParseQR(%q) accepted %+v", text, s)
		}
		_ = s.Verify(pub) // must not panic
	})
}

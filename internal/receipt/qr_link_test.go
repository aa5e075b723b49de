package receipt

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"
)

// A phishing link built from a real receipt — another host, scheme, path
// or query, the same receipt number, device, time and signature — must not
// verify: the signature covers the whole link the citizen's phone opens.
func TestQRSignatureCoversTheLink(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	text, err := MakeQR("https://dichvucong.gialai.gov.vn/tra-cuu?ma={receipt}#ket-qua", testDossier(), key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseQR(text)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Verify(pub); err != nil {
		t.Fatalf("the genuine QR %q does not verify: %v", text, err)
	}
	for name, forged := range map[string]string{
		"host":     strings.Replace(text, "dichvucong.gialai.gov.vn", "dichvucong-gialai.example", 1),
		"scheme":   strings.Replace(text, "https://", "http://", 1),
		"path":     strings.Replace(text, "/tra-cuu", "/dang-nhap", 1),
		"query":    strings.Replace(text, "?ma=", "?next=https://lua-dao.example&ma=", 1),
		"fragment": strings.Replace(text, "#ket-qua", "#x", 1),
		"userinfo": strings.Replace(text, "https://", "https://dichvucong.gialai.gov.vn@", 1),
	} {
		if forged == text {
			t.Fatalf("%s: the forgery did not change the text", name)
		}
		fs, err := ParseQR(forged)
		if err != nil {
			continue // refused outright: also fine
		}
		if err := fs.Verify(pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("a QR with a changed %s verifies as genuine (%v): %s", name, err, forged)
		}
	}
	// s must stay the last parameter: something added after it is refused.
	if _, err := ParseQR(strings.Replace(text, "#ket-qua", "&x=1#ket-qua", 1)); !errors.Is(err, ErrNotReceipt) {
		t.Errorf("a parameter after the signature: %v", err)
	}
}

package receipt

import (
	"strings"
	"testing"

	"postdesk/i18n"
	"postdesk/internal/syncproto"
)

// TestReceiptNotice: every receipt (A5 and 80 mm) prints the personal-data
// notice: PostDesk's wording by default, the province's when it set one
// for the receipt's language, the default of a language it left out; the
// A5 receipt stays on one page even with a province wording of the
// longest length the hub lets through.
func TestReceiptNotice(t *testing.T) {
	vi, err := i18n.New("vi")
	if err != nil {
		t.Fatal(err)
	}
	en, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Tỉnh Gia Lai thu thập họ tên và số CCCD để trả hồ sơ. ", 10)
	long = strings.TrimSpace(string([]rune(long)[:syncproto.MaxNoticeRunes]))
	for _, layout := range []string{LayoutA5, LayoutRoll} {
		for _, c := range []struct {
			name    string
			lang    *i18n.Catalog
			notices map[string]string
			want    string
			notWant string
		}{
			{"default", vi, nil, vi.T("receipt.privacy_notice"), ""},
			{"province", vi, map[string]string{"vi": long}, long, vi.T("receipt.privacy_notice")},
			{"english default", en, map[string]string{"vi": long}, en.T("receipt.privacy_notice"), long},
		} {
			t.Run(layout+"/"+c.name, func(t *testing.T) {
				in, _ := input(t, layout)
				in.Lang, in.Notices = c.lang, c.notices
				pdf := render(t, in)
				text := flat(pdfText(t, pdf))
				if !strings.Contains(text, flat(c.want)) {
					t.Errorf("the receipt lacks the notice %q:\n%s", c.want, text)
				}
				if c.notWant != "" && strings.Contains(text, flat(c.notWant)) {
					t.Errorf("the receipt prints %q as well", c.notWant)
				}
				if n := pages(t, pdf); n != 1 {
					t.Errorf("the receipt takes %d pages, want 1", n)
				}
			})
		}
	}
}

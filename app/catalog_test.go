package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestCatalogScreenByKeyboard: a clerk opens the catalog with F10, types a
// name without diacritics, moves with ↓, opens a procedure with Enter and
// reads its flags, fee, days, agency and checklist; Esc goes back to the
// list with the search kept, Esc again clears the search. Ctrl+H shows
// the import history: version, file, who, counts. No import for a clerk.
func TestCatalogScreenByKeyboard(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.HandleKey(&fyne.KeyEvent{Name: fyne.KeyF10})
	if u.Current() != "catalog" {
		t.Fatalf("F10 shows %q", u.Current())
	}
	c := u.session.catalog
	if focused(u) != fyne.Focusable(c.search) {
		t.Fatalf("the cursor is in %T, not the catalog search", focused(u))
	}
	procs, _ := u.Store.Procedures(u.Ctx)
	if len(c.matches) != len(procs) || len(procs) == 0 {
		t.Fatalf("an empty search lists %d of %d procedures", len(c.matches), len(procs))
	}
	if c.imp != nil || len(c.tabs.Items) != 2 {
		t.Errorf("a clerk has the import tab")
	}
	typeKeys(t, u, "dang ky khai sinh")
	if len(c.matches) == 0 || c.index.procs[c.matches[0]].Code != "1.001193" {
		t.Fatalf("“dang ky khai sinh” lists %d, first %v", len(c.matches), c.matches)
	}
	for _, i := range c.matches {
		if !strings.Contains(c.index.names[i], "khai sinh") && !allWordsIn(c.index.names[i], []string{"dang", "ky", "khai", "sinh"}) {
			t.Errorf("“dang ky khai sinh” lists %s %q", c.index.procs[i].Code, c.index.procs[i].Name)
		}
	}
	if !strings.Contains(c.preview.Text, "Thủ tục đăng ký khai sinh") {
		t.Errorf("the selected procedure's name under the list: %q", c.preview.Text)
	}
	if len(c.matches) > 1 {
		press(t, u, fyne.KeyDown)
		press(t, u, fyne.KeyUp)
	}
	if c.sel != 0 {
		t.Fatalf("↓↑ leaves the selection on %d", c.sel)
	}
	press(t, u, fyne.KeyReturn)
	if c.shown == nil || c.shown.Code != "1.001193" {
		t.Fatalf("Enter shows %v", c.shown)
	}
	texts := visibleTexts(c.detailV)
	for _, want := range []string{
		"1.001193 — Thủ tục đăng ký khai sinh",
		"Nhận hồ sơ qua bưu điện", "Trả kết quả qua bưu điện",
		"0 ₫", // the fee
		"Chưa rõ (cơ quan hẹn ngày trả)",
		"1. Tờ khai đăng ký khai sinh theo mẫu (bản chính, bắt buộc)",
		"2. Giấy chứng sinh hoặc giấy tờ thay Giấy chứng sinh (bản chính, bắt buộc)",
	} {
		if !texts[want] {
			t.Errorf("the detail lacks %q; it shows %v", want, texts)
		}
	}
	agency := false
	for s := range texts {
		agency = agency || strings.HasSuffix(s, "(000.01.50.H21)")
	}
	if !agency {
		t.Errorf("the detail does not name the agency 000.01.50.H21: %v", texts)
	}
	pressAnywhere(u, fyne.KeyEscape)
	if c.shown != nil || c.search.Text != "dang ky khai sinh" || focused(u) != fyne.Focusable(c.search) {
		t.Fatalf("Esc in the detail: shown %v, search %q, focus %T", c.shown, c.search.Text, focused(u))
	}
	pressAnywhere(u, fyne.KeyEscape)
	if c.search.Text != "" || len(c.matches) != len(procs) {
		t.Fatalf("Esc in the list: search %q, %d listed", c.search.Text, len(c.matches))
	}
	typeKeys(t, u, "zzzz khong co")
	if len(c.matches) != 0 || !strings.Contains(c.count.Text, "Không có thủ tục nào khớp") {
		t.Errorf("a search matching nothing says %q", c.count.Text)
	}

	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierControl}).ShortcutName())
	if c.tabs.SelectedIndex() != 1 {
		t.Fatal("Ctrl+H does not show the import history")
	}
	vs, err := u.Store.CatalogVersions(u.Ctx)
	if err != nil || len(vs) == 0 {
		t.Fatalf("versions %v, %v", vs, err)
	}
	hist := visibleTexts(c.history)
	head := "Phiên bản " + itoa(vs[0].Version) + " · " + fmtDateTime(vs[0]) + " · "
	found := false
	for s := range hist {
		if strings.HasPrefix(s, head) {
			found = true
		}
	}
	if !found || !hist["Tệp "+vs[0].FileName+": "+formatCount(vs[0].Procedures)+" thủ tục, "+formatCount(vs[0].Agencies)+
		" cơ quan; thêm "+formatCount(vs[0].Added)+", cập nhật "+formatCount(vs[0].Updated)+"."] {
		t.Errorf("the history lacks version %d (%q…): %v", vs[0].Version, head, hist)
	}
	pressAnywhere(u, fyne.KeyEscape)
	if c.tabs.SelectedIndex() != 0 {
		t.Error("Esc on the history does not go back to the procedures")
	}
}

// TestCatalogImportTabForSupervisor: a supervisor reads the same catalog
// and has the import tab; Ctrl+O goes to it.
func TestCatalogImportTabForSupervisor(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	u.Show("catalog")
	c := u.session.catalog
	if c.imp == nil || len(c.tabs.Items) != 3 {
		t.Fatal("no import tab for a supervisor")
	}
	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierControl}).ShortcutName())
	if c.tabs.SelectedIndex() != 2 {
		t.Error("Ctrl+O does not show the import tab")
	}
	u.closeTopDialog() // the file picker
}

func fmtDateTime(v store.CatalogVersionInfo) string { return domain.FormatDateTime(v.ImportedAt) }

package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"postdesk/i18n"
	"postdesk/internal/domain"
	"postdesk/internal/testtool"
	"postdesk/internal/vault"
)

func TestSettingsSaveAndValidate(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	u.Show("settings")
	f := u.settingsForm()
	if f.idle == nil || u.Win.Canvas().Focused() != f.idle {
		t.Fatal("the settings screen does not put the cursor in its first field")
	}
	// Bad input: every wrong field says why, nothing is saved.
	f.idle.SetText("0")
	f.lookupURL.SetText("dichvucong.gialai.gov.vn")
	f.holidays.SetText("02/09/2026\n31/02/2026")
	f.tariffCosts[0].SetText("mười lăm nghìn")
	f.hubURL.SetText("ftp://x")
	f.backupFolder.SetText("backups")
	if f.retention.Text != "365" {
		t.Fatalf("the retention shows %q, not the default 365 days", f.retention.Text)
	}
	f.retention.SetText("-1")
	f.submit()
	for field, key := range map[string]string{
		"retention_days": "err.number.range",
		"settings.idle":  "err.number.range", "settings.lookup_url": "err.settings.lookup_url",
		"settings.hub_url": "err.settings.url", "settings.backup_folder": "err.settings.folder",
	} {
		if l := f.errs[field]; !l.Visible() || !strings.HasPrefix(l.Text, strings.SplitN(i18n.T(key), "{{", 2)[0]) {
			t.Errorf("%s: error %q", field, l.Text)
		}
	}
	if l := f.errs["settings.holidays"]; !strings.HasPrefix(l.Text, "Dòng 2: ") {
		t.Errorf("holidays error %q", l.Text)
	}
	if l := f.errs["settings.tariff.0"]; !strings.Contains(l.Text, "mười lăm nghìn") {
		t.Errorf("tariff error %q", l.Text)
	}
	if days, _ := u.Store.RetentionDays(u.Ctx); days != 365 {
		t.Fatalf("a refused form changed the retention to %d", days)
	}
	saved, _ := u.Store.Settings(u.Ctx)
	if saved.IdleLockMinutes != u.Settings.IdleLockMinutes || saved.LookupURLTemplate != domain.DefaultSettings().LookupURLTemplate {
		t.Fatal("invalid settings were saved")
	}

	// Good input, saved with Ctrl+S.
	dir := t.TempDir()
	f.idle.SetText("5")
	f.lookupURL.SetText("https://tracuu.gialai.gov.vn/hs?so={receipt}")
	f.holidays.SetText("2/9/2026\n\n01/01/2027\n02/09/2026")
	f.tariffCosts[0].SetText("18.000 ₫")
	f.hubURL.SetText("https://hub.gialai.gov.vn")
	f.backupFolder.SetText(dir)
	f.retention.SetText("730")
	f.layout.SetSelected(f.layout.Options[1])
	f.language.SetSelectedIndex(indexOf(f.langCodes, "en"))
	u.Win.Canvas().(fyne.Shortcutable).TypedShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl})
	for field, l := range f.errs {
		if l.Visible() {
			t.Errorf("%s still shows %q", field, l.Text)
		}
	}
	saved, err := u.Store.Settings(u.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	if saved.IdleLockMinutes != 5 || saved.ReceiptLayout != "80mm" || saved.Language != "en" ||
		saved.Tariff[0].Postage != 18000 || saved.HubURL != "https://hub.gialai.gov.vn" || saved.BackupFolder != dir ||
		strings.Join(saved.Holidays, ",") != "02/09/2026,01/01/2027" {
		t.Errorf("saved %+v", saved)
	}
	if u.Settings.IdleLockMinutes != 5 {
		t.Error("the running desk does not use the new settings")
	}
	if days, err := u.Store.RetentionDays(u.Ctx); err != nil || days != 730 {
		t.Errorf("retention after saving: %d %v", days, err)
	}
	if u.StatusMessage() != i18n.T("app.settings.saved_restart") {
		t.Errorf("status %q", u.StatusMessage())
	}
	f.purgeNow()
	if want := i18n.Tf("app.purge.done", map[string]string{"N": "0", "Days": "730"}); u.StatusMessage() != want {
		t.Errorf("purge now says %q, want %q", u.StatusMessage(), want)
	}
	var staff string
	testtool.DB(t, u.Store.Path()).QueryRow("SELECT staff FROM events WHERE kind = ? ORDER BY seq DESC LIMIT 1", string(domain.KindSettingsChanged)).Scan(&staff)
	if staff != "truong" {
		t.Errorf("settings.changed recorded by %q", staff)
	}

	// Back up now is refused before the post point has a recovery key (the
	// demo post point has one: take it away).
	if err := u.Store.SetMeta(u.Ctx, "recovery_recipient", ""); err != nil {
		t.Fatal(err)
	}
	f.backupNow()
	if files, _ := filepath.Glob(filepath.Join(dir, "postdesk-*")); len(files) != 0 {
		t.Fatalf("a backup was written with no recovery key to encrypt to: %v", files)
	}
	u.closeTopDialog()
	// With one (Settings › New recovery key), it writes into the chosen folder, encrypted.
	u.makeRecoveryKey()
	u.closeTopDialog()
	f.backupNow()
	files, _ := filepath.Glob(filepath.Join(dir, "postdesk-*.db.age"))
	if len(files) != 1 {
		t.Fatalf("backups %v", files)
	}
	if sealed, err := vault.IsSealedFile(files[0]); err != nil || !sealed {
		t.Fatalf("the backup is not encrypted: %v", err)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Size() == 0 {
		t.Errorf("backup file %v", err)
	}
}

func TestParseMoney(t *testing.T) {
	for in, want := range map[string]domain.Money{"15000": 15000, "15.000": 15000, "15.000 ₫": 15000, " 0 ": 0, "1 250 000đ": 1250000} {
		if got, err := parseMoney(in); err != nil || got != want {
			t.Errorf("parseMoney(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-5", "abc", "15,5.0x", "9999999999999"} {
		if _, err := parseMoney(in); err == nil {
			t.Errorf("parseMoney(%q) accepted", in)
		}
	}
}

func TestAutoBackupAtStart(t *testing.T) {
	u, _ := newTestUI(t, "")
	dir := t.TempDir()
	u.Settings.BackupFolder = dir
	key, _ := vault.NewKey()
	if err := u.Store.SetRecoveryRecipient(u.Ctx, key.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	autoBackups = true
	defer func() { autoBackups = false }()
	u.startBackups()
	deadline := 200
	for ; deadline > 0; deadline-- {
		if files, _ := filepath.Glob(filepath.Join(dir, "postdesk-*.db.age")); len(files) == 1 {
			break
		}
		sleepMs(20)
	}
	if deadline == 0 {
		t.Fatal("no automatic backup written")
	}
	u.Close()
	if u.backupErr != "" {
		t.Errorf("backup error %q", u.backupErr)
	}
}

func TestCatalogImportListsErrorsByLine(t *testing.T) {
	u, _ := newTestUI(t, "truong")
	u.Show("catalog")
	c := u.catalogScreen().imp
	bad := filepath.Join(t.TempDir(), "thu_tuc.csv")
	os.WriteFile(bad, []byte("code,name,field,level\n1.001193,Đăng ký khai sinh,Hộ tịch,cấp xã\nxyz,Thủ tục lỗi,Hộ tịch,cấp huyện\n"), 0o600)
	before, _ := u.Store.CatalogVersion(u.Ctx)
	c.importFile(bad)
	after, _ := u.Store.CatalogVersion(u.Ctx)
	if after != before {
		t.Fatal("a catalog with errors was imported")
	}
	if len(c.errs) == 0 {
		t.Fatal("no errors listed")
	}
	for _, e := range c.errs {
		if !strings.HasPrefix(e, "Dòng 3") {
			t.Errorf("error without its line: %q", e)
		}
	}
}

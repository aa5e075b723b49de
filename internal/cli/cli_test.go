package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// run runs a command line and returns its exit status, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestVersionAndUsage(t *testing.T) {
	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "postdesk ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errs := run(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := run(t, "check"); code != 2 || !strings.Contains(errs, "--db") {
		t.Fatalf("check without --db: %d %q", code, errs)
	}
	if !IsCommand([]string{"version"}) || IsCommand(nil) || IsCommand([]string{"--db", "x.db"}) {
		t.Fatal("IsCommand misjudges the app's own flags")
	}
}

func TestSeedCheckBackupRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	code, out, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "300", "--seed", "7")
	if code != 0 || !strings.Contains(out, "seeded 300 dossiers") {
		t.Fatalf("seed: %d %q %q", code, out, errs)
	}
	if code, out, errs := run(t, "check", "--db", db); code != 0 || !strings.HasPrefix(out, "ok:") || !strings.Contains(out, "300 dossiers") {
		t.Fatalf("check: %d %q %q", code, out, errs)
	}
	backup := filepath.Join(dir, "copy.db.age")
	if code, _, errs := run(t, "recovery-key", "new", "--db", db, "--out", filepath.Join(dir, "sheet.pdf")); code != 0 {
		t.Fatalf("recovery key: %s", errs)
	}
	if code, _, errs := run(t, "backup", "--db", db, "--out", backup); code != 0 {
		t.Fatalf("backup: %s", errs)
	}
	if code, _, errs := run(t, "backup", "--db", db, "--out", backup); code != 1 || !strings.Contains(errs, "exists") {
		t.Fatalf("backup over an existing file: %d %q", code, errs)
	}
	target := filepath.Join(dir, "restored.db")
	plain := filepath.Join(dir, "plain.db") // a backup as an older PostDesk made it: restores, with a warning
	if s, err := store.Open(db); err != nil || s.PlainCopy(context.Background(), plain) != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	if code, _, errs := run(t, "restore", "--db", target, plain); code != 0 || !strings.Contains(errs, "KHÔNG được mã hóa") {
		t.Fatalf("restore of a plain backup: %d %q", code, errs)
	}
	if code, out, _ := run(t, "check", "--db", target); code != 0 || !strings.Contains(out, "300 dossiers") {
		t.Fatalf("check restored: %q", out)
	}

	// Corrupt the projection behind the store's back: check exits 1 naming the dossier.
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	raw := testtool.DB(t, s.Path())
	raw.QueryRow("SELECT id FROM dossiers ORDER BY id LIMIT 1").Scan(&id)
	if _, err := raw.Exec("UPDATE dossiers SET applicant_name = 'Ai Đó' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	raw.Close() // the last connections to close checkpoint the change into the file
	s.Close()
	code, _, errs = run(t, "check", "--db", db)
	if code != 1 || !strings.Contains(errs, id) || !strings.Contains(errs, "applicant_name") {
		t.Fatalf("check of a corrupted projection: %d %q", code, errs)
	}
	// A corrupted database is refused as a restore source, and the target is untouched.
	if code, _, errs := run(t, "restore", "--db", target, db); code != 1 || !strings.Contains(errs, "not a sound backup") {
		t.Fatalf("restore from a corrupted file: %d %q", code, errs)
	}
}

func TestCatalogImportAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "catalog", "sample", "--db", db); code != 0 {
		t.Fatalf("sample: %s", errs)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("code,name,field,level,agency_code,processing_days,fee_vnd,bcci_intake,bcci_return\n"+
		"1.001193,Thủ tục đăng ký khai sinh (sửa),Hộ tịch,cấp xã,000.01.50.H21,3,0,1,1\n"), 0o600)
	code, out, errs := run(t, "catalog", "import", "--db", db, good)
	if code != 0 || !strings.Contains(out, "0 new, 1 updated") {
		t.Fatalf("re-import: %d %q %q", code, out, errs)
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("code,name,field,level,agency_code,processing_days,fee_vnd,bcci_intake,bcci_return\n"+
		"1.000894,Thủ tục đăng ký kết hôn,Hộ tịch,cấp xã,000.01.50.H21,abc,0,1,\n"+
		"9.999999,Thủ tục mới,Hộ tịch,cấp xã,999.99.99.H99,3,0,1,\n"), 0o600)
	code, _, errs = run(t, "catalog", "import", "--db", db, bad)
	if code != 1 || !strings.Contains(errs, "nothing imported") || !strings.Contains(errs, "Dòng 2: processing_days") {
		t.Fatalf("bad import: %d %q", code, errs)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Procedure(context.Background(), "9.999999"); err == nil {
		t.Fatal("a row of a refused file was imported")
	}
	p, _ := s.Procedure(context.Background(), "1.001193")
	if p.Name != "Thủ tục đăng ký khai sinh (sửa)" || p.ProcessingDays != 3 || !p.BCCIReturn {
		t.Fatalf("re-import did not update by code: %+v", p)
	}
	if v, _ := s.CatalogVersion(context.Background()); v != 2 {
		t.Fatalf("catalog version %d, want 2", v)
	}
}

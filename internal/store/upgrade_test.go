package store

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
	"postdesk/internal/vault"
)

// oldFile writes a database of this build's schema, with a post point and
// a dossier: to the tests below, which add migrations, it is an older file.
func oldFile(t *testing.T, dir string) (string, string) {
	t.Helper()
	saved := migrationList
	migrationList = migrations
	defer func() { migrationList = saved }()
	path := filepath.Join(dir, "Dữ liệu Bưu điện", "postdesk.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O"}, "A"); err != nil {
		t.Fatal(err)
	}
	d, err := s.Intake(ctx, "c", sampleDossier("Rơ Mah H'Bích", "064090000123", "0905123456"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path, d.ID
}

func TestUpgradeBacksUpFirst(t *testing.T) {
	migrationList = func() []sqlitedb.Migration {
		// a harmless last step, so the test does not depend on what the
		// newest real migration does when applied twice
		return append(migrations(), sqlitedb.Migration{Version: SchemaVersion() + 1, Name: "999_test.sql",
			SQL: "CREATE TABLE upgrade_probe (x INTEGER)"})
	}
	defer func() { migrationList = migrations }()
	path, receipt := oldFile(t, t.TempDir())

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Upgraded == nil || s.Upgraded.From != SchemaVersion() || s.Upgraded.To != SchemaVersion()+1 {
		t.Fatalf("Upgraded = %+v", s.Upgraded)
	}
	if _, err := s.Dossier(ctx, receipt); err != nil {
		t.Fatalf("the dossier did not survive the upgrade: %v", err)
	}
	if _, err := s.db.Exec("INSERT INTO upgrade_probe VALUES (1)"); err != nil {
		t.Fatalf("the new schema is not there: %v", err)
	}
	// The backup is the old file: old version, same dossier.
	if filepath.Dir(s.Upgraded.Backup) != filepath.Join(filepath.Dir(path), "backups") {
		t.Fatalf("backup in %s", s.Upgraded.Backup)
	}
	b, _ := sql.Open("sqlite", dsn(s.Upgraded.Backup))
	defer b.Close()
	var v, n int
	b.QueryRow("PRAGMA user_version").Scan(&v)
	b.QueryRow("SELECT count(*) FROM dossiers").Scan(&n)
	if v != SchemaVersion() || n != 1 {
		t.Fatalf("backup at version %d with %d dossiers", v, n)
	}
	if left, _ := filepath.Glob(path + ".upgrading*"); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	s.Close()
	// A second start upgrades nothing and backs up nothing more.
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Upgraded != nil {
		t.Fatalf("upgraded twice: %+v", s2.Upgraded)
	}
}

func TestFailedUpgradeLeavesTheFileUntouched(t *testing.T) {
	migrationList = func() []sqlitedb.Migration {
		return append(migrations(),
			sqlitedb.Migration{Version: SchemaVersion() + 1, Name: "998_ok.sql", SQL: "CREATE TABLE step_one (x INTEGER)"},
			sqlitedb.Migration{Version: SchemaVersion() + 2, Name: "999_bad.sql", SQL: "ALTER TABLE no_such_table ADD COLUMN y"})
	}
	defer func() { migrationList = migrations }()
	path, receipt := oldFile(t, t.TempDir())
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(path)
	if err == nil || !strings.Contains(err.Error(), "999_bad.sql") || !strings.Contains(err.Error(), "was not changed") {
		t.Fatalf("err %v", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("a failed upgrade changed the file")
	}
	if left, _ := filepath.Glob(path + ".upgrading*"); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
	// The older PostDesk (this schema) still opens it and finds the dossier.
	migrationList = migrations
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Dossier(ctx, receipt); err != nil || s.Upgraded != nil {
		t.Fatalf("old build after a failed upgrade: %v %+v", err, s.Upgraded)
	}
}

// TestUpgradeBackupIsEncrypted: the copy made before an upgrade is
// encrypted to the recovery key like every backup, and restores with it.
func TestUpgradeBackupIsEncrypted(t *testing.T) {
	migrationList = func() []sqlitedb.Migration {
		return append(migrations(), sqlitedb.Migration{Version: SchemaVersion() + 1, Name: "999_test.sql",
			SQL: "CREATE TABLE upgrade_probe (x INTEGER)"})
	}
	defer func() { migrationList = migrations }()
	path, receipt := oldFile(t, t.TempDir())
	key, _ := vault.NewKey()
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO meta(key, value) VALUES(?, ?)", metaRecovery, key.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Upgraded == nil || !strings.HasSuffix(s.Upgraded.Backup, BackupExt) {
		t.Fatalf("Upgraded = %+v, want an encrypted backup", s.Upgraded)
	}
	b, _ := os.ReadFile(s.Upgraded.Backup)
	if !vault.IsSealed(b) || bytes.Contains(b, []byte("064090000123")) {
		t.Fatal("the backup before the upgrade is readable")
	}
	if plain, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Upgraded.Backup), "*.db")); len(plain) != 0 {
		t.Fatalf("a plain copy was left: %v", plain)
	}
	target := filepath.Join(t.TempDir(), "back.db")
	if _, err := Restore(ctx, target, s.Upgraded.Backup, []age.Identity{key}); err != nil {
		t.Fatal(err)
	}
	r, err := Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Dossier(ctx, receipt); err != nil {
		t.Fatal(err)
	}
}

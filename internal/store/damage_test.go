package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/i18n"
)

// A database whose events page was zeroed (a disk fault, a bad copy) used
// to open without a word and then fail with SQLite's own text. Open says
// it is damaged, in Vietnamese, with the backup folder and the restore
// command — and SQLite's words stay out of the message.
func TestOpenDamagedDatabase(t *testing.T) {
	s := newTestStore(t)
	for i := 0; i < 30; i++ {
		if _, err := s.Intake(ctx, "gdv1", sampleDossier("Rơ Mah H'Bích", "064301000045", "0905123456")); err != nil {
			t.Fatal(err)
		}
	}
	path := s.Path()
	var root int64
	if err := s.db.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'events'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := s.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(make([]byte, 8192), (root-1)*8192); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, err = Open(path)
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("Open of a damaged file: %v", err)
	}
	vi, _ := i18n.New("vi")
	msg := vi.Message(err)
	for _, want := range []string{"bị hỏng", path, filepath.Join(filepath.Dir(path), "backups"), "postdesk restore --db " + path} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	for _, raw := range []string{"malformed", "SQLITE", "sqlite"} {
		if strings.Contains(msg, raw) {
			t.Errorf("message %q shows SQLite's text %q", msg, raw)
		}
	}
	// A file that is not a database at all: the same answer.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte(strings.Repeat("không phải cơ sở dữ liệu ", 400)), 0o600)
	if _, err := Open(junk); !errors.Is(err, ErrDamaged) {
		t.Errorf("Open of a file that is not a database: %v", err)
	}
}

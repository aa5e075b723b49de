package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteReplacesWholeOrNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Nguyễn Văn A", "Biên nhận")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "biên nhận 1.pdf")
	if err := WriteBytes(path, 0o644, []byte("old")); err != nil {
		t.Fatal(err)
	}
	// A writer that fails half way leaves the old file and no temporary file.
	boom := errors.New("disk full")
	err := Write(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("half of the new"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("after a failed write the file holds %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
	if err := WriteBytes(path, 0o600, []byte("new")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	fi, _ := os.Stat(path)
	if string(b) != "new" || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("%q %v", b, fi.Mode())
	}
	if err := WriteBytes(filepath.Join(dir, "no such folder", "x"), 0o600, nil); err == nil {
		t.Fatal("wrote into a missing folder")
	}
}

func TestCommit(t *testing.T) {
	dir := t.TempDir()
	tmp, path := filepath.Join(dir, "b.db.partial"), filepath.Join(dir, "b.db")
	os.WriteFile(tmp, []byte("copy"), 0o600)
	if err := Commit(tmp, path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "copy" {
		t.Fatalf("%q", b)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatal("the temporary name is still there")
	}
	if err := Commit(filepath.Join(dir, "missing"), path); err == nil {
		t.Fatal("committed a missing file")
	}
}

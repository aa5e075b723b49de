package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCalendarCommands: a supervisor prints a template, corrects it,
// installs it and sees the year now comes from the file; a wrong file is
// refused naming the line and installs nothing.
func TestCalendarCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "postdesk.db")
	code, out, errs := run(t, "calendar", "show", "--db", db, "2027")
	if code != 0 || !strings.Contains(out, "no year file loaded") || !strings.Contains(out, "10/02/2027  Nghỉ bù Tết Âm lịch") {
		t.Fatalf("show without a file: %d %q %q", code, out, errs)
	}
	code, tmpl, _ := run(t, "calendar", "template", "2027")
	if code != 0 || !strings.Contains(tmpl, "tet 05/02/2027 06/02/2027 07/02/2027 08/02/2027 09/02/2027") {
		t.Fatalf("template: %d %q", code, tmpl)
	}
	file := filepath.Join(dir, "lich-2027.txt")
	edited := strings.Replace(tmpl, "national-day 03/09/2027", "national-day 01/09/2027\nwork 13/02/2027 Làm bù", 1)
	if err := os.WriteFile(file, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run(t, "calendar", "install", "--db", db, file); code != 0 || !strings.Contains(out, "02/09 with 01/09/2027") {
		t.Fatalf("install: %d %q %q", code, out, errs)
	}
	code, out, _ = run(t, "calendar", "show", "--db", db, "2027")
	if code != 0 || !strings.Contains(out, "year file "+filepath.Join(dir, "calendar", "2027.txt")) ||
		!strings.Contains(out, "01/09/2027  Quốc khánh") || !strings.Contains(out, "13/02/2027  working day") {
		t.Fatalf("show with the file: %q", out)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("year 2027\ntet 05/02/2027\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, "calendar", "install", "--db", db, bad)
	if code == 0 || !strings.Contains(errs, "Dòng 2: Tết Âm lịch có 05 ngày") {
		t.Fatalf("a bad file installed: %d %q", code, errs)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "calendar", "2027.txt")); string(b) != edited {
		t.Error("a refused file replaced the installed one")
	}
}

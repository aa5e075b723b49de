package wintest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"postdesk/internal/tables"
)

// TestCommandLineSameAsLinux runs the same commands with the Windows build
// (under Wine, in a folder whose name has Vietnamese letters and spaces)
// and with the Linux build, and compares what they print and write.
func TestCommandLineSameAsLinux(t *testing.T) {
	need(t)
	wdir := filepath.Join(userDir, "cli")
	ldir := filepath.Join(t.TempDir(), "Nguyễn Văn A", "cli")
	for _, d := range []string{wdir, ldir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	wdb, ldb := win(filepath.Join(wdir, "bưu điện.db")), filepath.Join(ldir, "bưu điện.db")
	wout := func(name string) string { return win(filepath.Join(wdir, name)) }
	lout := func(name string) string { return filepath.Join(ldir, name) }
	paths := []string{wdb, "DB", ldb, "DB", win(wdir) + `\`, "DIR/", ldir + "/", "DIR/"}

	both := func(name string, args func(db string, out func(string) string) []string) (string, string) {
		t.Helper()
		w := wine(t, args(wdb, wout)...)
		l := linux(t, args(ldb, lout)...)
		if w.code != l.code {
			t.Fatalf("%s: exit %d under Wine, %d on Linux\nWine stderr: %s\nLinux stderr: %s", name, w.code, l.code, w.stderr, l.stderr)
		}
		if l.code != 0 {
			t.Fatalf("%s failed on Linux: %s", name, l.stderr)
		}
		wo, lo := same(w.stdout, paths...), same(l.stdout, paths...)
		if wo != lo {
			t.Fatalf("%s prints differently.\nWine:\n%s\nLinux:\n%s", name, wo, lo)
		}
		return wo, same(w.stderr, paths...)
	}
	out, _ := both("version", func(string, func(string) string) []string { return []string{"version"} })
	if !strings.HasPrefix(out, "postdesk ") {
		t.Fatalf("version: %q", out)
	}
	if r := wine(t, "version"); !strings.Contains(r.stdout, "windows/amd64") {
		t.Fatalf("the exe is not the Windows build: %q", r.stdout)
	}
	both("demo seed", func(db string, _ func(string) string) []string {
		return []string{"demo", "seed", "--db", db, "--dossiers", "150", "--seed", "9"}
	})
	both("check", func(db string, _ func(string) string) []string { return []string{"check", "--db", db} })
	both("find", func(db string, _ func(string) string) []string {
		return []string{"find", "--db", db, "nguyen", "--json"}
	})
	// A dossier to print: the first the search finds.
	found := linux(t, "find", "--db", ldb, "nguyen")
	id := strings.Fields(found.stdout)
	if len(id) == 0 {
		t.Fatalf("find found nothing: %q", found.stdout)
	}
	both("receipt", func(db string, out func(string) string) []string {
		return []string{"receipt", "--db", db, "--dossier", id[0], "--out", out("biên nhận.pdf")}
	})
	samePDF(t, filepath.Join(wdir, "biên nhận.pdf"), lout("biên nhận.pdf"))
	day := dateOf(t, ldb, id[0])
	both("register", func(db string, out func(string) string) []string {
		return []string{"register", "--db", db, "--date", day, "--out", out("sổ theo dõi.pdf")}
	})
	samePDF(t, filepath.Join(wdir, "sổ theo dõi.pdf"), lout("sổ theo dõi.pdf"))
	both("report kpi", func(db string, out func(string) string) []string {
		return []string{"report", "kpi", "--db", db, "--from", "01/01/2000", "--to", "31/12/2099", "--format", "csv", "--out", out("kpi.csv")}
	})
	sameFile(t, filepath.Join(wdir, "kpi.csv"), lout("kpi.csv"))

	// Catalog files as Excel on Windows saves them, in every encoding.
	for _, enc := range []string{tables.UTF8BOM, tables.UTF16LE, tables.Windows1258} {
		text := "code\tname\tfield\tlevel\r\n1.000894\tĐăng ký kết hôn (thử nghiệm)\tHộ tịch\tcấp xã\r\n"
		data, err := tables.Encode(text, enc)
		if err != nil {
			t.Fatal(err)
		}
		name := "danh mục " + strings.Fields(enc)[0] + ".csv"
		os.WriteFile(filepath.Join(wdir, name), data, 0o644)
		os.WriteFile(lout(name), data, 0o644)
		both("catalog import "+enc, func(db string, out func(string) string) []string {
			return []string{"catalog", "import", "--db", db, out(name)}
		})
	}
	// TCVN3 is refused, naming the encoding, the same way.
	bad := []byte("code,name,field,level\n1.000894,H\xe5 s\xac,Ho tich,cap xa\n")
	os.WriteFile(filepath.Join(wdir, "tcvn3.csv"), bad, 0o644)
	os.WriteFile(lout("tcvn3.csv"), bad, 0o644)
	w := wine(t, "catalog", "import", "--db", wdb, wout("tcvn3.csv"))
	l := linux(t, "catalog", "import", "--db", ldb, lout("tcvn3.csv"))
	if w.code != 1 || l.code != 1 || same(w.stderr, paths...) != same(l.stderr, paths...) || !strings.Contains(w.stderr, "TCVN3") {
		t.Fatalf("TCVN3 file: Wine %d %q, Linux %d %q", w.code, w.stderr, l.code, l.stderr)
	}
}

func dateOf(t *testing.T, db, id string) string {
	t.Helper()
	out, err := exec.Command("sqlite3", "-readonly", db,
		"SELECT strftime('%d/%m/%Y', received_at, '+7 hours') FROM dossiers WHERE id = '"+id+"'").Output()
	if err != nil || len(strings.TrimSpace(string(out))) != 10 {
		t.Fatalf("date of %s: %q %v", id, out, err)
	}
	return strings.TrimSpace(string(out))
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil || string(x) != string(y) {
		t.Fatalf("%s and %s differ (%v %v):\n%s\n---\n%s", a, b, err1, err2, x, y)
	}
}

// samePDF compares the text of two PDFs (their bytes differ by creation time).
var printedAt = regexp.MustCompile(`(In bằng PostDesk lúc|Lập lúc) \d{2}/\d{2}/\d{4} \d{2}:\d{2}`)

func samePDF(t *testing.T, a, b string) {
	t.Helper()
	text := func(p string) string {
		out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", p, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", p, err)
		}
		return string(out)
	}
	// The two runs print a minute apart at times: the moment of printing
	// ("In bằng PostDesk lúc …", "Lập lúc …") is the one text allowed to differ.
	ta, tb := printedAt.ReplaceAllString(text(a), "$1 TIME"), printedAt.ReplaceAllString(text(b), "$1 TIME")
	if ta != tb || len(strings.TrimSpace(ta)) < 20 {
		t.Fatalf("%s and %s read differently:\n%s\n---\n%s", a, b, ta, tb)
	}
}

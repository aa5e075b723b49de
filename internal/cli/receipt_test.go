package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

func TestReceiptCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "5", "--seed", "3"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	var id, name string
	err = testtool.DB(t, s.Path()).QueryRowContext(context.Background(),
		"SELECT id, applicant_name FROM dossiers ORDER BY id LIMIT 1").Scan(&id, &name)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "bien-nhan.pdf")
	code, stdout, errs := run(t, "receipt", "--db", db, "--dossier", strings.ToLower(id), "--out", out)
	if code != 0 || !strings.Contains(stdout, id) {
		t.Fatalf("receipt: %d %q %q", code, stdout, errs)
	}
	if testtool.Have(t, "pdftotext") {
		text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(text), id) || !strings.Contains(string(text), name) {
			t.Errorf("receipt PDF lacks %s or %s:\n%s", id, name, text)
		}
	}
	roll := filepath.Join(dir, "roll.pdf")
	if code, _, errs := run(t, "receipt", "--db", db, "--dossier", id, "--out", roll, "--layout", "80mm"); code != 0 {
		t.Fatalf("80mm receipt: %s", errs)
	}

	missing := filepath.Join(dir, "none.pdf")
	code, _, errs = run(t, "receipt", "--db", db, "--dossier", "600900A-990101-0001", "--out", missing)
	if code != 1 || !strings.Contains(errs, "600900A-990101-0001") {
		t.Errorf("missing dossier: %d %q", code, errs)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("a PDF was written for a missing dossier")
	}
	if code, _, errs := run(t, "receipt", "--db", db, "--dossier", id); code != 2 || !strings.Contains(errs, "--out") {
		t.Errorf("without --out: %d %q", code, errs)
	}
	if code, _, errs := run(t, "receipt", "--db", db, "--out", out); code != 2 || !strings.Contains(errs, "--dossier") {
		t.Errorf("without --dossier: %d %q", code, errs)
	}
	if code, _, errs := run(t, "receipt", "--db", db, "--dossier", id, "--out", out, "--layout", "a3"); code != 1 || !strings.Contains(errs, "a3") {
		t.Errorf("bad layout: %d %q", code, errs)
	}
}

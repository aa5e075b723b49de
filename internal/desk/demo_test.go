package desk

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"postdesk/internal/store"
	"postdesk/internal/testtool"
	"postdesk/internal/vault"
)

// TestDemoBacksUp: the demo post point gets a recovery key whose secret is
// on the sheet beside the database and nowhere in it, so its automatic
// backup is written (it failed at every start without one), and the sheet's
// key opens that backup; preparing the demo again keeps the key.
func TestDemoBacksUp(t *testing.T) {
	testtool.Need(t, "pdftotext")
	d := demoDesk(t)
	dir := filepath.Dir(d.Store.Path())
	rcpt, err := d.Store.RecoveryRecipient(ctx)
	if err != nil || rcpt == "" {
		t.Fatalf("the demo post point has no recovery key: %q %v", rcpt, err)
	}
	sheet := filepath.Join(dir, DemoSheetName)
	text, err := exec.Command("pdftotext", "-layout", sheet, "-").Output()
	if err != nil {
		t.Fatalf("the demo's recovery sheet %s: %v", sheet, err)
	}
	id, err := vault.ParseSecret(string(findSecret(t, text)))
	if err != nil {
		t.Fatalf("the sheet's key: %v\n%s", err, text)
	}
	if id.Recipient().String() != rcpt {
		t.Fatalf("the sheet's key is for %s, the post point keeps %s", id.Recipient(), rcpt)
	}
	if err := d.Store.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(d.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ToUpper(raw), []byte("AGE-SECRET-KEY-")) {
		t.Fatal("the recovery key's secret is in the database")
	}
	path, err := d.Store.AutoBackup(ctx, filepath.Join(dir, "backups"), 7)
	if err != nil || path == "" {
		t.Fatalf("the demo's automatic backup: %q %v", path, err)
	}
	restored := filepath.Join(t.TempDir(), "restored.db")
	if _, err := store.Restore(ctx, restored, path, []age.Identity{id}); err != nil {
		t.Fatalf("restoring the demo's backup with the sheet's key: %v", err)
	}
	if err := d.PrepareDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if again, _ := d.Store.RecoveryRecipient(ctx); again != rcpt {
		t.Fatalf("preparing the demo again changed its recovery key: %s → %s", rcpt, again)
	}
}

// findSecret is the recovery key on a sheet's text: from AGE-SECRET-KEY-
// to the blank line after it (the sheet prints it in groups on two lines).
func findSecret(t *testing.T, text []byte) []byte {
	t.Helper()
	lines := bytes.Split(text, []byte("\n"))
	for n, l := range lines {
		if i := bytes.Index(l, []byte("AGE-SECRET-KEY-")); i >= 0 {
			key := bytes.Clone(l[i:])
			for _, more := range lines[n+1:] {
				if len(bytes.TrimSpace(more)) == 0 {
					break
				}
				key = append(key, more...)
			}
			return key
		}
	}
	t.Fatalf("no AGE-SECRET-KEY on the recovery sheet:\n%s", text)
	return nil
}

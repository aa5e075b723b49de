package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"postdesk/internal/desk"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
	"postdesk/internal/vault"
)

// TestBackupHidesEveryCitizen is the "done when": `postdesk backup`
// writes a file in which no seeded CCCD number, name or phone is found,
// and `postdesk restore` brings it back with the recovery key — typed on
// standard input or read from the sheet's QR code. A wrong key, a changed
// byte and a cut file are refused and the database is left as it was.
func TestBackupHidesEveryCitizen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "120", "--seed", "3"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	backup := filepath.Join(dir, "b.db.age")
	// A post point set up without a recovery key (the demo has one) is
	// refused a backup.
	bare := filepath.Join(dir, "bare.db")
	bs, err := store.Open(bare)
	if err != nil {
		t.Fatal(err)
	}
	if err := bs.Setup(t.Context(), desk.DemoPostPoint, "A"); err != nil {
		t.Fatal(err)
	}
	bs.Close()
	if code, _, errs := run(t, "backup", "--db", bare, "--out", backup); code != 1 || !strings.Contains(errs, "khóa khôi phục") {
		t.Fatalf("backup before a recovery key: %d %q", code, errs)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatalf("a refused backup left a file: %v", err)
	}
	sheet := filepath.Join(dir, "sheet.pdf")
	code, out, errs := run(t, "recovery-key", "new", "--db", db, "--out", sheet)
	if code != 0 {
		t.Fatalf("recovery-key new: %s", errs)
	}
	secret := regexp.MustCompile(`AGE-SECRET-KEY-1[0-9A-Z]{58}`).FindString(out)
	if secret == "" {
		t.Fatalf("no key printed: %q", out)
	}
	raw := readAll(t, db)
	if bytes.Contains(raw, []byte(secret)) || bytes.Contains(bytes.ToLower(raw), bytes.ToLower([]byte(secret))) {
		t.Fatal("the recovery key's secret was written to the database")
	}
	if code, _, errs := run(t, "backup", "--db", db, "--out", backup); code != 0 {
		t.Fatalf("backup: %s", errs)
	}

	// Every citizen's ID, phone and name, as the database holds them.
	conn := testtool.DB(t, db)
	rows, err := conn.Query("SELECT citizen_id, phone, applicant_name FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	var needles []string
	for rows.Next() {
		var id, phone, name string
		if err := rows.Scan(&id, &phone, &name); err != nil {
			t.Fatal(err)
		}
		needles = append(needles, id, phone, name)
	}
	rows.Close()
	conn.Close()
	if len(needles) < 3*120 {
		t.Fatalf("found %d values to look for", len(needles))
	}
	sealed := readAll(t, backup)
	for _, n := range needles {
		if n != "" && bytes.Contains(sealed, []byte(n)) {
			t.Fatalf("the backup holds %q in plain text", n)
		}
	}
	if !bytes.Contains(raw, []byte(needles[0])) {
		t.Fatal("the live database does not hold the values looked for: the grep proves nothing")
	}

	target := filepath.Join(dir, "restored.db")
	writeText(t, target, "live")
	keyFile := filepath.Join(dir, "key.txt")
	wrong := filepath.Join(dir, "wrong.txt")
	other, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	writeText(t, wrong, "# another post point's key\n"+other.String()+"\n")
	// Refusals first: the target stays as it was.
	bad := filepath.Join(dir, "bad.db.age")
	for name, c := range map[string]struct {
		data []byte
		args []string
		want string
	}{
		"no key":       {sealed, nil, "cần khóa khôi phục"},
		"wrong key":    {sealed, []string{"--key-file", wrong}, "không mở được"},
		"flipped byte": {flipByte(sealed, len(sealed)/2), []string{"--key", secret}, "bị hỏng"},
		"cut short":    {sealed[:len(sealed)-4096], []string{"--key", secret}, "bị hỏng"},
	} {
		if err := os.WriteFile(bad, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"restore", "--db", target}, append(c.args, bad)...)
		if code, _, errs := run(t, args...); code != 1 || !strings.Contains(errs, c.want) {
			t.Fatalf("%s: %d %q, want %q", name, code, errs, c.want)
		}
		if string(readAll(t, target)) != "live" {
			t.Fatalf("%s: the target was replaced", name)
		}
	}

	// Typed on standard input, in the sheet's groups of four, lower case.
	stdin = strings.NewReader(strings.ToLower(groupsOf4(secret)) + "\n")
	t.Cleanup(func() { stdin = os.Stdin })
	if code, _, errs := run(t, "restore", "--db", target, "--key", "-", backup); code != 0 {
		t.Fatalf("restore with the typed key: %s", errs)
	}
	if code, out, _ := run(t, "check", "--db", target); code != 0 || !strings.Contains(out, "120 dossiers") {
		t.Fatalf("check restored: %q", out)
	}

	// Read from the sheet's QR code, as a scanner would: the text is the key.
	qr := secret
	if testtool.Have(t, "pdftoppm") && testtool.Have(t, "zbarimg") {
		png := filepath.Join(dir, "sheet")
		if msg, err := exec.Command("pdftoppm", "-r", "100", "-png", "-singlefile", sheet, png).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, msg)
		}
		b, err := exec.Command("zbarimg", "-q", "--raw", png+".png").Output()
		if err != nil {
			t.Fatalf("zbarimg read no code on the sheet: %v", err)
		}
		if qr = strings.TrimSpace(string(b)); qr != secret {
			t.Fatalf("the sheet's QR reads %q, want the key", qr)
		}
		if testtool.Have(t, "pdftotext") {
			text, _ := exec.Command("pdftotext", sheet, "-").Output()
			if !strings.Contains(strings.Join(strings.Fields(string(text)), ""), secret) {
				t.Fatalf("the sheet's text lacks the key: %s", text)
			}
		}
	}
	writeText(t, keyFile, qr+"\n")
	os.Remove(target + ".before-restore")
	if code, _, errs := run(t, "restore", "--db", target, "--key-file", keyFile, backup); code != 0 {
		t.Fatalf("restore with the key file: %s", errs)
	}
}

func readAll(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeText(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func flipByte(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x40
	return c
}

func groupsOf4(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	return strings.Join(append(parts, s), " ")
}

// TestRestoreWithHubIdentity: a device enrolled at a hub encrypts its
// backups to the hub's key too; `postdesk-hub key export` writes that
// identity and `restore --identity` opens the backup with it alone.
func TestRestoreWithHubIdentity(t *testing.T) {
	dir := t.TempDir()
	hubDB, db := filepath.Join(dir, "hub.db"), filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "hub", "token", "--db", hubDB, "--post-point", "600900"); code != 0 {
		t.Fatalf("hub token: %s", errs)
	}
	idFile := filepath.Join(dir, "hub-identity.txt")
	code, out, errs := run(t, "hub", "key", "export", "--db", hubDB, "--out", idFile)
	if code != 0 {
		t.Fatalf("hub key export: %s", errs)
	}
	recipient := regexp.MustCompile(`age1[0-9a-z]+`).FindString(out)
	if fi, err := os.Stat(idFile); err != nil || fi.Mode().Perm() != 0o600 || recipient == "" {
		t.Fatalf("identity file: %v %v %q", fi, err, out)
	}
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "30", "--seed", "5"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	if code, _, errs := run(t, "recovery-key", "new", "--db", db, "--out", filepath.Join(dir, "sheet.pdf")); code != 0 {
		t.Fatalf("recovery key: %s", errs)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	err = s.SaveEnrollment(context.Background(), store.Enrollment{HubURL: "https://127.0.0.1:1", HubName: "hub",
		HubSignKey: make([]byte, 32), HubAgeRecipient: recipient, EnrolledAt: time.Now()})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "b.db.age")
	if code, _, errs := run(t, "backup", "--db", db, "--out", backup); code != 0 {
		t.Fatalf("backup: %s", errs)
	}
	target := filepath.Join(dir, "restored.db")
	if code, _, errs := run(t, "restore", "--db", target, "--identity", idFile, backup); code != 0 {
		t.Fatalf("restore with the hub's identity: %s", errs)
	}
	if code, out, _ := run(t, "check", "--db", target); code != 0 || !strings.Contains(out, "30 dossiers") {
		t.Fatalf("check restored: %q", out)
	}
}

// TestFindByIDIsInTheAccessLog: `postdesk find` by a CCCD number is
// recorded with the staff name given and the dossiers found, and `postdesk
// access` lists it per dossier and per staff member.
func TestFindByIDIsInTheAccessLog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "20", "--seed", "9"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	conn := testtool.DB(t, db)
	var id, cccd string
	if err := conn.QueryRow("SELECT id, citizen_id FROM dossiers WHERE citizen_id <> '' ORDER BY id LIMIT 1").Scan(&id, &cccd); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if code, _, errs := run(t, "find", "--db", db, "--staff", "gdv1", cccd); code != 0 {
		t.Fatalf("find: %s", errs)
	}
	if code, _, errs := run(t, "find", "--db", db, "--staff", "gdv2", "nguyen"); code > 1 {
		t.Fatalf("find by name: %s", errs)
	}
	code, out, errs := run(t, "access", "--db", db, "--dossier", id)
	if code != 0 || !strings.Contains(out, "gdv1") || !strings.Contains(out, "search_id") || strings.Contains(out, cccd) {
		t.Fatalf("access --dossier: %d %q %q", code, out, errs)
	}
	if code, out, _ := run(t, "access", "--db", db, "--staff", "gdv2"); code != 0 || strings.TrimSpace(out) != "" {
		t.Fatalf("a search by name is in the log: %q", out)
	}
}

// TestCitizenExportHoldsExactlyThatCitizen: the JSON export of one CCCD
// holds every dossier whose applicant (or representative, or recipient)
// has that number and no other, with all their events and none else; the
// PDF names the same receipts; the export is in the access log.
func TestCitizenExportHoldsExactlyThatCitizen(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "150", "--seed", "11"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	conn := testtool.DB(t, db)
	var cccd string
	if err := conn.QueryRow(`SELECT citizen_id FROM dossiers WHERE length(citizen_id) = 12
		GROUP BY citizen_id ORDER BY count(*) DESC, citizen_id LIMIT 1`).Scan(&cccd); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	rows, err := conn.Query("SELECT id FROM dossiers WHERE citizen_id = ? OR instr(CAST(data AS TEXT), ?) > 0", cccd, `"`+cccd+`"`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		want[id] = true
	}
	rows.Close()
	var events int
	for id := range want {
		var n int
		conn.QueryRow("SELECT count(*) FROM events WHERE dossier = ?", id).Scan(&n)
		events += n
	}
	conn.Close()
	out := filepath.Join(dir, "citizen.json")
	if code, _, errs := run(t, "citizen", "export", "--db", db, "--id", cccd, "--out", out, "--staff", "truong"); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	var got struct {
		IDNumber string `json:"id_number"`
		Dossiers []struct {
			Dossier struct {
				ID        string `json:"id"`
				Applicant struct {
					IDNumber string `json:"id_number"`
				} `json:"applicant"`
			} `json:"dossier"`
			Events []struct {
				Dossier string `json:"dossier"`
			} `json:"events"`
		} `json:"dossiers"`
	}
	if err := json.Unmarshal(readAll(t, out), &got); err != nil {
		t.Fatal(err)
	}
	gotEvents := 0
	for _, d := range got.Dossiers {
		if !want[d.Dossier.ID] {
			t.Fatalf("the export holds %s, not about %s", d.Dossier.ID, cccd)
		}
		delete(want, d.Dossier.ID)
		for _, e := range d.Events {
			if e.Dossier != d.Dossier.ID {
				t.Fatalf("an event of %s under %s", e.Dossier, d.Dossier.ID)
			}
			gotEvents++
		}
	}
	if len(want) != 0 || len(got.Dossiers) == 0 || gotEvents != events {
		t.Fatalf("missing %v; %d dossiers, %d of %d events", want, len(got.Dossiers), gotEvents, events)
	}
	pdf := filepath.Join(dir, "citizen.pdf")
	if code, _, errs := run(t, "citizen", "export", "--db", db, "--id", cccd, "--out", pdf); code != 0 {
		t.Fatalf("export pdf: %s", errs)
	}
	if testtool.Have(t, "pdftotext") {
		text, _ := exec.Command("pdftotext", pdf, "-").Output()
		for _, d := range got.Dossiers {
			if !strings.Contains(string(text), d.Dossier.ID) {
				t.Fatalf("the PDF lacks %s", d.Dossier.ID)
			}
		}
	}
	if code, out, _ := run(t, "access", "--db", db, "--staff", "truong"); code != 0 || !strings.Contains(out, "export") ||
		!strings.Contains(out, got.Dossiers[0].Dossier.ID) {
		t.Fatalf("the export is not in the access log: %q", out)
	}
	if code, _, errs := run(t, "citizen", "export", "--db", db, "--id", "12ab", "--out", out); code != 1 || !strings.Contains(errs, "12 chữ số") {
		t.Fatalf("a bad ID: %d %q", code, errs)
	}
}

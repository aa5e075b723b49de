package app

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"

	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// TestCitizenExportFromApp: on the staff screen a supervisor presses
// Ctrl+E, types a CCCD and Enter; a PDF and a JSON holding exactly that
// citizen's dossiers are written (another citizen's ID and name absent from
// both), and the export is in the access log. A bad number is refused at
// its field with nothing written.
func TestCitizenExportFromApp(t *testing.T) {
	testtool.Need(t, "pdftotext")
	u, _ := newTestUI(t, "truong")
	rows, err := u.Store.ListDossiers(u.Ctx, store.Filter{}, 0, 50)
	if err != nil || len(rows) < 2 {
		t.Fatalf("dossiers %d %v", len(rows), err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	me, err := u.Store.Dossier(u.Ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	var other *domain.Dossier
	for _, id := range ids[1:] {
		o, err := u.Store.Dossier(u.Ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Applicant.IDNumber != me.Applicant.IDNumber && o.Applicant.FullName != me.Applicant.FullName {
			other = o
			break
		}
	}
	if other == nil {
		t.Fatal("no second citizen in the demo data")
	}
	mine, err := u.Store.CitizenDossiers(u.Ctx, me.Applicant.IDNumber)
	if err != nil || len(mine) == 0 {
		t.Fatalf("citizen's dossiers %v %v", mine, err)
	}

	u.Show("staff")
	u.runShortcut((&desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl}).ShortcutName())
	f := u.session.citizen
	if f == nil || u.topDialog() == nil {
		t.Fatal("Ctrl+E on the staff screen opened no export dialog")
	}
	if u.Win.Canvas().Focused() != f.id {
		t.Fatal("the ID field does not have the keyboard")
	}
	dir := filepath.Join(t.TempDir(), "out")
	f.folder.SetText(dir)

	test.Type(f.id, "123")
	f.id.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if l := f.errs["id_number"]; !l.Visible() || l.Text == "" {
		t.Fatal("a 3-digit number was not refused at its field")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused export wrote %d files", len(entries))
	}

	f.id.SetText("")
	test.Type(f.id, me.Applicant.IDNumber)
	f.id.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	pdfs, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	jsons, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(pdfs) != 1 || len(jsons) != 1 || !f.result.Visible() {
		t.Fatalf("export wrote %v %v (result %q)", pdfs, jsons, f.result.Text)
	}
	text, err := exec.Command("pdftotext", "-layout", pdfs[0], "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(jsons[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"PDF": string(text), "JSON": string(raw)} {
		if !strings.Contains(body, me.Applicant.IDNumber) || !strings.Contains(body, me.Applicant.FullName) {
			t.Errorf("the %s lacks the citizen's ID or name", name)
		}
		if strings.Contains(body, other.Applicant.IDNumber) || strings.Contains(body, other.Applicant.FullName) {
			t.Errorf("the %s holds another citizen's ID or name (%s)", name, other.ID)
		}
		for _, id := range mine {
			if !strings.Contains(body, id) {
				t.Errorf("the %s lacks the citizen's dossier %s", name, id)
			}
		}
	}
	var data desk.CitizenData
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Dossiers) != len(mine) {
		t.Fatalf("JSON has %d dossiers, the citizen has %d", len(data.Dossiers), len(mine))
	}
	log, err := u.Store.AccessLog(u.Ctx, mine[0], "truong", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) == 0 || log[0].What != domain.AccessExport {
		t.Fatalf("the export is not in the access log: %+v", log)
	}
}

package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/domain"
)

// TestSearchNamesAsTyped: apostrophe variants fold to one, a minority name
// typed without its spaces and apostrophes is found ("hbich", "rmah"), and
// old- and new-style tone placement ("hoà"/"hòa") still match — in Search
// (the scan box) and in the dossier list's filter.
func TestSearchNamesAsTyped(t *testing.T) {
	s := newTestStore(t)
	bich, _ := s.Intake(ctx, "c", sampleDossier("Rơ Mah H’Bích", "064301000045", "0905123456"))
	hoa, _ := s.Intake(ctx, "c", sampleDossier("Lê Văn Hoà", "064090000123", "0356789012"))
	other, _ := s.Intake(ctx, "c", sampleDossier("Nguyễn Thị Hằng", "064190000123", "0912345678"))
	for _, c := range []struct {
		q    string
		want *domain.Dossier
	}{
		{"hbich", bich}, {"H'Bích", bich}, {"Hʼbich", bich}, {"h bich", bich}, {"rmah", bich}, {"romah", bich},
		{"Rơ Mah", bich}, {"mahhbich", bich}, {"văn hòa", hoa}, {"Lê Văn Hòa", hoa}, {"vanhoa", hoa}, {"thihang", other},
		{"nguyenthi", other},
	} {
		rows, err := s.Search(ctx, c.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].ID != c.want.ID {
			t.Errorf("Search(%q) = %v, want %s", c.q, rowIDs(rows), c.want.Applicant.FullName)
		}
		list, err := s.ListDossiers(ctx, Filter{Text: c.q}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != c.want.ID {
			t.Errorf("list filter %q = %v, want %s", c.q, rowIDs(list), c.want.Applicant.FullName)
		}
	}
	if rows, _ := s.Search(ctx, "hbichx", 10); len(rows) != 0 {
		t.Errorf("hbichx found %v", rowIDs(rows))
	}
	// a name corrected later moves its keys
	mustCheck(t, s)
}

func rowIDs(rows []DossierRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

// TestNameKeysBackfilledByMigration: a dossier stored before migration 006
// is found by "hbich" once the database is opened by this build.
func TestNameKeysBackfilledByMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{db: db, Now: time.Now}
	if err := old.migrate(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO dossiers(id, state, option, procedure_code, agency_code, applicant_name, name_fold,
		citizen_id, phone, commune, official_code, item_code, received_at, due_date, updated_at, device_id, data)
		VALUES('553140A-261125-0001', 'received', 'send', '1.001193', '000.00.20.H21', 'Rơ Mah H''Bích', 'ro mah h bich',
		'064301000045', '0905123456', '', '', '', '2026-11-25T02:00:00Z', '', '2026-11-25T02:00:00Z', '553140-A', '{}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, q := range []string{"hbich", "rmah"} {
		if rows, err := s.Search(ctx, q, 10); err != nil || len(rows) != 1 {
			t.Errorf("after the migration %q finds %v (%v)", q, rowIDs(rows), err)
		}
	}
}

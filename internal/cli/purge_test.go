package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"postdesk/internal/testtool"
)

// TestPurgeKeepsFiguresAndForgetsCitizens: `postdesk purge --days 30` on a
// seeded post point removes every personal field of the dossiers done more
// than 30 days ago — none of their CCCD numbers, phones or names is left in
// the database file's bytes — while the others keep theirs; `report kpi`
// is the same before and after, `check` passes, and a second purge purges
// nothing.
func TestPurgeKeepsFiguresAndForgetsCitizens(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pd.db")
	if code, _, errs := run(t, "demo", "seed", "--db", db, "--dossiers", "160", "--seed", "5"); code != 0 {
		t.Fatalf("seed: %s", errs)
	}
	kpi := func(name string) string {
		out := filepath.Join(dir, name)
		if code, _, errs := run(t, "report", "kpi", "--db", db, "--from", "01/01/2020", "--to", "31/12/2030", "--format", "json", "--out", out); code != 0 {
			t.Fatalf("kpi: %s", errs)
		}
		b := readAll(t, out)
		return regexp.MustCompile(`"generated_at":"[^"]*"`).ReplaceAllString(string(b), "")
	}
	before := kpi("before.json")
	code, out, errs := run(t, "purge", "--db", db, "--days", "30", "--dry-run", "--json")
	if code != 0 {
		t.Fatalf("dry run: %s", errs)
	}
	var dry struct{ Dossiers []string }
	if err := json.Unmarshal([]byte(out), &dry); err != nil || len(dry.Dossiers) == 0 {
		t.Fatalf("dry run lists %v (%v): %s", dry.Dossiers, err, out)
	}
	due := map[string]bool{}
	for _, id := range dry.Dossiers {
		due[id] = true
	}
	conn := testtool.DB(t, db)
	rows, err := conn.Query("SELECT id, citizen_id, phone, applicant_name FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	var gone, kept []string
	for rows.Next() {
		var id, cccd, phone, name string
		if err := rows.Scan(&id, &cccd, &phone, &name); err != nil {
			t.Fatal(err)
		}
		if due[id] {
			gone = append(gone, cccd, name)
		} else {
			kept = append(kept, cccd)
		}
	}
	rows.Close()
	conn.Close()
	// The demo's names (and some numbers) repeat: look only for those no dossier kept holds.
	keep := map[string]bool{}
	for _, k := range kept {
		keep[k] = true
	}
	conn = testtool.DB(t, db)
	rows, err = conn.Query("SELECT applicant_name FROM dossiers")
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names[n]++
	}
	rows.Close()
	conn.Close()
	unique := gone[:0]
	for i := 0; i < len(gone); i += 2 {
		if !keep[gone[i]] {
			unique = append(unique, gone[i])
		}
		if names[gone[i+1]] == 1 {
			unique = append(unique, gone[i+1])
		}
	}
	gone = unique
	if len(gone) < len(dry.Dossiers) {
		t.Fatalf("only %d values to look for over %d dossiers", len(gone), len(dry.Dossiers))
	}
	if len(kept) == 0 {
		t.Fatal("every seeded dossier is due: nothing shows the others keep their data")
	}

	if code, out, errs = run(t, "purge", "--db", db); code != 0 || !strings.Contains(out, "purged: ") {
		t.Fatalf("purge: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "check", "--db", db); code != 0 {
		t.Fatalf("check after the purge: %s", errs)
	}
	if after := kpi("after.json"); after != before {
		t.Fatalf("report kpi changed:\nbefore %s\nafter  %s", before, after)
	}
	raw := readAll(t, db)
	if wal, err := os.ReadFile(db + "-wal"); err == nil {
		raw = append(raw, wal...)
	}
	for _, n := range gone {
		if n != "" && bytes.Contains(raw, []byte(n)) {
			conn := testtool.DB(t, db)
			var where []string
			for _, q := range []string{"SELECT 'dossier ' || id || ' ' || state FROM dossiers WHERE instr(CAST(data AS TEXT), ?) > 0",
				"SELECT 'event ' || kind || ' ' || dossier FROM events WHERE instr(CAST(payload AS TEXT), ?) > 0"} {
				rows, _ := conn.Query(q, n)
				for rows.Next() {
					var w string
					rows.Scan(&w)
					where = append(where, w)
				}
				rows.Close()
			}
			conn.Close()
			t.Fatalf("the database still holds %q of a purged dossier: %v", n, where)
		}
	}
	found := 0
	for _, n := range kept {
		if bytes.Contains(raw, []byte(n)) {
			found++
		}
	}
	if found == 0 {
		t.Fatal("the dossiers not due lost their data too")
	}
	if code, out, _ = run(t, "purge", "--db", db); code != 0 || !strings.Contains(out, "purged: 0 dossiers") {
		t.Fatalf("second purge: %s", out)
	}
}

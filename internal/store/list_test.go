package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

var bg = context.Background()

// seedNow is the demo data's "today": fixed, so seeded data and due dates are stable.
var seedNow = time.Date(2026, 11, 25, 17, 0, 0, 0, domain.Zone)

// seedStore builds a database of n demo dossiers at path.
func seedStore(tb testing.TB, path string, n int) *store.Store {
	tb.Helper()
	s, err := store.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	s.Now = func() time.Time { return seedNow }
	if err := s.Setup(bg, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		tb.Fatal(err)
	}
	f, err := catalog.Sample()
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ImportCatalog(bg, "demo", store.CatalogImport{FileName: f.Name, SHA256: f.SHA256, Agencies: f.Agencies, Procedures: f.Procedures}); err != nil {
		tb.Fatal(err)
	}
	if _, err := demo.Seed(bg, s, demo.Options{Dossiers: n, Seed: 7, Now: seedNow}); err != nil {
		tb.Fatal(err)
	}
	return s
}

// allRows reads every dossier row without the code under test.
type rawRow struct {
	id, state, proc, agency, received, due   string
	citizen, phone, nameFold, official, item string
}

func allRows(t *testing.T, s *store.Store) []rawRow {
	rows, err := testtool.DB(t, s.Path()).Query(`SELECT id, state, procedure_code, agency_code, received_at, due_date,
		citizen_id, phone, name_fold, official_code, item_code FROM dossiers ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []rawRow
	for rows.Next() {
		var r rawRow
		if err := rows.Scan(&r.id, &r.state, &r.proc, &r.agency, &r.received, &r.due,
			&r.citizen, &r.phone, &r.nameFold, &r.official, &r.item); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func parseT(t *testing.T, s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	v, err := time.Parse(domain.TimeLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// oracle filters rows the slow, obvious way and orders them newest first.
func oracle(t *testing.T, rows []rawRow, f store.Filter) []string {
	y, m, d := seedNow.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
	waiting := map[string]bool{"received": true, "at_agency": true, "accepted": true}
	type hit struct {
		id    string
		at    time.Time
		order int
	}
	var hits []hit
	for i, r := range rows {
		at := parseT(t, r.received)
		if len(f.States) > 0 {
			ok := false
			for _, s := range f.States {
				ok = ok || string(s) == r.state
			}
			if !ok {
				continue
			}
		}
		if !f.From.IsZero() && at.Before(f.From) || !f.To.IsZero() && !at.Before(f.To) {
			continue
		}
		if f.ProcedureCode != "" && r.proc != f.ProcedureCode || f.AgencyCode != "" && r.agency != f.AgencyCode {
			continue
		}
		if f.Overdue || f.DueSoonDays > 0 {
			due := parseT(t, r.due)
			if !waiting[r.state] || due.IsZero() {
				continue
			}
			end := today
			if f.DueSoonDays > 0 {
				end = today.AddDate(0, 0, f.DueSoonDays+1)
			}
			if !due.Before(end) || !f.Overdue && due.Before(today) {
				continue
			}
		}
		if f.Text != "" && !textMatches(r, f.Text) {
			continue
		}
		hits = append(hits, hit{r.id, at, i})
	}
	sort.Slice(hits, func(a, b int) bool {
		if !hits[a].at.Equal(hits[b].at) {
			return hits[a].at.After(hits[b].at)
		}
		return hits[a].order > hits[b].order
	})
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return ids
}

// textMatches is the text filter's meaning, written plainly: a code or
// number is a prefix of the receipt number, a code or an ID; a phone
// matches whole; words are the start of the folded name.
func textMatches(r rawRow, text string) bool {
	upper := strings.ToUpper(strings.ReplaceAll(text, " ", ""))
	digits := upper != "" && strings.Trim(upper, "0123456789") == ""
	if digits {
		if strings.HasPrefix(r.citizen, upper) || strings.HasPrefix(r.id, upper) {
			return true
		}
		if p, err := domain.NormalizePhone(upper); err == nil {
			if r.phone == p {
				return true
			}
		} else if strings.HasPrefix(upper, "0") && strings.HasPrefix(r.phone, upper) {
			return true
		}
	} else if strings.Trim(upper, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") == "" && strings.ContainsAny(upper, "0123456789") {
		if strings.HasPrefix(r.id, upper) || r.official != "" && strings.HasPrefix(r.official, upper) || r.item != "" && strings.HasPrefix(r.item, upper) {
			return true
		}
	}
	if f := domain.Fold(text); f != "" && strings.ContainsFunc(text, func(c rune) bool { return c > '9' && c != '.' && c != '-' }) {
		return strings.HasPrefix(r.nameFold, f)
	}
	return false
}

func TestListDossiersMatchesOracle(t *testing.T) {
	s := seedStore(t, filepath.Join(t.TempDir(), "list.db"), 3000)
	rows := allRows(t, s)
	if len(rows) != 3000 {
		t.Fatalf("%d rows seeded", len(rows))
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Zone)
	to := time.Date(2026, 6, 1, 0, 0, 0, 0, domain.Zone)
	filters := map[string]store.Filter{
		"none":              {},
		"one state":         {States: []domain.State{domain.StateDelivered}},
		"two states":        {States: []domain.State{domain.StateAccepted, domain.StateReceived}},
		"three states":      {States: []domain.State{domain.StateDelivered, domain.StateResultReady, domain.StateCancelled}},
		"dates":             {From: from, To: to},
		"states and dates":  {States: []domain.State{domain.StateDelivered, domain.StateCancelled}, From: from, To: to},
		"procedure":         {ProcedureCode: "1.001193"},
		"procedure+state":   {ProcedureCode: "1.001193", States: []domain.State{domain.StateDelivered}},
		"agency":            {AgencyCode: "000.01.50.H21"},
		"agency+dates":      {AgencyCode: "000.01.50.H21", From: from, To: to},
		"overdue":           {Overdue: true},
		"due soon":          {DueSoonDays: 3},
		"due soon+overdue":  {DueSoonDays: 3, Overdue: true},
		"overdue+received":  {Overdue: true, States: []domain.State{domain.StateReceived}},
		"overdue+delivered": {Overdue: true, States: []domain.State{domain.StateDelivered}},
		"nothing matches":   {ProcedureCode: "9.999999"},
		"text name":         {Text: "Nguyễn"},
		"text name+state":   {Text: "ksor", States: []domain.State{domain.StateDelivered, domain.StateResultReady}},
		"text receipt":      {Text: "600900A-2606"},
		"text citizen id":   {Text: "064"},
		"text phone":        {Text: "09"},
		"text name+dates":   {Text: "rơ", From: from, To: to},
	}
	for name, f := range filters {
		t.Run(name, func(t *testing.T) {
			f.Now = seedNow
			want := oracle(t, rows, f)
			n, err := s.CountDossiers(bg, f)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Fatalf("count %d, want %d", n, len(want))
			}
			var got []string
			const size = 37 // an odd size, so pages end mid-day
			for page := 0; page <= store.PageCount(n, size); page++ {
				rs, err := s.ListDossiers(bg, f, page, size)
				if err != nil {
					t.Fatal(err)
				}
				if len(rs) > size {
					t.Fatalf("page %d has %d rows", page, len(rs))
				}
				for _, r := range rs {
					got = append(got, r.ID)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("got %d ids, want %d; first differences:\n got %v\nwant %v", len(got), len(want), head(got), head(want))
			}
		})
	}
	// The filters that are meant to find something do.
	for _, name := range []string{"one state", "two states", "dates", "procedure", "agency", "overdue", "due soon",
		"text name", "text name+state", "text receipt", "text citizen id", "text phone", "text name+dates"} {
		if len(oracle(t, rows, filters[name])) == 0 {
			t.Errorf("filter %q matches nothing in the demo data: the test proves little", name)
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}

func TestListDossiersText(t *testing.T) {
	s := seedStore(t, filepath.Join(t.TempDir(), "text.db"), 500)
	all, err := s.ListDossiers(bg, store.Filter{}, 0, 500)
	if err != nil || len(all) != 500 {
		t.Fatalf("%d rows, %v", len(all), err)
	}
	target := all[123]
	for _, text := range []string{target.ID, strings.ToLower(target.ID), target.CitizenID, target.Phone, domain.Fold(target.ApplicantName)} {
		rs, err := s.ListDossiers(bg, store.Filter{Text: text}, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rs {
			found = found || r.ID == target.ID
		}
		if !found {
			t.Errorf("text %q does not find %s", text, target.ID)
		}
	}
	// Text combines with other filters.
	rs, err := s.ListDossiers(bg, store.Filter{Text: target.ID, States: []domain.State{domain.StateCancelled}}, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	if target.State != domain.StateCancelled && len(rs) != 0 {
		t.Errorf("state filter ignored with text: %v", rs)
	}
	if rs, _ := s.ListDossiers(bg, store.Filter{Text: "!!!"}, 0, 50); len(rs) != 0 {
		t.Errorf("punctuation matched %d rows", len(rs))
	}
}

func TestListDossiersByPlace(t *testing.T) {
	s := seedStore(t, filepath.Join(t.TempDir(), "place.db"), 800)
	from, to := seedNow.AddDate(0, -2, 0), seedNow
	home, err := s.ListDossiers(bg, store.Filter{From: from, To: to, Place: domain.PlaceHome}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.ListDossiers(bg, store.Filter{From: from, To: to}, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, r := range all {
		d, err := s.Dossier(bg, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Place == domain.PlaceHome {
			want++
		}
	}
	if want == 0 || len(home) != want {
		t.Fatalf("%d home dossiers listed, %d in the period", len(home), want)
	}
	if n, _ := s.CountDossiers(bg, store.Filter{From: from, To: to, Place: domain.PlaceHome}); n != want {
		t.Fatalf("count %d, want %d", n, want)
	}
}

func TestDrafts(t *testing.T) {
	s, err := store.Open(filepath.Join(t.TempDir(), "drafts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Draft(bg, "gdv1", "intake"); err != store.ErrNotFound {
		t.Fatalf("missing draft: %v", err)
	}
	if err := s.SaveDraft(bg, "gdv1", "intake", []byte(`{"a":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(bg, "gdv1", "intake", []byte(`{"a":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDraft(bg, "gdv2", "intake", []byte(`{"b":1}`)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Draft(bg, "gdv1", "intake")
	if err != nil || string(d.Data) != `{"a":2}` || d.UpdatedAt.IsZero() {
		t.Fatalf("draft %+v, %v", d, err)
	}
	for i := 3; i >= 1; i-- {
		if err := s.SaveDraft(bg, store.DeviceDrafts, "pickup/"+strconv.Itoa(i), []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.Drafts(bg, store.DeviceDrafts, "pickup/")
	if err != nil || len(list) != 3 || list[0].Key != "pickup/1" {
		t.Fatalf("pickups %+v, %v", list, err)
	}
	if err := s.DeleteDraft(bg, "gdv1", "intake"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Draft(bg, "gdv1", "intake"); err != store.ErrNotFound {
		t.Fatalf("deleted draft still there: %v", err)
	}
	if d, err := s.Draft(bg, "gdv2", "intake"); err != nil || string(d.Data) != `{"b":1}` {
		t.Fatalf("other staff's draft lost: %v", err)
	}
	// A draft survives closing and reopening the database.
	path := s.Path()
	s.Close()
	s2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if d, err := s2.Draft(bg, "gdv2", "intake"); err != nil || string(d.Data) != `{"b":1}` {
		t.Fatalf("draft lost on reopen: %v", err)
	}
}

// benchStore opens (building once and caching in the temp folder) a
// database of n demo dossiers; POSTDESK_BENCH_DOSSIERS picks n (200,000 by default).
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	n := 200000
	if v := os.Getenv("POSTDESK_BENCH_DOSSIERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("POSTDESK_BENCH_DOSSIERS=%q is not a positive number", v)
		}
	}
	// Keyed by the count and the schema's text, so a changed migration rebuilds it.
	h := sha256.New()
	files, _ := filepath.Glob("migrations/*.sql")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		h.Write(b)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("postdesk-bench-%d-%x.db", n, h.Sum(nil)[:6]))
	if _, err := os.Stat(path); err != nil {
		b.Logf("building %s (%d dossiers) once; later runs reuse it", path, n)
		tmp := path + ".building"
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			os.Remove(p)
		}
		s := seedStore(b, tmp, n)
		if err := s.Checkpoint(context.Background()); err != nil {
			b.Fatal(err)
		}
		s.Close()
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
	}
	s, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	s.Now = func() time.Time { return seedNow }
	return s
}

// BenchmarkListDossiers: one page of 50 rows of the dossier table, filtered,
// on 200,000 dossiers. Budget: 5 ms.
func BenchmarkListDossiers(b *testing.B) {
	s := benchStore(b)
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, domain.Zone)
	cases := []struct {
		name string
		f    store.Filter
		page int
	}{
		{"none", store.Filter{}, 0},
		{"none/page1000", store.Filter{}, 1000},
		{"state", store.Filter{States: []domain.State{domain.StateDelivered}}, 0},
		{"states3", store.Filter{States: []domain.State{domain.StateReceived, domain.StateAccepted, domain.StateCancelled}}, 0},
		{"states3/page100", store.Filter{States: []domain.State{domain.StateReceived, domain.StateAccepted, domain.StateCancelled}}, 100},
		{"dates", store.Filter{From: from, To: from.AddDate(0, 1, 0)}, 0},
		{"procedure", store.Filter{ProcedureCode: "1.001193"}, 0},
		{"agency+state", store.Filter{AgencyCode: "000.01.50.H21", States: []domain.State{domain.StateDelivered}}, 0},
		{"overdue", store.Filter{Overdue: true}, 0},
		{"duesoon", store.Filter{DueSoonDays: 3}, 0},
		{"text", store.Filter{Text: "nguyen"}, 0},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.f.Now = seedNow
			for b.Loop() {
				rs, err := s.ListDossiers(bg, c.f, c.page, 50)
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) == 0 && c.name != "overdue" && c.name != "duesoon" {
					b.Fatal("empty page")
				}
			}
		})
	}
}

// BenchmarkCountDossiers: the row count the table needs once per filter change.
func BenchmarkCountDossiers(b *testing.B) {
	s := benchStore(b)
	for _, c := range []struct {
		name string
		f    store.Filter
	}{
		{"none", store.Filter{}},
		{"state", store.Filter{States: []domain.State{domain.StateDelivered}}},
		{"procedure", store.Filter{ProcedureCode: "1.001193"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.CountDossiers(bg, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

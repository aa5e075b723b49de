package demo_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// TestShowcaseEveryState: the demo post point has, on the day it is
// opened, at least one dossier in every state, including a result waiting
// at the post point and one ready at the agency for more than two weeks;
// and every showcase dossier's last step is in the past.
func TestShowcaseEveryState(t *testing.T) {
	for _, day := range []time.Time{
		time.Date(2026, 12, 3, 10, 0, 0, 0, domain.Zone), // a Thursday
		time.Date(2026, 12, 6, 7, 0, 0, 0, domain.Zone),  // a Sunday, early
		time.Date(2027, 1, 4, 16, 0, 0, 0, domain.Zone),  // a Monday
	} {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "demo.db")
		s, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.Now = func() time.Time { return day }
		if err := desk.New(s).PrepareDemo(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := demo.Seed(ctx, s, demo.Options{Dossiers: 20, Seed: 1, Now: day, Showcase: true})
		if err != nil {
			t.Fatal(err)
		}
		if n < 20+len(domain.States) {
			t.Errorf("%s: seeded %d dossiers, want 20 and a showcase of at least %d", day.Format("02/01"), n, len(domain.States))
		}
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(`SELECT id, state, updated_at FROM dossiers`)
		if err != nil {
			t.Fatal(err)
		}
		count := map[domain.State]int{}
		longReady := false
		for rows.Next() {
			var id, state, at string
			if err := rows.Scan(&id, &state, &at); err != nil {
				t.Fatal(err)
			}
			updated, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				t.Fatal(err)
			}
			count[domain.State(state)]++
			if domain.State(state) == domain.StateResultReady && day.Sub(updated) > 14*24*time.Hour {
				longReady = true
			}
			if !updated.Before(day) {
				t.Errorf("%s: dossier %s changed at %s, after the day", day.Format("02/01"), id, updated)
			}
		}
		rows.Close()
		for _, st := range domain.States {
			if count[st] == 0 {
				t.Errorf("%s: no dossier in state %s (counts %v)", day.Format("02/01"), st, count)
			}
		}
		if !longReady {
			t.Errorf("%s: no result ready at the agency for more than two weeks", day.Format("02/01"))
		}
	}
}

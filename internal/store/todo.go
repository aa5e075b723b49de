package store

// What needs doing today.

import (
	"context"
	"time"

	"postdesk/internal/domain"
)

// Todo is what needs doing at the post point now.
type Todo struct {
	ToHandOver   []AgencyCount     // received dossiers waiting for a handover, by agency
	Drafts       []domain.Handover // handover records not yet confirmed
	Overdue      []*domain.Dossier // at the agency past the appointment date, no result
	Supplement   []*domain.Dossier // the agency asks for papers: call the citizen
	Waiting      []*domain.Dossier // results at the post point for more than WaitingDays
	Retry        []*domain.Dossier // failed deliveries to try again
	Conflicts    []*domain.Dossier // moved incompatibly by two devices: a supervisor settles them
	OpenFeedback int               // feedback without an answer
	Counts       map[string]int    // total of each list, even when the list is cut
	// Open counts, state by state in round-trip order, every dossier still
	// waiting on the post point (not closed, and not a result the citizen
	// collects at the agency); they add up to OpenTotal. ReadyLong are the
	// results ready at the agency for more than WaitingDays, to fetch.
	Open      []StateCount
	OpenTotal int
	ReadyLong int
}

// StateCount is how many dossiers stand in one state.
type StateCount struct {
	State domain.State
	Count int
}

// waitingOnPost is the SQL condition of a dossier still waiting on the post
// point: its road is not closed, and it is not a result (or a refusal) the
// citizen collects at the agency because they chose send-only.
const waitingOnPost = `state NOT IN ('delivered', 'cancelled', 'returned_to_agency')
	AND NOT (state IN ('result_ready', 'rejected') AND option = 'send')`

// TodoLimit caps each list of the home screen.
const TodoLimit = 200

// Todo computes what needs doing at now, each list from an index.
func (s *Store) Todo(ctx context.Context, now time.Time) (*Todo, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	t := &Todo{Counts: map[string]int{}}
	if t.ToHandOver, err = s.HandoverQueue(ctx); err != nil {
		return nil, err
	}
	for _, a := range t.ToHandOver {
		t.Counts["handover"] += a.Count
	}
	if t.Drafts, err = s.Handovers(ctx, HandoverFilter{Status: domain.HandoverDraft}); err != nil {
		return nil, err
	}
	t.Counts["drafts"] = len(t.Drafts)
	y, m, d := now.In(domain.Zone).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, domain.Zone)
	if t.Overdue, err = s.queryDossiers(ctx, `SELECT data FROM dossiers WHERE state IN ('at_agency', 'accepted')
		AND due_date <> '' AND due_date < ? ORDER BY due_date LIMIT ?`, formatTime(today), TodoLimit); err != nil {
		return nil, err
	}
	var overdue int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE state IN ('at_agency', 'accepted')
		AND due_date <> '' AND due_date < ?`, formatTime(today)).Scan(&overdue); err != nil {
		return nil, err
	}
	t.Counts["overdue"] = overdue
	if t.Supplement, err = s.DossiersIn(ctx, "", TodoLimit, domain.StateSupplementRequested); err != nil {
		return nil, err
	}
	if t.Counts["supplement"], err = s.countState(ctx, domain.StateSupplementRequested); err != nil {
		return nil, err
	}
	// Results at the post: few at a time, so the wait is read from each dossier.
	atPost, err := s.DossiersIn(ctx, "", 0, domain.StateResultAtPost, domain.StateOutForDelivery)
	if err != nil {
		return nil, err
	}
	limit := today.AddDate(0, 0, -st.WaitingDays)
	for _, d := range atPost {
		if d.ResultAtPostAt != nil && d.ResultAtPostAt.Before(limit) {
			t.Counts["waiting"]++
			if len(t.Waiting) < TodoLimit {
				t.Waiting = append(t.Waiting, d)
			}
		}
	}
	if t.Retry, err = s.DossiersIn(ctx, "", TodoLimit, domain.StateDeliveryFailed); err != nil {
		return nil, err
	}
	if t.Counts["retry"], err = s.countState(ctx, domain.StateDeliveryFailed); err != nil {
		return nil, err
	}
	if t.Conflicts, err = s.queryDossiers(ctx, "SELECT data FROM dossiers WHERE in_conflict = 1 ORDER BY updated_at LIMIT ?", TodoLimit); err != nil {
		return nil, err
	}
	var conflicts int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE in_conflict = 1").Scan(&conflicts); err != nil {
		return nil, err
	}
	t.Counts["conflict"] = conflicts
	fb, err := s.Feedbacks(ctx, true)
	if err != nil {
		return nil, err
	}
	t.OpenFeedback = len(fb)
	t.Counts["feedback"] = len(fb)
	if err := s.openCounts(ctx, t, today.AddDate(0, 0, -st.WaitingDays)); err != nil {
		return nil, err
	}
	return t, nil
}

// openCounts fills t.Open, t.OpenTotal (counted on its own, so a state the
// list missed would show as a sum that does not add up) and t.ReadyLong.
func (s *Store) openCounts(ctx context.Context, t *Todo, readySince time.Time) error {
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*) FROM dossiers WHERE `+waitingOnPost+` GROUP BY state`)
	if err != nil {
		return err
	}
	by := map[domain.State]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return err
		}
		by[domain.State(st)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, st := range domain.States {
		if n := by[st]; n > 0 {
			t.Open = append(t.Open, StateCount{State: st, Count: n})
		}
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE `+waitingOnPost).Scan(&t.OpenTotal); err != nil {
		return err
	}
	return s.db.QueryRowContext(ctx, `SELECT count(*) FROM dossiers WHERE state = 'result_ready' AND option <> 'send'
		AND updated_at < ?`, formatTime(readySince)).Scan(&t.ReadyLong)
}

func (s *Store) countState(ctx context.Context, st domain.State) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM dossiers WHERE state = ?", string(st)).Scan(&n)
	return n, err
}

package hubstore

import (
	"context"
	"encoding/json"
	"fmt"

	"postdesk/internal/domain"
	"postdesk/internal/report"
)

// ReportTimelines reads the times of every dossier with a step in period
// p, for the province's service quality (internal/hub/hubreport.Quality),
// from the projection. The projection keeps one handover time — the last one: a dossier
// taken in again after a supplement request is handed over again — so at
// the hub "intake → handover" is measured to that last handover (the same
// as the first for every dossier without a supplement request). Failed
// attempts are read from the dossier's JSON only where it has any.
//
// Every dossier with a step in the period is read once: this is the slow
// part of the province report, left out unless asked for.
func (s *Store) ReportTimelines(ctx context.Context, p domain.Period) ([]report.Timeline, error) {
	start, end := formatTime(p.Start()), formatTime(p.End())
	// any step in [start, end) means: received before the end, and not
	// closed before the start (closing is a dossier's last step)
	rows, err := s.db.QueryContext(ctx, `SELECT post_point_code, procedure_code, option, state, received_at, handed_over_at,
		result_ready_at, result_at_post_at, delivered_at, closed_at,
		CASE WHEN instr(data, '"failed_attempts"') > 0 THEN data ELSE '' END
		FROM hub_dossiers WHERE received_at < ? AND (closed_at = '' OR closed_at >= ?)`, end, start)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var tl []report.Timeline
	for rows.Next() {
		var t report.Timeline
		var option, state, rec, hand, ready, atPost, deliv, closed, data string
		if err := rows.Scan(&t.Unit, &t.Procedure, &option, &state, &rec, &hand, &ready, &atPost, &deliv, &closed, &data); err != nil {
			return nil, err
		}
		if data != "" { // the few dossiers with failed attempts: their JSON is read in Go, the same on both stores
			var d struct {
				Failed int `json:"failed_attempts"`
			}
			if err := json.Unmarshal([]byte(data), &d); err != nil {
				return nil, fmt.Errorf("hub dossier of %s: %w", t.Procedure, err)
			}
			t.Failed = d.Failed
		}
		if option != string(domain.OptionReturnOnly) {
			t.Intake = parseTime(rec)
		}
		t.FirstHandover = parseTime(hand)
		t.LastHandover = t.FirstHandover
		t.ResultReady, t.ResultAtPost, t.Delivered = parseTime(ready), parseTime(atPost), parseTime(deliv)
		switch domain.State(state) {
		case domain.StateReturnedToAgency:
			t.Returned = parseTime(closed)
		case domain.StateCancelled:
			t.Cancelled = parseTime(closed)
		}
		tl = append(tl, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return tl, nil
}

package store

// Citizens' feedback.

import (
	"context"
	"encoding/json"
	"fmt"

	"postdesk/internal/domain"
)

// RecordFeedback records a citizen's feedback, about dossier (or "" for the
// service in general). It travels to the province with the other events.
func (s *Store) RecordFeedback(ctx context.Context, staff, dossier string, p domain.FeedbackPayload) (*domain.Feedback, error) {
	p, errs := domain.PrepareFeedback(p)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	dossier = domain.Clean(dossier)
	var fb *domain.Feedback
	err := s.inTx(ctx, func(r *recorder) error {
		if dossier != "" {
			if _, err := r.load(dossier); err != nil {
				return err
			}
		}
		e, err := event(domain.KindFeedback, dossier, staff, p)
		if err != nil {
			return err
		}
		if _, err := r.append(e, nil, true); err != nil {
			return err
		}
		fb = &domain.Feedback{ID: domain.FeedbackID(e), Dossier: dossier, FeedbackPayload: p, At: e.At, Staff: staff}
		return nil
	})
	return fb, err
}

// CloseFeedback records what was done about an open feedback.
func (s *Store) CloseFeedback(ctx context.Context, staff string, p domain.FeedbackClosePayload) error {
	p, err := domain.PrepareFeedbackClose(p)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(r *recorder) error {
		all, err := feedbacks(r.ctx, r.tx)
		if err != nil {
			return err
		}
		var fb *domain.Feedback
		for i := range all {
			if all[i].ID == p.Feedback {
				fb = &all[i]
			}
		}
		if fb == nil {
			return domain.Errf("feedback", "err.feedback.unknown", "no feedback %s", p.Feedback).WithArgs("ID", p.Feedback)
		}
		if fb.ClosedAt != nil {
			return domain.Errf("feedback", "err.feedback.closed", "feedback %s was already answered", p.Feedback).WithArgs("ID", p.Feedback)
		}
		e, err := event(domain.KindFeedbackClose, fb.Dossier, staff, p)
		if err != nil {
			return err
		}
		_, err = r.append(e, nil, true)
		return err
	})
}

// Feedbacks lists feedback, newest first; only those not yet answered when open.
func (s *Store) Feedbacks(ctx context.Context, open bool) ([]domain.Feedback, error) {
	all, err := feedbacks(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]domain.Feedback, 0, len(all))
	for i := len(all) - 1; i >= 0; i-- {
		if !open || all[i].ClosedAt == nil {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// feedbacks reads every feedback from the log, oldest first, with its answer.
func feedbacks(ctx context.Context, q txQuerier) ([]domain.Feedback, error) {
	rows, err := q.QueryContext(ctx, `SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash FROM events
		WHERE kind IN (?, ?) ORDER BY rowid`, string(domain.KindFeedback), string(domain.KindFeedbackClose))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Feedback
	index := map[string]int{}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		switch e.Kind {
		case domain.KindFeedback:
			var p domain.FeedbackPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("event %s/%d: %w", e.DeviceID, e.Seq, err)
			}
			id := domain.FeedbackID(&e)
			index[id] = len(out)
			out = append(out, domain.Feedback{ID: id, Dossier: e.Dossier, FeedbackPayload: p, At: e.At, Staff: e.Staff})
		case domain.KindFeedbackClose:
			var p domain.FeedbackClosePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("event %s/%d: %w", e.DeviceID, e.Seq, err)
			}
			if i, ok := index[p.Feedback]; ok && out[i].ClosedAt == nil {
				at := e.At
				out[i].ClosedAt, out[i].ClosedBy, out[i].Action = &at, e.Staff, p.Action
			}
		}
	}
	return out, rows.Err()
}

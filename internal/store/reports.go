package store

// The SQL of the post point's report: the BCCI counts and the events its
// service-quality timelines are made of. internal/report turns them into
// figures; the hub has its own (internal/hub).

import (
	"context"
	"database/sql"
	"time"

	"postdesk/internal/domain"
)

// rowsQueryer is a *sql.DB or *sql.Tx.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// BCCICount is a post point's BCCI events in one cell (procedure, agency,
// month in Vietnam time).
type BCCICount struct {
	Procedure  string
	Agency     string
	Month      domain.Month
	Received   int64 // intake events
	Registered int64 // result-only registrations
	Returned   int64 // deliveries
}

// bcciCountsSQL counts a post point's BCCI events per cell. The event's
// time is UTC text (domain.TimeLayout), so the month in Vietnam time is
// taken after adding 7 hours; the period bounds are compared as text, which
// is time order. The dossier's procedure and agency come from the
// projection (they never change after intake). An intake of a dossier
// cancelled before any handover counts nowhere (internal/report's doc).
const bcciCountsSQL = `SELECT d.procedure_code, d.agency_code, strftime('%Y-%m', e.at, '+7 hours') AS month,
	sum(e.kind = 'dossier.intake' AND NOT (d.state = 'cancelled' AND NOT EXISTS (
		SELECT 1 FROM events h WHERE h.dossier = d.id AND h.dossier <> '' AND h.kind = 'dossier.handover'))),
	sum(e.kind = 'dossier.register_result_only'), sum(e.kind = 'dossier.deliver')
	FROM events e JOIN dossiers d ON d.id = e.dossier
	WHERE e.kind IN ('dossier.intake', 'dossier.register_result_only', 'dossier.deliver') AND e.at >= ? AND e.at < ?
	GROUP BY d.procedure_code, d.agency_code, month`

// BCCICounts reads the BCCI counts for the days from..to (to excluded), per
// procedure, agency and month.
func (s *Store) BCCICounts(ctx context.Context, from, to time.Time) ([]BCCICount, error) {
	return bcciCounts(ctx, s.db, from, to)
}

func bcciCounts(ctx context.Context, q rowsQueryer, from, to time.Time) ([]BCCICount, error) {
	rows, err := q.QueryContext(ctx, bcciCountsSQL, formatTime(from), formatTime(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BCCICount
	for rows.Next() {
		var c BCCICount
		var month string
		if err := rows.Scan(&c.Procedure, &c.Agency, &month, &c.Received, &c.Registered, &c.Returned); err != nil {
			return nil, err
		}
		c.Month = domain.Month(month)
		out = append(out, c)
	}
	return out, rows.Err()
}

// TimelineEvent is one step of a dossier's way through the post point.
type TimelineEvent struct {
	Dossier   string
	Kind      domain.Kind
	At        time.Time
	Procedure string
}

// timelineKinds are the events a timeline is made of.
const timelineKinds = `'dossier.intake', 'dossier.handover', 'dossier.result_ready', 'dossier.result_handover',
	'dossier.deliver', 'dossier.delivery_failed', 'dossier.return_to_agency', 'dossier.cancel'`

// TimelineEvents returns the steps (intake, handovers, result ready and
// back, delivery, failed attempts, return, cancel) of every dossier with a
// step in [from, to), dossier by dossier, each in the order recorded.
func (s *Store) TimelineEvents(ctx context.Context, from, to time.Time) ([]TimelineEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT e.dossier, e.kind, e.at, d.procedure_code FROM events e
		JOIN dossiers d ON d.id = e.dossier
		WHERE e.kind IN (`+timelineKinds+`) AND e.dossier IN (
			SELECT dossier FROM events WHERE kind IN (`+timelineKinds+`) AND at >= ? AND at < ?)
		ORDER BY e.dossier, e.rowid`, formatTime(from), formatTime(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TimelineEvent
	for rows.Next() {
		var e TimelineEvent
		var kind, at string
		if err := rows.Scan(&e.Dossier, &kind, &at, &e.Procedure); err != nil {
			return nil, err
		}
		t, err := time.Parse(domain.TimeLayout, at)
		if err != nil {
			return nil, err
		}
		e.Kind, e.At = domain.Kind(kind), t
		out = append(out, e)
	}
	return out, rows.Err()
}

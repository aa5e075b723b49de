package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// The all-channel totals go both ways (docs/sync-protocol.md §11.5): the
// province's import here goes down to the devices of each post point whose
// commune it covers (a totals update), and a device's import (its
// totals.shared events) is taken here for its commune's agencies. Every
// cell (agency, month) keeps the mark of the change that set it, at the hub
// as on the devices, and takes a change only when its mark is later; so a
// post point's figures and the hub's figures for it count the same totals
// once both are in sync.

// totalsMark is a cell's mark: (at, device), device "" for the province's.
type totalsMark struct{ at, device string }

func (m totalsMark) after(o totalsMark) bool {
	if m.at != o.at {
		return m.at > o.at
	}
	return m.device > o.device
}

// provinceTotalsAt is the mark time of a province import made now: now, or
// just after the latest mark held when the hub's clock is behind a
// device's, so the province's import wins everywhere (domain.CausalTime).
func provinceTotalsAt(ctx context.Context, tx *sql.Tx, now time.Time) (time.Time, error) {
	var latest sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT max(mark_at) FROM hub_report_totals_coverage").Scan(&latest); err != nil {
		return now, err
	}
	return domain.CausalTime(now.UTC().Round(0), parseTime(latest.String)), nil
}

// totalsImport is a set of cells to write: every agency of Agencies for
// every month From..To, its rows those cells' procedures.
type totalsImport struct {
	source, sha256, staff, device string
	from, to                      domain.Month
	agencies                      []string
	rows                          []store.TotalsRow
}

// writeTotalsCells records imp as an import and replaces its cells with
// mark m: every cell (the province's import, whose mark is the latest), or,
// unless every, only the cells whose held mark m is later than. It returns
// the import's id.
func writeTotalsCells(ctx context.Context, tx *sql.Tx, imp totalsImport, m totalsMark, now string, every bool) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO hub_report_totals_imports(source, sha256, staff, imported_at, period_from, period_to, rows, from_device)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, imp.source, imp.sha256, imp.staff, now, string(imp.from), string(imp.to), len(imp.rows), imp.device).Scan(&id); err != nil {
		return 0, err
	}
	won := map[string]bool{}
	for _, a := range imp.agencies {
		for mo := imp.from; mo <= imp.to; mo = mo.Next() {
			if !every {
				var held totalsMark
				err := tx.QueryRowContext(ctx, "SELECT mark_at, mark_device FROM hub_report_totals_coverage WHERE agency_code = ? AND month = ?",
					a, string(mo)).Scan(&held.at, &held.device)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return 0, err
				}
				if err == nil && !m.after(held) {
					continue
				}
			}
			won[a+"|"+string(mo)] = true
			if _, err := tx.ExecContext(ctx, "DELETE FROM hub_report_totals WHERE agency_code = ? AND month = ?", a, string(mo)); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO hub_report_totals_coverage(agency_code, month, import_id, mark_at, mark_device) VALUES(?, ?, ?, ?, ?)
				ON CONFLICT(agency_code, month) DO UPDATE SET import_id = excluded.import_id, mark_at = excluded.mark_at, mark_device = excluded.mark_device`,
				a, string(mo), id, m.at, m.device); err != nil {
				return 0, err
			}
		}
	}
	for _, r := range imp.rows {
		if !won[r.Agency+"|"+string(r.Month)] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_report_totals(procedure_code, agency_code, month, dossiers, results, source, imported_at, import_id)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, r.Procedure, r.Agency, string(r.Month), r.Dossiers, r.Results, imp.source, now, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// communeAgencies maps each post point to the agencies of its commune (the
// hub's communes lists, hub report import-communes).
func communeAgencies(ctx context.Context, tx *sql.Tx) (map[string]map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.post_point_code, a.agency_code FROM hub_report_post_point_communes p
		JOIN hub_report_agency_communes a ON a.commune = p.commune`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]bool{}
	for rows.Next() {
		var pp, a string
		if err := rows.Scan(&pp, &a); err != nil {
			return nil, err
		}
		if out[pp] == nil {
			out[pp] = map[string]bool{}
		}
		out[pp][a] = true
	}
	return out, rows.Err()
}

// queueTotalsDown queues, for the devices of every post point whose commune
// has agencies in imp, a totals update of those agencies' cells (device_id
// "@" + the post point: each device of it, enrolled now or later, pulls it).
func queueTotalsDown(ctx context.Context, tx *sql.Tx, imp totalsImport, at time.Time, now string) error {
	byPP, err := communeAgencies(ctx, tx)
	if err != nil {
		return err
	}
	for _, pp := range slices.Sorted(maps.Keys(byPP)) {
		own := byPP[pp]
		c := syncproto.TotalsChange{Source: imp.source, SHA256: imp.sha256, Staff: imp.staff, From: imp.from, To: imp.to, MarkAt: at,
			Rows: []syncproto.TotalsCell{}}
		for _, a := range imp.agencies {
			if own[a] {
				c.Agencies = append(c.Agencies, a)
			}
		}
		if len(c.Agencies) == 0 {
			continue
		}
		for _, r := range imp.rows {
			if own[r.Agency] {
				c.Rows = append(c.Rows, syncproto.TotalsCell{Procedure: r.Procedure, Agency: r.Agency, Month: r.Month, Dossiers: r.Dossiers, Results: r.Results})
			}
		}
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO updates(device_id, post_point_code, kind, payload, source, dedup, created_at) VALUES(?, ?, ?, ?, ?, ?, ?)`,
			postPointAddress(pp), pp, syncproto.UpdateTotals, b, Truncate("totals:"+imp.source, 200),
			dedupKey(syncproto.UpdateTotals, pp, formatTime(at)), now); err != nil {
			return err
		}
	}
	return nil
}

// postPointAddress is the updates.device_id of an update for every device
// of post point pp.
func postPointAddress(pp string) string { return "@" + pp }

// applyDeviceTotals takes a device's totals.shared change at the hub when
// its last part is e: the cells of its post point's commune's agencies
// whose mark (e's time, its device) is the latest. An agency of another
// commune is left to its own post points and the province. A change that
// cannot be read is kept in the log and noted among the refusals (the
// hub's page lists them).
func (s *Store) applyDeviceTotals(ctx context.Context, tx *sql.Tx, e *domain.Event) error {
	return s.takeDeviceTotals(ctx, tx, e, true)
}

// reapplyDeviceTotals takes again, under the communes file just imported,
// every device's totals.shared change the hub holds: a change made before
// its agencies were its post point's commune's (or projected by a hub
// older than migration 011) counts from now on. The cells' marks make it
// idempotent; unreadable changes were noted when first projected.
func (s *Store) reapplyDeviceTotals(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, "SELECT device_id, seq FROM hub_events WHERE kind = ? ORDER BY device_id, seq", string(domain.KindTotalsShared))
	if err != nil {
		return err
	}
	type at struct {
		device string
		seq    int64
	}
	var all []at
	for rows.Next() {
		var a at
		if err := rows.Scan(&a.device, &a.seq); err != nil {
			rows.Close()
			return err
		}
		all = append(all, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range all {
		evs, err := hubEvents(ctx, tx, a.device, a.seq-1, 1)
		if err != nil {
			return err
		}
		if len(evs) == 1 {
			if err := s.takeDeviceTotals(ctx, tx, &evs[0], false); err != nil {
				return err
			}
		}
	}
	return nil
}

// takeDeviceTotals is applyDeviceTotals; note says whether an unreadable
// change goes among the refusals.
func (s *Store) takeDeviceTotals(ctx context.Context, tx *sql.Tx, e *domain.Event, note bool) error {
	imp, err := deviceTotals(ctx, tx, e)
	if err != nil || imp == nil {
		var bad *badTotals
		if errors.As(err, &bad) && !note {
			return nil
		}
		if errors.As(err, &bad) {
			_, err = tx.ExecContext(ctx, "INSERT INTO refusals(at, device_id, batch_id, code, message) VALUES(?, ?, '', 'totals_unreadable', ?)",
				formatTime(s.Now()), Truncate(e.DeviceID, 40), Truncate(bad.Error(), 500))
		}
		return err
	}
	var pp string
	if err := tx.QueryRowContext(ctx, "SELECT post_point_code FROM devices WHERE id = ?", e.DeviceID).Scan(&pp); err != nil {
		return err
	}
	byPP, err := communeAgencies(ctx, tx)
	if err != nil {
		return err
	}
	var agencies []string
	for _, a := range imp.agencies {
		if byPP[pp][a] {
			agencies = append(agencies, a)
		}
	}
	if len(agencies) == 0 {
		return nil
	}
	imp.agencies = agencies
	_, err = writeTotalsCells(ctx, tx, *imp, totalsMark{at: formatTime(e.At), device: e.DeviceID}, formatTime(s.Now()), false)
	return err
}

type badTotals struct{ error }

// deviceTotals reads the change whose last part is e (nil while e is not
// the last part).
func deviceTotals(ctx context.Context, tx *sql.Tx, e *domain.Event) (*totalsImport, error) {
	last, err := domain.ParseSharedPart(e)
	if err != nil {
		return nil, &badTotals{err}
	}
	if last.Part < last.Parts {
		return nil, nil
	}
	var earlier []domain.Event
	if last.Parts > 1 {
		if earlier, err = hubEvents(ctx, tx, e.DeviceID, e.Seq-int64(last.Parts), last.Parts-1); err != nil {
			return nil, err
		}
	}
	parts, err := domain.JoinSharedParts(last, e, earlier)
	if err != nil {
		return nil, &badTotals{err}
	}
	var head domain.TotalsHead
	if err := json.Unmarshal(parts[0].Head, &head); err != nil || head.From == "" || head.To < head.From {
		return nil, &badTotals{fmt.Errorf("%s %s/%d: head unreadable or bad period", e.Kind, e.DeviceID, e.Seq)}
	}
	imp := &totalsImport{source: head.Source, sha256: head.SHA256, staff: e.Staff, device: e.DeviceID,
		from: head.From, to: head.To, agencies: head.Agencies}
	for _, p := range parts {
		for _, raw := range p.Items {
			var r store.TotalsRow
			if err := json.Unmarshal(raw, &r); err != nil || r.Dossiers < 0 || r.Results < 0 {
				return nil, &badTotals{fmt.Errorf("%s %s/%d: a row unreadable or negative", e.Kind, e.DeviceID, e.Seq)}
			}
			imp.rows = append(imp.rows, r)
		}
	}
	return imp, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// The all-channel totals the province's BCCI figures divide by (tables in
// migrations/005_reports.sql; file format in internal/report/TOTALS.md).
// This file only stores and reads them; internal/report parses and checks
// files and computes the figures.

// TotalsRow is one cell of the all-channel totals: a procedure at an agency
// in a month, every channel (BCCI included).
type TotalsRow struct {
	Procedure  string       `json:"procedure_code"`
	Agency     string       `json:"agency_code"`
	Month      domain.Month `json:"month"`
	Dossiers   int64        `json:"dossiers"` // dossiers received
	Results    int64        `json:"results"`  // results returned
	Source     string       `json:"source,omitempty"`
	ImportedAt time.Time    `json:"imported_at,omitzero"`
}

// TotalsCover is an agency and month an import covered completely.
type TotalsCover struct {
	Agency string       `json:"agency_code"`
	Month  domain.Month `json:"month"`
}

// TotalsImport is a checked set of totals to store. It covers every agency
// of Agencies for every month From..To: those cells are replaced by Rows (a
// procedure of a covered agency and month that Rows do not list had none).
type TotalsImport struct {
	Source   string // the file name, or "typed"
	SHA256   string
	Staff    string
	From, To domain.Month
	Agencies []string
	Rows     []TotalsRow
}

// TotalsImportInfo is one past import, for the Reports screen.
type TotalsImportInfo struct {
	ID         int64
	Source     string
	Staff      string
	ImportedAt time.Time
	From, To   domain.Month
	Rows       int
}

// ImportTotals stores imp all or nothing. check, when not nil, gets the BCCI
// counts of imp's months read inside the same write transaction before
// anything is written (the report package compares the totals with them, so
// no intake slips in between); its error aborts the import. It returns the
// import's id.
func (s *Store) ImportTotals(ctx context.Context, imp TotalsImport, check func(counts []BCCICount) error) (int64, error) {
	if imp.From == "" || imp.To == "" || imp.To < imp.From {
		return 0, fmt.Errorf("totals import: bad period %q–%q", imp.From, imp.To)
	}
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if check != nil {
			counts, err := bcciCounts(ctx, tx, imp.From.Start(), imp.To.Next().Start())
			if err != nil {
				return err
			}
			if err := check(counts); err != nil {
				return err
			}
		}
		dev, _, err := deviceOf(ctx, tx)
		if err != nil && !errors.Is(err, ErrNotSetUp) {
			return err
		}
		if errors.Is(err, ErrNotSetUp) {
			id, err = s.writeTotals(ctx, tx, imp, mark{}, "")
			return err
		}
		// The totals reach the post point's other devices (docs/sync-protocol.md
		// §11.5): a cell (agency, month) takes the latest import by (at, device).
		at, err := s.sharedAt(ctx, tx)
		if err != nil {
			return err
		}
		if id, err = s.writeTotals(ctx, tx, imp, mark{at: formatTime(at), device: dev.ID()}, ""); err != nil {
			return err
		}
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		items := make([]any, len(imp.Rows))
		for i := range imp.Rows {
			row := imp.Rows[i]
			row.Source, row.ImportedAt = "", time.Time{}
			items[i] = row
		}
		return r.appendShared(domain.KindTotalsShared, imp.Staff, at, domain.TotalsHead{Source: imp.Source, SHA256: imp.SHA256,
			From: imp.From, To: imp.To, Agencies: imp.Agencies}, items)
	})
	if err != nil {
		return 0, err
	}
	return id, nil
}

// writeTotals stores imp as an import (from: the device it came from, ""
// for this one) and replaces the cells (agency, month) whose change wins
// under m (claim).
func (s *Store) writeTotals(ctx context.Context, tx *sql.Tx, imp TotalsImport, m mark, from string) (int64, error) {
	now := formatTime(s.Now())
	res, err := tx.ExecContext(ctx, `INSERT INTO report_totals_imports(source, sha256, staff, imported_at, period_from, period_to, rows, from_device)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, imp.Source, imp.SHA256, imp.Staff, now, string(imp.From), string(imp.To), len(imp.Rows), from)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	won := map[string]bool{}
	take := func(agency string, month domain.Month) (bool, error) {
		k := agency + "|" + string(month)
		if w, ok := won[k]; ok {
			return w, nil
		}
		w, err := claim(ctx, tx, "totals", k, m)
		won[k] = w
		return w, err
	}
	for _, a := range imp.Agencies {
		for mo := imp.From; mo <= imp.To; mo = mo.Next() {
			if w, err := take(a, mo); err != nil || !w {
				if err != nil {
					return 0, err
				}
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM report_totals WHERE agency_code = ? AND month = ?", a, string(mo)); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_totals_coverage(agency_code, month, import_id) VALUES(?, ?, ?)
				ON CONFLICT(agency_code, month) DO UPDATE SET import_id = excluded.import_id`, a, string(mo), id); err != nil {
				return 0, err
			}
		}
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO report_totals(procedure_code, agency_code, month, dossiers, results, source, imported_at, import_id)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(procedure_code, agency_code, month) DO UPDATE SET dossiers = excluded.dossiers, results = excluded.results,
		source = excluded.source, imported_at = excluded.imported_at, import_id = excluded.import_id`)
	if err != nil {
		return 0, err
	}
	defer ins.Close()
	for _, r := range imp.Rows {
		if w, err := take(r.Agency, r.Month); err != nil || !w {
			if err != nil {
				return 0, err
			}
			continue
		}
		if _, err := ins.ExecContext(ctx, r.Procedure, r.Agency, string(r.Month), r.Dossiers, r.Results, imp.Source, now, id); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// peerTotals applies another device's totals.shared change when its last
// part arrives: the cells whose change is the latest known here.
func (r *recorder) peerTotals(e *domain.Event) error {
	parts, err := r.sharedParts(e)
	if err != nil || parts == nil {
		return err
	}
	var head domain.TotalsHead
	if err := json.Unmarshal(parts[0].Head, &head); err != nil || head.From == "" || head.To < head.From {
		return unreadable(fmt.Errorf("%s %s/%d: head unreadable or bad period", e.Kind, e.DeviceID, e.Seq))
	}
	imp := TotalsImport{Source: head.Source, SHA256: head.SHA256, Staff: e.Staff, From: head.From, To: head.To, Agencies: head.Agencies}
	for _, p := range parts {
		for _, raw := range p.Items {
			var row TotalsRow
			if err := json.Unmarshal(raw, &row); err != nil {
				return unreadable(fmt.Errorf("%s %s/%d: a row: %w", e.Kind, e.DeviceID, e.Seq, err))
			}
			imp.Rows = append(imp.Rows, row)
		}
	}
	s := &Store{Now: r.now}
	_, err = s.writeTotals(r.ctx, r.tx, imp, eventMark(e, 0), e.DeviceID)
	return err
}

// Totals returns the cells of months from..to (inclusive), ordered by month,
// agency and procedure.
func (s *Store) Totals(ctx context.Context, from, to domain.Month) ([]TotalsRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT procedure_code, agency_code, month, dossiers, results, source, imported_at
		FROM report_totals WHERE month >= ? AND month <= ? ORDER BY month, agency_code, procedure_code`, string(from), string(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TotalsRow
	for rows.Next() {
		var r TotalsRow
		var month, at string
		if err := rows.Scan(&r.Procedure, &r.Agency, &month, &r.Dossiers, &r.Results, &r.Source, &at); err != nil {
			return nil, err
		}
		r.Month = domain.Month(month)
		if r.ImportedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TotalsCoverage returns the agencies and months of from..to that some
// import covered.
func (s *Store) TotalsCoverage(ctx context.Context, from, to domain.Month) ([]TotalsCover, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT agency_code, month FROM report_totals_coverage
		WHERE month >= ? AND month <= ? ORDER BY month, agency_code`, string(from), string(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TotalsCover
	for rows.Next() {
		var c TotalsCover
		var month string
		if err := rows.Scan(&c.Agency, &month); err != nil {
			return nil, err
		}
		c.Month = domain.Month(month)
		out = append(out, c)
	}
	return out, rows.Err()
}

// TotalsImports lists the newest imports first.
func (s *Store) TotalsImports(ctx context.Context, limit int) ([]TotalsImportInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, source, staff, imported_at, period_from, period_to, rows
		FROM report_totals_imports ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TotalsImportInfo
	for rows.Next() {
		var i TotalsImportInfo
		var at, from, to string
		if err := rows.Scan(&i.ID, &i.Source, &i.Staff, &at, &from, &to, &i.Rows); err != nil {
			return nil, err
		}
		i.From, i.To = domain.Month(from), domain.Month(to)
		if i.ImportedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ApplyHubTotals applies the totals the province imported at the hub (a
// totals update, §11.5) with the hub's mark (at, no device): each cell
// (agency, month) takes them when they are the latest change known here,
// as it takes a peer's. Marked applied in the same transaction.
func (s *Store) ApplyHubTotals(ctx context.Context, u HubUpdate, imp TotalsImport, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if applied, err := updateApplied(ctx, tx, u.ID); err != nil || applied {
			if applied {
				return ErrUpdateApplied
			}
			return err
		}
		if _, err := s.writeTotals(ctx, tx, imp, mark{at: formatTime(at)}, "hub"); err != nil {
			return err
		}
		return s.markUpdate(ctx, tx, u, "applied", "", 0)
	})
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"postdesk/internal/domain"
)

// A new device's catch-up (docs/sync-protocol.md §11.1, "Catching up"):
// when a device is far behind, its pages of peer events are stored without
// the dossiers' projection — the same checks, each run all or nothing — and
// each page's transaction marks the projection stale from the first event
// row it did not project (meta projection_stale_from). RebuildProjection
// then projects every dossier with events from that row on, in one
// transaction, with the dossiers' secondary indexes and triggers dropped and
// made again once: loading first and indexing after (and the name keys and
// state counts the triggers keep derived from the whole table, in order). Until it commits, readers see
// the projection as it was; a power cut in between leaves the mark, and
// Open rebuilds before anything reads the dossiers.

const metaProjectionStale = "projection_stale_from"

// StorePeerRunsBulk is StorePeerRuns without writing the projection: the
// transaction marks it stale instead. Call RebuildProjection when the
// catch-up is over.
func (s *Store) StorePeerRunsBulk(ctx context.Context, runs []PeerRun) ([]PeerRunResult, error) {
	return s.storePeerRuns(ctx, runsOf(runs), true)
}

// staleFrom returns the first events rowid the projection does not reflect
// (0: not stale).
func staleFrom(ctx context.Context, q txQuerier) (int64, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", metaProjectionStale).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// markStale records, unless already marked, that the events from the next
// rowid on are not projected (inside the bulk page's transaction).
func (r *recorder) markStale() error {
	from, err := staleFrom(r.ctx, r.tx)
	if err != nil || from > 0 {
		return err
	}
	var next int64
	if err := r.tx.QueryRowContext(r.ctx, "SELECT coalesce(max(rowid), 0) + 1 FROM events").Scan(&next); err != nil {
		return err
	}
	_, err = r.tx.ExecContext(r.ctx, "INSERT INTO meta(key, value) VALUES(?, ?)", metaProjectionStale, strconv.FormatInt(next, 10))
	return err
}

// ProjectionStale reports whether a catch-up left the projection to build.
func (s *Store) ProjectionStale(ctx context.Context) (bool, error) {
	from, err := staleFrom(ctx, s.db)
	return from > 0, err
}

// rebuildIndexesOver is how many dossiers to project again, and at least
// half as many as are held, before the dossiers' secondary indexes are
// dropped for the rebuild and made again after (fewer: kept, maintained
// row by row).
const rebuildIndexesOver = 1000

// RebuildProjection projects again, from all their events, the dossiers
// with events the projection does not reflect, in one transaction, and
// clears the mark. It returns how many dossiers it wrote; 0 when the
// projection was not stale.
func (s *Store) RebuildProjection(ctx context.Context) (int, error) {
	written := 0
	err := s.writeBig(ctx, true, func(tx *sql.Tx) error {
		written = 0
		from, err := staleFrom(ctx, tx)
		if err != nil || from == 0 {
			return err
		}
		var touched, held int
		if err := tx.QueryRowContext(ctx, "SELECT count(DISTINCT dossier) FROM events WHERE rowid >= ? AND dossier <> ''", from).Scan(&touched); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM dossiers").Scan(&held); err != nil {
			return err
		}
		// In bulk, the dossiers' indexes and triggers go for the rebuild and
		// what the triggers keep (name keys, state counts) is derived once
		// after, in key order, rather than row by row at random.
		var remake []string
		bulk := touched >= rebuildIndexesOver && 2*touched >= held
		if bulk {
			for _, o := range [][2]string{{"index", "dossiers"}, {"index", "dossier_name_keys"}, {"trigger", "dossiers"}} {
				ddl, err := dropSchema(ctx, tx, o[0], o[1])
				if err != nil {
					return err
				}
				remake = append(remake, ddl...)
			}
		}
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		// Every dossier's events in dossier order, read along events_dossier:
		// without INDEXED BY, SQLite scans the table and sorts every event
		// with its payload (5 of the 34 CPU-seconds at 200,000 dossiers).
		where := "WHERE dossier <> '' ORDER BY dossier, rowid"
		args := []any{}
		var older bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM events WHERE rowid < ? AND dossier <> '')", from).Scan(&older); err != nil {
			return err
		}
		if older { // only the dossiers with events from the mark on
			where = "INDEXED BY events_dossier WHERE dossier <> '' AND dossier IN (SELECT DISTINCT dossier FROM events WHERE rowid >= ? AND dossier <> '') ORDER BY dossier, rowid"
			args = append(args, from)
		}
		rows, err := tx.QueryContext(ctx, "SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash FROM events "+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if written, err = foldAndPut(rows, r.putRow); err != nil {
			return err
		}
		if bulk {
			for _, q := range append(deriveFromDossiers, remake...) {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM meta WHERE key = ?", metaProjectionStale)
		return err
	})
	return written, err
}

// deriveFromDossiers makes again, from the whole dossiers table, what its
// triggers keep (migrations 002 and 006) while they are dropped.
var deriveFromDossiers = []string{
	"DELETE FROM dossier_name_keys",
	"INSERT OR IGNORE INTO dossier_name_keys(key, dossier) SELECT j.value, d.id FROM dossiers d, json_each(d.name_keys) j ORDER BY 1, 2",
	"DELETE FROM dossier_state_counts",
	"INSERT INTO dossier_state_counts(state, n) SELECT state, count(*) FROM dossiers GROUP BY state",
}

// dropSchema drops the table's own indexes (not its primary key) or
// triggers, as kind says, inside tx and returns the statements that make
// them again.
func dropSchema(ctx context.Context, tx *sql.Tx, kind, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL ORDER BY name", kind, table)
	if err != nil {
		return nil, err
	}
	var names, ddl []string
	for rows.Next() {
		var n, q string
		if err := rows.Scan(&n, &q); err != nil {
			rows.Close()
			return nil, err
		}
		names, ddl = append(names, n), append(ddl, q)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, "DROP "+strings.ToUpper(kind)+` "`+n+`"`); err != nil {
			return nil, err
		}
	}
	return ddl, nil
}

// foldAndPut reads the events of rows (ordered by dossier), folds each
// dossier's events (domain.Project, and its row's JSON) on a goroutine of
// its own and writes the rows with put in the same order, so the folding
// runs on another core than SQLite's reads and writes. It returns how many
// dossiers it wrote.
func foldAndPut(rows *sql.Rows, put func(row []any) error) (int, error) {
	done := make(chan struct{})
	groups := make(chan []domain.Event, 256)
	folded := make(chan []any, 256)
	readErr, foldErr := make(chan error, 1), make(chan error, 1)
	go func() { // reads on the transaction's connection, between the writes
		defer close(groups)
		var evs []domain.Event
		send := func() bool {
			select {
			case groups <- evs:
				evs = nil
				return true
			case <-done:
				return false
			}
		}
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				readErr <- err
				return
			}
			if len(evs) > 0 && evs[0].Dossier != e.Dossier && !send() {
				readErr <- nil
				return
			}
			evs = append(evs, e)
		}
		if len(evs) > 0 && !send() {
			readErr <- nil
			return
		}
		readErr <- rows.Err()
	}()
	go func() {
		defer close(folded)
		for evs := range groups {
			d := domain.Project(evs)
			if d == nil {
				continue // no event creates it yet
			}
			row, err := dossierRow(d)
			if err != nil {
				foldErr <- err
				return
			}
			select {
			case folded <- row:
			case <-done:
				return
			}
		}
		foldErr <- nil
	}()
	written := 0
	var err error
	for row := range folded {
		if err = put(row); err != nil {
			break
		}
		written++
	}
	close(done) // stops both goroutines if put failed
	for range folded {
	}
	for range groups {
	}
	if rerr := <-readErr; err == nil {
		err = rerr
	}
	select {
	case ferr := <-foldErr:
		if err == nil {
			err = ferr
		}
	default: // stopped by done
	}
	return written, err
}

package store

import (
	"context"
	"database/sql"

	"postdesk/internal/domain"
)

// Bulk records many events in one transaction, writing each touched
// dossier's projection once at the end rather than after every event. The
// caller keeps the current dossiers, so nothing is read back. Used by the
// demo seed and imports; the result is the same as recording one by one.
type Bulk struct {
	r *recorder
}

// Bulk runs fn in one write transaction.
func (s *Store) Bulk(ctx context.Context, fn func(b *Bulk) error) error {
	return s.write(ctx, bulkTx(s, ctx, fn))
}

// BulkLoad is Bulk for synthetic data (the demo seed): the whole load is
// one transaction, so it is all or nothing, but it does not wait for the
// disk at commit (a power cut costs only a re-run), keeps every touched page
// in memory, and drops the secondary indexes of dossiers and events at the
// start and builds them again at the end — sorting once is far cheaper than
// hundreds of thousands of random index inserts. DDL is transactional in
// SQLite, so a failure or a kill leaves the indexes as they were.
func (s *Store) BulkLoad(ctx context.Context, fn func(b *Bulk) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = OFF; PRAGMA cache_size = -2097152"); err != nil {
		return err
	}
	// Back to the defaults before the connection returns to the pool.
	defer conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	indexes, err := secondaryIndexes(ctx, tx, "dossiers", "events")
	if err != nil {
		return err
	}
	for name := range indexes {
		if _, err := tx.ExecContext(ctx, "DROP INDEX "+name); err != nil {
			return err
		}
	}
	if err := bulkTx(s, ctx, fn)(tx); err != nil {
		return err
	}
	for _, ddl := range indexes {
		if _, err := tx.ExecContext(ctx, ddl); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// secondaryIndexes maps the name of each explicitly created index of the
// tables to the SQL that creates it (UNIQUE constraints' own indexes stay).
func secondaryIndexes(ctx context.Context, tx *sql.Tx, tables ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range tables {
		rows, err := tx.QueryContext(ctx, "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", t)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var name, ddl string
			if err := rows.Scan(&name, &ddl); err != nil {
				rows.Close()
				return nil, err
			}
			out[name] = ddl
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func bulkTx(s *Store, ctx context.Context, fn func(b *Bulk) error) func(tx *sql.Tx) error {
	return func(tx *sql.Tx) error {
		r, err := s.newRecorder(ctx, tx)
		if err != nil {
			return err
		}
		defer r.close()
		r.deferred, r.receipts = map[string]*domain.Dossier{}, map[string]int{}
		if err := fn(&Bulk{r: r}); err != nil {
			return err
		}
		return r.flush()
	}
}

// Intake records a new dossier (see Store.Intake).
func (b *Bulk) Intake(staff string, d domain.Dossier) (*domain.Dossier, error) {
	kind := domain.KindIntake
	if d.Option == domain.OptionReturnOnly {
		kind = domain.KindRegisterResult
	}
	return b.r.intake(staff, kind, d)
}

// Append records e on cur, the dossier's state as the caller knows it.
func (b *Bulk) Append(e *domain.Event, cur *domain.Dossier) (*domain.Dossier, error) {
	return b.r.append(e, cur, false)
}

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

// BulkUnsynced is Bulk without waiting for the disk at commit: for synthetic
// data only (the demo seed), where a power cut costs nothing but a re-run.
// Each transaction is still atomic; only its durability is deferred to the OS.
func (s *Store) BulkUnsynced(ctx context.Context, fn func(b *Bulk) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A big page cache keeps the touched index pages in memory until commit
	// instead of spilling them to the WAL again and again.
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144"); err != nil {
		return err
	}
	// Back to the defaults before the connection returns to the pool.
	defer conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := bulkTx(s, ctx, fn)(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
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

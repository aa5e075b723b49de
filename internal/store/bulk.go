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
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return err
	}
	// Back to FULL before the connection returns to the pool.
	defer conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL")
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
		r.deferred = map[string]*domain.Dossier{}
		if err := fn(&Bulk{r: r}); err != nil {
			return err
		}
		for _, d := range r.deferred {
			if err := r.putDossier(d); err != nil {
				return err
			}
		}
		return nil
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

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A lost device (docs/sync-protocol.md §7.1): the province revokes it; the
// hub's signed revocation carries the order to lock and erase. The device
// then locks at once (LockState.Locked: no sign-in, nothing shown) and,
// after a supervisor signs in on the lock screen and confirms, erases its
// citizens' personal data (ErasePersonal). The lock order and the erase are
// kept in meta, so a restart finds the device as it was left.

const (
	metaLockOrder    = "lock_order"
	metaErased       = "erased"
	metaEraseCleanup = "erase_cleanup" // "1" from the erase's commit until its VACUUM is done
)

// LockState is whether the province ordered this device locked, and
// whether its personal data was erased since.
type LockState struct {
	Locked   bool      `json:"locked"`
	At       time.Time `json:"at"`     // when the province revoked it
	Reason   string    `json:"reason"` // the hub's words
	Erased   bool      `json:"erased"`
	ErasedAt time.Time `json:"erased_at,omitzero"`
	ErasedBy string    `json:"erased_by,omitempty"`
	// Cleanup: the erase is committed but the file was not compacted yet
	// (a crash in between); FinishErase does it.
	Cleanup bool `json:"cleanup,omitempty"`
}

type lockOrder struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

type eraseRecord struct {
	At time.Time `json:"at"`
	By string    `json:"by"`
}

// SetLockOrder records the province's order to lock (the first one kept).
func (s *Store) SetLockOrder(ctx context.Context, at time.Time, reason string) error {
	raw, err := json.Marshal(lockOrder{At: at.UTC(), Reason: reason})
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING", metaLockOrder, string(raw))
	return err
}

// Lock reads the device's lock state.
func (s *Store) Lock(ctx context.Context) (LockState, error) {
	var st LockState
	raw, err := s.Meta(ctx, metaLockOrder, "")
	if err != nil || raw == "" {
		return st, err
	}
	var o lockOrder
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return st, fmt.Errorf("stored lock order unreadable: %w", err)
	}
	st.Locked, st.At, st.Reason = true, o.At, o.Reason
	if raw, err = s.Meta(ctx, metaErased, ""); err != nil {
		return st, err
	} else if raw != "" {
		var e eraseRecord
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return st, fmt.Errorf("stored erase record unreadable: %w", err)
		}
		st.Erased, st.ErasedAt, st.ErasedBy = true, e.At, e.By
	}
	c, err := s.Meta(ctx, metaEraseCleanup, "")
	st.Cleanup = c == "1"
	return st, err
}

// ErrNotLocked: an erase was asked of a device the province did not order locked.
var ErrNotLocked = errors.New("the province has not ordered this device locked")

// ErasedTables are what ErasePersonal empties whole: the dossiers'
// projection and its name index, intake drafts, the hub updates kept for
// retries (a result-only registration holds an applicant), and the peer
// envelopes waiting to go to the hub.
var ErasedTables = []string{"dossiers", "dossier_name_keys", "drafts", "sync_updates", "peer_outbox", "proof_files", "proof_key_slots"}

// ErasePersonal erases the citizens' personal data of a locked device in
// one transaction: every event keeps its device, seq, kind, dossier, staff,
// time and hashes but loses its payload (names, ID numbers, phones,
// addresses, recipients); the tables of ErasedTables are emptied. Then
// FinishErase compacts the file, so no freed page keeps a byte of it. A
// crash before the commit leaves everything as it was; after it, Lock
// reports Cleanup until FinishErase ran. Erasing twice changes nothing more.
func (s *Store) ErasePersonal(ctx context.Context, by string) error {
	st, err := s.Lock(ctx)
	if err != nil {
		return err
	}
	if !st.Locked {
		return ErrNotLocked
	}
	if !st.Erased {
		rec, err := json.Marshal(eraseRecord{At: s.Now().UTC(), By: by})
		if err != nil {
			return err
		}
		err = s.write(ctx, func(tx *sql.Tx) error {
			// The log is append-only; the erase is the one change allowed,
			// made with the guard lifted inside this transaction.
			stmts := []string{"DROP TRIGGER events_append_only_update",
				"UPDATE events SET payload = NULL WHERE payload IS NOT NULL"}
			for _, t := range ErasedTables {
				stmts = append(stmts, "DELETE FROM "+t)
			}
			stmts = append(stmts, `CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`)
			for _, q := range stmts {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return fmt.Errorf("erase: %s: %w", q, err)
				}
			}
			for k, v := range map[string]string{metaErased: string(rec), metaEraseCleanup: "1"} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?)
					ON CONFLICT(key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.FinishErase(ctx)
}

// eraseVacuum compacts the file (a variable, so a test can cut the power
// between the erase's commit and its compaction).
var eraseVacuum = func(ctx context.Context, s *Store) error {
	_, err := s.db.ExecContext(ctx, "VACUUM")
	return err
}

// FinishErase compacts the database after an erase (VACUUM, then the
// write-ahead log folded in and truncated), so the erased bytes are in no
// page of the file; it does nothing when no erase waits for it.
func (s *Store) FinishErase(ctx context.Context) error {
	if c, err := s.Meta(ctx, metaEraseCleanup, ""); err != nil || c != "1" {
		return err
	}
	if err := eraseVacuum(ctx, s); err != nil {
		return fmt.Errorf("erase: compacting the database: %w", err)
	}
	if err := s.SetMeta(ctx, metaEraseCleanup, ""); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM"); err != nil { // the meta row's old page too
		return err
	}
	return s.Checkpoint(ctx)
}

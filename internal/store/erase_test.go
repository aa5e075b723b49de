package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"
)

// TestEraseAllOrNothing: an erase asked of a device not ordered locked
// does nothing; an erase that fails inside its transaction leaves every
// payload, dossier and the log's guard as they were; one cut between its
// commit and the compaction is finished by FinishErase, after which no
// citizen's name or ID number is in the file and the log is append-only
// again; check reports the erase.
func TestEraseAllOrNothing(t *testing.T) {
	s := newTestStore(t)
	ds := intakeN(t, s, 5)
	if err := s.ErasePersonal(ctx, "truong"); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("erase without an order: %v", err)
	}
	if err := s.SetLockOrder(ctx, s.Now(), "lost"); err != nil {
		t.Fatal(err)
	}

	// A failure inside the transaction: nothing changes.
	saved := ErasedTables
	ErasedTables = append(append([]string{}, saved...), "no_such_table")
	err := s.ErasePersonal(ctx, "truong")
	ErasedTables = saved
	if err == nil {
		t.Fatal("the failing erase succeeded")
	}
	if _, err := s.Dossier(ctx, ds[0].ID); err != nil {
		t.Fatalf("a failed erase removed a dossier: %v", err)
	}
	if lock, _ := s.Lock(ctx); lock.Erased {
		t.Fatal("a failed erase is recorded as done")
	}
	if _, err := s.Check(ctx); err != nil {
		t.Fatalf("check after a failed erase: %v", err)
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE events SET staff = 'x'"); err == nil {
		t.Fatal("the log's append-only guard is gone after a failed erase")
	}

	// The power goes between the commit and the compaction.
	eraseVacuum = func(context.Context, *Store) error { return errors.New("power cut") }
	err = s.ErasePersonal(ctx, "truong")
	eraseVacuum = func(ctx context.Context, s *Store) error { _, err := s.db.ExecContext(ctx, "VACUUM"); return err }
	if err == nil {
		t.Fatal("the cut erase reported success")
	}
	lock, err := s.Lock(ctx)
	if err != nil || !lock.Erased || !lock.Cleanup {
		t.Fatalf("after the cut: %+v %v", lock, err)
	}
	if err := s.FinishErase(ctx); err != nil {
		t.Fatal(err)
	}
	if lock, _ := s.Lock(ctx); lock.Cleanup || lock.ErasedBy != "truong" {
		t.Fatalf("after FinishErase: %+v", lock)
	}
	raw, _ := os.ReadFile(s.Path())
	wal, _ := os.ReadFile(s.Path() + "-wal")
	for _, d := range ds {
		for _, n := range []string{d.Applicant.IDNumber, d.Applicant.FullName} {
			if bytes.Contains(raw, []byte(n)) || bytes.Contains(wal, []byte(n)) {
				t.Fatalf("%q is still in the file after the erase", n)
			}
		}
	}
	if _, err := s.db.ExecContext(ctx, "UPDATE events SET staff = 'x'"); err == nil {
		t.Fatal("the log is not append-only after the erase")
	}
	rep, err := s.Check(ctx)
	if err != nil || rep.Erased == nil || rep.ErasedEvents == 0 || rep.Events == 0 {
		t.Fatalf("check after the erase: %+v %v", rep, err)
	}
	// Again: nothing more.
	if err := s.ErasePersonal(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if lock, _ := s.Lock(ctx); lock.ErasedBy != "truong" {
		t.Fatalf("a second erase rewrote the record: %+v", lock)
	}
}

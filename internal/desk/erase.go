package desk

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// A lost device (docs/sync-protocol.md §7.1). The province revokes it; at
// its next connection the hub's signed revocation orders it to lock and
// erase. Locked, it shows no data and lets nobody sign in; a supervisor of
// the post point signs in on the lock screen (or `postdesk erase`) and
// confirms, and EraseLostDevice erases the citizens' personal data.
//
// What it had not pushed: a revoked device's batches are refused by the
// hub and by its peers, so they cannot be pushed any more. They are kept,
// before the erase, in a batch file encrypted to the hub's key and signed
// by the device (UnsyncedName, beside the database): nobody but the hub's
// identity reads it; the province decides what to do with it.

// ErrLocked is returned to whatever would show data on a locked device.
var ErrLocked = domain.Errf("device", "err.device.locked",
	"this device was revoked by the province and is locked: a supervisor signs in to confirm erasing its personal data")

// Lock is the device's lock state (store.LockState).
func (d *Desk) Lock(ctx context.Context) (store.LockState, error) { return d.Store.Lock(ctx) }

// Erased is what an erase did.
type Erased struct {
	UnsyncedFile   string // the events never acknowledged, encrypted to the hub ("" when none)
	UnsyncedEvents int
	FilesRemoved   int // backups, proofs, citizen exports removed from the disk
}

// KeepFunc writes a device's events the hub never acknowledged into a file
// encrypted to the hub (devicesync.KeepForHub; a parameter, since the sync
// package's tests use this one).
type KeepFunc func(ctx context.Context, s *store.Store, path string) (events int, err error)

// UnsyncedName is the file of a lost device's events the hub never had.
func UnsyncedName(device string) string { return "unsynced-" + device + ".pdsync" }

// EraseLostDevice erases a locked device's personal data, once a
// supervisor of the post point proves who they are with their PIN (the
// sign-in's own checks: lockout after failed tries). In order, each step
// safe to run again after a crash: the unacknowledged events kept for the
// hub; the database's personal data erased in one transaction and the file
// compacted (store.ErasePersonal); then the files beside it: backups (the
// backup folder too), delivery proofs and citizen exports.
func (d *Desk) EraseLostDevice(ctx context.Context, username, pin, backupDir string, keep KeepFunc) (Erased, error) {
	var out Erased
	lock, err := d.Store.Lock(ctx)
	if err != nil {
		return out, err
	}
	if !lock.Locked {
		return out, store.ErrNotLocked
	}
	st, err := d.Store.SignIn(ctx, username, pin)
	if err != nil {
		return out, err
	}
	if err := allow(StaffActor(st), "erase a lost device", supervisors); err != nil {
		return out, err
	}
	dir := filepath.Dir(d.Store.Path())
	if !lock.Erased {
		sync, err := d.Store.SyncState(ctx)
		if err != nil {
			return out, err
		}
		dev, _, err := d.Store.Device(ctx)
		if err != nil {
			return out, err
		}
		last, err := d.Store.LastSeq(ctx, dev.ID())
		if err != nil {
			return out, err
		}
		if last > sync.AckedThrough && sync.HubAgeRecipient != "" {
			out.UnsyncedFile = filepath.Join(dir, UnsyncedName(dev.ID()))
			n, err := keep(ctx, d.Store, out.UnsyncedFile)
			if err != nil {
				return out, fmt.Errorf("keeping the events the hub never had: %w", err)
			}
			out.UnsyncedEvents = n
		}
	}
	if err := d.Store.ErasePersonal(ctx, st.Username); err != nil {
		return out, err
	}
	// Backups: only PostDesk's own files, whatever else the folder holds.
	for _, b := range []string{filepath.Join(dir, "backups"), backupDir} {
		n, err := removeBackups(b)
		out.FilesRemoved += n
		if err != nil {
			return out, err
		}
	}
	for _, p := range []string{d.Store.ProofsDir(), filepath.Join(dir, "citizen-exports")} {
		n, err := removeTree(p)
		out.FilesRemoved += n
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// removeBackups removes PostDesk's backup files from dir.
func removeBackups(dir string) (int, error) {
	if dir == "" {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if e.Type().IsRegular() && store.IsBackupName(e.Name()) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// removeTree removes a folder and counts the files in it; none is no error.
func removeTree(dir string) (int, error) {
	if dir == "" {
		return 0, nil
	}
	n := 0
	filepath.WalkDir(dir, func(_ string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			n++
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return 0, err
	}
	return n, nil
}

package store

// Backups: every one is an age file (internal/vault) encrypted to the post
// point's recovery key and, once the device is enrolled, to the province
// hub's key, so either can restore it and a lost USB stick shows nothing.

import (
	"archive/tar"
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
	"postdesk/internal/vault"
)

// metaRecovery is the meta key of the recovery key's public recipient.
const metaRecovery = "recovery_recipient"

// ErrNoRecoveryKey is returned by Backup before the post point has a recovery key.
var ErrNoRecoveryKey = errors.New("this post point has no recovery key yet")

// RecoveryRecipient returns the recovery key's public recipient ("age1…"),
// or "" when none was made yet.
func (s *Store) RecoveryRecipient(ctx context.Context) (string, error) {
	return s.Meta(ctx, metaRecovery, "")
}

// SetRecoveryRecipient keeps a new recovery key's public recipient; later
// backups are encrypted to it (older ones stay with the key they were made for).
func (s *Store) SetRecoveryRecipient(ctx context.Context, recipient string) error {
	if _, err := age.ParseX25519Recipient(recipient); err != nil {
		return fmt.Errorf("recovery recipient: %w", err)
	}
	return s.SetMeta(ctx, metaRecovery, recipient)
}

// BackupRecipients are who can open this device's backups: the recovery
// key, and the hub when the device is enrolled.
func (s *Store) BackupRecipients(ctx context.Context) ([]age.Recipient, error) {
	rec, err := s.RecoveryRecipient(ctx)
	if err != nil {
		return nil, err
	}
	if rec == "" {
		return nil, &wrapped{ErrNoRecoveryKey, domain.Errf("recovery_key", "err.backup.no_recovery_key",
			"this post point has no recovery key yet, so a backup could not be encrypted: a supervisor makes one (Settings, or postdesk recovery-key new)")}
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	return vault.Recipients(rec, st.HubAgeRecipient)
}

// wrapped is a sentinel error with the FieldError that says it on screen.
type wrapped struct {
	code error
	fe   *domain.FieldError
}

func (e *wrapped) Error() string   { return e.fe.Error() }
func (e *wrapped) Unwrap() []error { return []error{e.code, e.fe} }

// Backup writes an encrypted, consistent copy of the database and its proof
// files to path: a tar stream (backupDBName: the pages of one read snapshot,
// SQLite's sqlite_dbpage in page order, the write-ahead log's committed
// pages included; then proofs/NAME for every proof file that snapshot
// lists, as sealed on disk) straight into age, to BackupRecipients, under a
// temporary name, then renamed. No plain copy is written anywhere, writers
// are not held up, and a cut never leaves half a backup at path. The
// database is as it is (free pages included), not compacted as PlainCopy's
// VACUUM INTO is.
func (s *Store) Backup(ctx context.Context, path string) error {
	rcpts, err := s.BackupRecipients(ctx)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup %s: the file already exists", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	var missing []string
	if err := vault.SealWith(path, rcpts, func(w io.Writer) (err error) {
		missing, err = s.writeBackup(ctx, w)
		return err
	}); err != nil {
		return err
	}
	if len(missing) > 0 {
		return &wrapped{ErrProofsMissing, domain.Errf("proofs", "err.backup.proofs_missing",
			"the backup was written, but %d proof files the database names are missing on disk and are not in it: %s",
			len(missing), strings.Join(missing, ", ")).WithArgs("Count", strconv.Itoa(len(missing))).WithArgs("Names", strings.Join(missing, ", "))}
	}
	return nil
}

// ErrProofsMissing is returned by Backup when it wrote the backup without
// some proof files the database names, because the disk lost them: the
// backup is made (a lost file must not stop every backup after it) and the
// status bar says which.
var ErrProofsMissing = errors.New("proof files missing from the backup")

// backupDBName is the database's entry in a backup's tar stream; the proof
// files follow it as proofs/NAME. A backup of before the proofs joined it
// is the database file alone.
const backupDBName = "postdesk.db"

// writeBackup writes the backup's tar stream as one read transaction sees
// the database: its pages (so the entry is a database file), then the
// proof files it lists.
func (s *Store) writeBackup(ctx context.Context, w io.Writer) (missing []string, err error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var pages, pageSize int64
	if err := tx.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return nil, err
	}
	if err := tx.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return nil, err
	}
	proofs, err := backupProofs(ctx, tx)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	tw := tar.NewWriter(bw)
	now := s.Now()
	if err := tw.WriteHeader(&tar.Header{Name: backupDBName, Mode: 0o600, Size: pages * pageSize, ModTime: now, Format: tar.FormatPAX}); err != nil {
		return nil, err
	}
	if err := writePages(ctx, tx, tw, pages); err != nil {
		return nil, err
	}
	for _, name := range proofs {
		err := addProof(tw, filepath.Join(s.ProofsDir(), name), name)
		if errors.Is(err, os.ErrNotExist) {
			missing = append(missing, name)
		} else if err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return missing, bw.Flush()
}

// backupProofs lists the proof files a backup holds: every one the
// database lists, but those of purged dossiers (their files are going, or
// gone: store.Purge removes them after its commit).
func backupProofs(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.name FROM proof_files f LEFT JOIN dossiers d ON d.id = f.dossier
		WHERE coalesce(json_extract(d.data, '$.personal_data_purged'), 0) <> 1 ORDER BY f.name`)
	if err != nil {
		return nil, err
	}
	return sqlitedb.Strings(rows)
}

// writePages writes the database file's image as tx sees it: every one of
// its pages in order.
func writePages(ctx context.Context, tx *sql.Tx, w io.Writer, pages int64) error {
	rows, err := tx.QueryContext(ctx, "SELECT pgno, data FROM sqlite_dbpage('main') ORDER BY pgno")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer rows.Close()
	next := int64(1)
	var data sql.RawBytes
	for rows.Next() {
		var pgno int64
		if err := rows.Scan(&pgno, &data); err != nil {
			return err
		}
		if pgno != next {
			return fmt.Errorf("backup: page %d read where %d was expected", pgno, next)
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		next++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if next-1 != pages {
		return fmt.Errorf("backup: %d pages read of %d", next-1, pages)
	}
	return nil
}

// addProof writes one proof file into the backup (an os.ErrNotExist when
// the disk lost it: nothing written).
func addProof(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: "proofs/" + name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime(), Format: tar.FormatPAX}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

// PlainCopy writes an unencrypted, consistent copy of the database to path
// (VACUUM INTO, under a temporary name, then renamed). It is for copies that
// stay where the database is (tests, benchmarks, Backup's first step); a
// copy that leaves the machine is a Backup.
func (s *Store) PlainCopy(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("copy %s: the file already exists", path)
	}
	tmp := path + ".partial"
	os.Remove(tmp)
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return atomicfile.Commit(tmp, path)
}

// BackupExt is the file name ending of an encrypted backup.
const BackupExt = ".db.age"

// BackupName is the timestamped file name of an automatic backup.
func BackupName(t time.Time) string {
	return "postdesk-" + t.Format("20060102-150405") + BackupExt
}

// isBackupName: an automatic backup, encrypted or (from before) plain.
// IsBackupName reports whether a file name is one of PostDesk's automatic
// backups (encrypted, or plain from an older version).
func IsBackupName(name string) bool { return isBackupName(name) }

func isBackupName(name string) bool {
	return strings.HasPrefix(name, "postdesk-") && (strings.HasSuffix(name, BackupExt) || strings.HasSuffix(name, ".db"))
}

// AutoBackup makes today's backup in dir when there is none yet for today,
// then keeps only the newest keep backups there (plain ones of older
// versions included, so they age out). It returns the file written, or ""
// when today's backup already existed; with ErrProofsMissing when it was
// written without some proof files.
func (s *Store) AutoBackup(ctx context.Context, dir string, keep int) (string, error) {
	now := s.Now()
	today := "postdesk-" + now.Format("20060102") + "-"
	entries, _ := os.ReadDir(dir)
	var existing []string
	for _, e := range entries {
		if e.Type().IsRegular() && isBackupName(e.Name()) {
			if strings.HasPrefix(e.Name(), today) && strings.HasSuffix(e.Name(), BackupExt) {
				return "", nil
			}
			existing = append(existing, filepath.Join(dir, e.Name()))
		}
	}
	path := filepath.Join(dir, BackupName(now))
	var missing error
	if err := s.Backup(ctx, path); errors.Is(err, ErrProofsMissing) {
		missing = err // written: it counts among those kept
	} else if err != nil {
		return "", err
	}
	existing = append(existing, path)
	sort.Strings(existing) // names sort by time
	for keep > 0 && len(existing) > keep {
		os.Remove(existing[0])
		existing = existing[1:]
	}
	return path, missing
}

// Restored says how a restore went.
type Restored struct {
	// Plain: the backup was an unencrypted copy made by an older PostDesk
	// (restored, but anyone who held that file could read it).
	Plain bool
	// Proofs is how many proof files came back with it (a backup of before
	// the proofs joined it holds none).
	Proofs int
}

// ErrNotBackup: the file is neither an encrypted backup nor a PostDesk database.
var ErrNotBackup = errors.New("not a PostDesk backup")

// Restore replaces the database at dst with the backup src, decrypted with
// one of ids (the recovery key or the hub's identity; an unencrypted backup
// of an older PostDesk needs none). The backup is decrypted into a file
// beside dst and checked fully there (integrity, chains, projection, a
// schema this build knows) before anything is replaced; the replaced file is
// kept beside it as .before-restore. A wrong key, a flipped byte or a cut
// file is refused and nothing changes. dst must not be open.
func Restore(ctx context.Context, dst, src string, ids []age.Identity) (Restored, error) {
	var res Restored
	sealed, err := vault.IsSealedFile(src)
	if err != nil {
		return res, err
	}
	tmp := dst + ".restoring"
	os.Remove(tmp)
	if sealed {
		err = vault.OpenFile(src, tmp, ids)
	} else {
		res.Plain = true
		err = copyFile(src, tmp)
	}
	if err != nil {
		return res, fmt.Errorf("restore refused, %s could not be opened: %w", src, err)
	}
	staged := dst + ".restoring-proofs"
	os.RemoveAll(staged)
	defer os.RemoveAll(staged)
	if res.Proofs, err = unpackBackup(tmp, staged); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("restore refused, %s is not a sound backup: %w", src, err)
	}
	if err := verifyBackup(ctx, tmp); err != nil {
		os.Remove(tmp)
		return res, fmt.Errorf("restore refused, %s is not a sound backup: %w", src, err)
	}
	// The proofs go first: a cut before the database is replaced leaves
	// files the old database does not name, never a database naming files
	// that are not there.
	if err := moveProofs(staged, filepath.Join(filepath.Dir(dst), "proofs")); err != nil {
		os.Remove(tmp)
		return res, err
	}
	if _, err := os.Stat(dst); err == nil {
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(dst + suffix)
		}
		if err := os.Rename(dst, dst+".before-restore"); err != nil {
			os.Remove(tmp)
			return res, err
		}
	}
	return res, atomicfile.Commit(tmp, dst)
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// unpackBackup turns the decrypted backup at path into the database file
// alone (in place) and its proof files under staged, and returns how many.
// A backup of before the proofs joined it is the database file already.
func unpackBackup(path, staged string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err == nil && string(head) == sqliteMagic {
		return 0, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	notBackup := func(format string, args ...any) error {
		return &wrapped{ErrNotBackup, domain.Errf("file", "err.backup.not_backup", "not a PostDesk backup: "+format, args...)}
	}
	tr := tar.NewReader(bufio.NewReaderSize(f, 1<<20))
	h, err := tr.Next()
	if err != nil || h.Name != backupDBName {
		return 0, notBackup("it does not start with the database (%v)", err)
	}
	db := path + ".db"
	if err := writeEntry(db, tr); err != nil {
		os.Remove(db)
		return 0, err
	}
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		name, ok := strings.CutPrefix(h.Name, "proofs/")
		if err == nil && (!ok || name == "" || filepath.Base(name) != name || strings.HasPrefix(name, ".") || h.Typeflag != tar.TypeReg) {
			err = notBackup("unexpected entry %q", h.Name)
		}
		if err == nil {
			if err = os.MkdirAll(staged, 0o700); err == nil {
				err = writeEntry(filepath.Join(staged, name), tr)
			}
		}
		if err != nil {
			os.Remove(db)
			return 0, err
		}
		n++
	}
	f.Close()
	return n, os.Rename(db, path)
}

// writeEntry writes what r reads (a tar entry, a file) to path, synced.
func writeEntry(path string, r io.Reader) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// moveProofs moves the restored proof files from staged into dir; a file
// already there is kept (a proof file's name is its dossier, kind and the
// nanosecond it was written, so the same name is the same file).
func moveProofs(staged, dir string) error {
	entries, err := os.ReadDir(staged)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, e := range entries {
		to := filepath.Join(dir, e.Name())
		if _, err := os.Stat(to); err == nil {
			continue
		}
		if err := os.Rename(filepath.Join(staged, e.Name()), to); err != nil {
			return fmt.Errorf("restoring proof file %s: %w", e.Name(), err)
		}
	}
	return nil
}

// verifyBackup checks the plain database file at src without changing it:
// a private copy beside it is opened (which may migrate) and checked.
func verifyBackup(ctx context.Context, src string) error {
	if _, err := os.Stat(src); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(src), ".restore-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	probe := filepath.Join(tmp, "probe.db")
	if err := copyFile(src, probe); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", dsn(probe))
	if err != nil {
		return err
	}
	var version int
	err = raw.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	raw.Close()
	if err != nil {
		return &wrapped{ErrNotBackup, domain.Errf("file", "err.backup.not_backup", "not a PostDesk backup: %v", err)}
	}
	if version == 0 {
		return &wrapped{ErrNotBackup, domain.Errf("file", "err.backup.not_backup", "not a PostDesk database")}
	}
	s, err := Open(probe)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = s.Check(ctx)
	return err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeEntry(dst, in)
}

package store

// Retention: a done dossier's personal data is removed from this device's
// copy of its events once its retention has passed (domain/purge.go; README
// Security, "Retention"; docs/sync-protocol.md §13). Each dossier is purged
// in one transaction — its events redacted, a personal_data.purged event
// recording each redaction, its projection rebuilt — so a crash leaves it
// whole or untouched; its proof files go after the commit (again at the
// next run when a crash came in between).

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
)

const metaRetentionDays = "retention_days"

// RetentionDays is how many days a done dossier keeps its personal fields
// on this device (0: kept for ever).
func (s *Store) RetentionDays(ctx context.Context) (int, error) {
	v, err := s.Meta(ctx, metaRetentionDays, strconv.Itoa(domain.DefaultRetentionDays))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

// SetRetentionDays sets the retention (recorded as a settings event).
func (s *Store) SetRetentionDays(ctx context.Context, actor string, days int) error {
	if days < 0 || days > 36500 {
		return domain.Errf("retention_days", "err.retention.days", "the retention must be between 0 (keep for ever) and 36500 days").
			WithArgs("Days", strconv.Itoa(days))
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
			metaRetentionDays, strconv.Itoa(days)); err != nil {
			return err
		}
		return s.recordIn(ctx, tx, actor, domain.KindSettingsChanged, map[string]any{"retention_days": days})
	})
}

// PurgeReport says what a purge did (or, dry, would do).
type PurgeReport struct {
	Days     int      `json:"days"`
	Before   string   `json:"done_before"` // dossiers done before this day (dd/mm/yyyy) are purged
	Dossiers []string `json:"dossiers"`    // purged (or to purge)
	Events   int      `json:"events"`      // events redacted
	Proofs   int      `json:"proofs"`      // proof files removed
	Waiting  []string `json:"waiting"`     // due, but some of this device's events are not at the hub yet
	DryRun   bool     `json:"dry_run"`
}

// Purge removes the personal data of every dossier done longer ago than the
// retention. A dossier with events of this device the hub has not
// acknowledged waits (its events must reach the hub as written). Purging
// again purges nothing more.
func (s *Store) Purge(ctx context.Context, actor string, dryRun bool) (PurgeReport, error) {
	rep := PurgeReport{DryRun: dryRun}
	days, err := s.RetentionDays(ctx)
	if rep.Days = days; err != nil || days == 0 {
		return rep, err
	}
	var cutoff time.Time
	cutoff, rep.Before = domain.RetentionCutoff(s.Now(), days)
	due, err := s.purgeDue(ctx, cutoff)
	if err != nil {
		return rep, err
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		return rep, err
	}
	dev, _, err := s.Device(ctx)
	if err != nil {
		return rep, err
	}
	for _, id := range due {
		if st.Enrolled() {
			var last int64
			if err := s.db.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM events WHERE dossier = ? AND device_id = ?",
				id, dev.ID()).Scan(&last); err != nil {
				return rep, err
			}
			if last > st.AckedThrough {
				rep.Waiting = append(rep.Waiting, id)
				continue
			}
		}
		rep.Dossiers = append(rep.Dossiers, id)
		if dryRun {
			continue
		}
		n, err := s.purgeDossier(ctx, actor, id, days)
		if err != nil {
			return rep, fmt.Errorf("purging %s: %w", id, err)
		}
		rep.Events += n
	}
	if dryRun {
		return rep, nil
	}
	if rep.Proofs, err = s.removePurgedProofs(ctx); err != nil {
		return rep, err
	}
	if len(rep.Dossiers) > 0 {
		// The removed text must not linger in free pages or the write-ahead log.
		if _, err := s.db.ExecContext(ctx, "VACUUM"); err != nil {
			return rep, err
		}
		if err := s.Checkpoint(ctx); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// purgeDue lists the dossiers done before cutoff whose personal data is still there.
func (s *Store) purgeDue(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM dossiers WHERE `+sqlitedb.DoneStatesIn+` AND updated_at < ? ORDER BY updated_at, id`,
		append(sqlitedb.DoneStateArgs(), formatTime(cutoff))...)
	if err != nil {
		return nil, err
	}
	return sqlitedb.DueForPurge(rows, cutoff, func(d *domain.Dossier) bool { return !d.PersonalDataPurged })
}

// purgeDossier redacts one dossier's events, records the purge and rebuilds
// its projection, in one transaction.
func (s *Store) purgeDossier(ctx context.Context, actor, id string, days int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(r *recorder) error {
		evs, err := queryEventsIn(ctx, r.tx, "WHERE dossier = ? AND dossier <> '' ORDER BY rowid", id)
		if err != nil {
			return err
		}
		p := domain.PurgePayload{Dossier: id, Days: days}
		for i := range evs {
			e := &evs[i]
			if e.ComputeHash() != e.Hash {
				return &Discrepancy{What: fmt.Sprintf("device %s event %d of %s does not match its hash: run check", e.DeviceID, e.Seq, id)}
			}
			red, changed, err := domain.RedactPayload(e.Kind, e.Payload)
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
			e.Payload = red
			rh := e.ComputeHash()
			if _, err := r.tx.ExecContext(ctx, `INSERT INTO event_redactions(device_id, seq, redacted_hash) VALUES(?, ?, ?)
				ON CONFLICT DO NOTHING`, e.DeviceID, e.Seq, hashBlob(rh)); err != nil {
				return err
			}
			if _, err := r.tx.ExecContext(ctx, "UPDATE events SET payload = ? WHERE device_id = ? AND seq = ?",
				[]byte(red), e.DeviceID, e.Seq); err != nil {
				return err
			}
			if e.DeviceID != r.device.ID() {
				if err := r.dropEnvelopesOf(e.DeviceID, e.Seq); err != nil {
					return err
				}
			}
			if e.Kind == domain.KindRegisterResult && e.DeviceID == r.device.ID() {
				if _, err := r.tx.ExecContext(ctx, `UPDATE sync_updates SET data = ? WHERE event_seq = ? AND kind = 'register_result'`,
					[]byte(`{"personal_data_purged":true}`), e.Seq); err != nil {
					return err
				}
			}
			p.Events = append(p.Events, domain.Redaction{Device: e.DeviceID, Seq: e.Seq, Hash: e.Hash, Redacted: rh})
		}
		d := domain.Project(evs)
		if d == nil || !d.PersonalDataPurged {
			return fmt.Errorf("the redacted events of %s do not replay to a purged dossier", id)
		}
		if err := r.putDossier(d); err != nil {
			return err
		}
		pe, err := event(domain.KindPurge, "", actor, p)
		if err != nil {
			return err
		}
		if _, err := r.append(pe, nil, false); err != nil {
			return err
		}
		n = len(p.Events)
		return nil
	})
	return n, err
}

// removePurgedProofs deletes the proof files of purged dossiers (after the
// purge committed; a file a crash left is removed at the next run).
func (s *Store) removePurgedProofs(ctx context.Context) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.name FROM proof_files f JOIN dossiers d ON d.id = f.dossier
		WHERE json_extract(d.data, '$.personal_data_purged') = 1`)
	if err != nil {
		return 0, err
	}
	names, err := sqlitedb.Strings(rows)
	if err != nil {
		return 0, err
	}
	for _, n := range names {
		if err := os.Remove(filepath.Join(s.ProofsDir(), n)); err != nil && !os.IsNotExist(err) {
			return 0, err
		}
		if _, err := s.db.ExecContext(ctx, "DELETE FROM proof_files WHERE name = ?", n); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}

const metaLastPurge = "last_purge_at"

// PurgeEvery is how often the app's automatic purge runs.
const PurgeEvery = 24 * time.Hour

// AutoPurge runs Purge as the app does at start and daily: when the last
// automatic run is PurgeEvery old or more (ran false otherwise).
func (s *Store) AutoPurge(ctx context.Context) (rep PurgeReport, ran bool, err error) {
	last, err := s.Meta(ctx, metaLastPurge, "")
	if err != nil {
		return rep, false, err
	}
	now := s.Now()
	if t, err := parseTime(last); err == nil && last != "" && now.Sub(t) < PurgeEvery {
		return rep, false, nil
	}
	if rep, err = s.Purge(ctx, "system", false); err != nil {
		return rep, true, err
	}
	return rep, true, s.SetMeta(ctx, metaLastPurge, formatTime(now))
}

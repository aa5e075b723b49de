package hubstore

// The hub's own retention for its copy (README Security, "Retention";
// docs/sync-protocol.md §13). A dossier done (domain.DoneAt) longer ago
// than the hub's retention loses its personal data at the hub, in one
// transaction per dossier: its hub events' payloads redacted with
// domain.RedactPayload (device, seq, hash and prev kept as written; each
// redaction recorded in hub_event_redactions, which the trigger of
// migration 009 requires), its projection built again from the redacted
// events, the signed envelopes kept for peers that hold its events dropped
// (they cannot be redacted: the device signed them), its delivery proofs
// deleted, the conflicts and the result-only registration that quote it
// redacted. Then the file is vacuumed (SQLite) or the tables (PostgreSQL).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
	"postdesk/internal/syncproto"
)

// DefaultHubRetentionDays is how long the hub keeps a done dossier's
// personal fields when the province has set nothing: five years (README
// Security, "Retention", says why it is longer than a device's).
const DefaultHubRetentionDays = 5*365 + 2

const (
	metaHubRetention = "hub_retention_days"
	metaHubLastPurge = "hub_last_purge_at"
)

// HubRetentionDays is how many days the hub keeps a done dossier's
// personal fields (0: for ever).
func (s *Store) HubRetentionDays(ctx context.Context) (int, error) {
	v, err := s.meta(ctx, metaHubRetention)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultHubRetentionDays, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(v))
}

// SetHubRetentionDays sets the hub's own retention.
func (s *Store) SetHubRetentionDays(ctx context.Context, days int) error {
	if days < 0 || days > 36500 {
		return domain.Errf("days", "err.retention.days", "the retention must be between 0 (keep for ever) and 36500 days").
			WithArgs("Days", strconv.Itoa(days))
	}
	return s.write(ctx, func(tx *sql.Tx) error { return setMeta(ctx, tx, metaHubRetention, strconv.Itoa(days)) })
}

func (s *Store) meta(ctx context.Context, key string) ([]byte, error) {
	var v []byte
	err := s.db.QueryRowContext(ctx, "SELECT value FROM hub_meta WHERE key = ?", key).Scan(&v)
	return v, err
}

func setMeta(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO hub_meta(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, []byte(value))
	return err
}

// HubPurgeReport says what a hub purge did (or, dry, would do).
type HubPurgeReport struct {
	Days      int      `json:"days"`
	Before    string   `json:"done_before"` // dossiers done before this day (dd/mm/yyyy) are purged
	Dossiers  []string `json:"dossiers"`    // purged (or to purge)
	Events    int      `json:"events"`      // hub events redacted
	Envelopes int      `json:"envelopes"`   // signed envelopes kept for peers dropped
	Proofs    int      `json:"proofs"`      // delivery proof files deleted
	Conflicts int      `json:"conflicts"`   // conflict rows whose received event was redacted
	Waiting   []string `json:"waiting"`     // due, not purged this run: an event not projected yet, or moved meanwhile
	DryRun    bool     `json:"dry_run"`
}

// Purge removes, from the hub's copy, the personal data of every dossier
// done longer ago than the hub's retention. Purging again purges nothing
// more; a dossier purged before that has had an event since is purged again.
func (s *Store) Purge(ctx context.Context, dryRun bool) (HubPurgeReport, error) {
	rep := HubPurgeReport{DryRun: dryRun, Dossiers: []string{}, Waiting: []string{}}
	days, err := s.HubRetentionDays(ctx)
	if rep.Days = days; err != nil || days == 0 {
		return rep, err
	}
	var cutoff time.Time
	cutoff, rep.Before = domain.RetentionCutoff(s.Now(), days)
	if !dryRun {
		if err := s.Project(ctx); err != nil {
			return rep, err
		}
	}
	due, err := s.purgeDue(ctx, cutoff)
	if err != nil {
		return rep, err
	}
	for _, id := range due {
		if dryRun {
			rep.Dossiers = append(rep.Dossiers, id)
			continue
		}
		did, err := s.purgeDossier(ctx, id, days, cutoff, &rep)
		if err != nil {
			return rep, fmt.Errorf("purging %s at the hub: %w", id, err)
		}
		if did {
			rep.Dossiers = append(rep.Dossiers, id)
		} else {
			rep.Waiting = append(rep.Waiting, id)
		}
	}
	if dryRun || len(rep.Dossiers) == 0 {
		return rep, nil
	}
	return rep, s.vacuumAfterPurge(ctx)
}

// purgeDue lists the dossiers done before cutoff that the hub has not
// purged at their current version.
func (s *Store) purgeDue(ctx context.Context, cutoff time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.data FROM hub_dossiers d LEFT JOIN hub_purges p ON p.dossier = d.id
		WHERE d.`+sqlitedb.DoneStatesIn+` AND d.updated_at < ? AND (p.dossier IS NULL OR p.version <> d.version)
		ORDER BY d.updated_at, d.id`, append(sqlitedb.DoneStateArgs(), formatTime(cutoff))...)
	if err != nil {
		return nil, err
	}
	return sqlitedb.DueForPurge(rows, cutoff, func(*domain.Dossier) bool { return true })
}

// purgeDossier purges one dossier in one transaction; did is false when it
// waits (an event of it not projected yet) or is no longer due.
func (s *Store) purgeDossier(ctx context.Context, id string, days int, cutoff time.Time, rep *HubPurgeReport) (did bool, err error) {
	var events, envelopes, proofs, conflicts int
	err = s.write(ctx, func(tx *sql.Tx) error {
		events, envelopes, proofs, conflicts, did = 0, 0, 0, 0, false
		var data []byte
		if err := tx.QueryRowContext(ctx, "SELECT data FROM hub_dossiers WHERE id = ?", id).Scan(&data); err != nil {
			return err
		}
		var cur domain.Dossier
		if err := json.Unmarshal(data, &cur); err != nil {
			return fmt.Errorf("stored projection unreadable: %w", err)
		}
		if at, ok := domain.DoneAt(&cur); !ok || !at.Before(cutoff) {
			return nil // moved since it was listed
		}
		var unprojected int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM hub_events h JOIN devices d ON d.id = h.device_id
			WHERE h.dossier = ? AND h.seq > d.projected_seq`, id).Scan(&unprojected); err != nil {
			return err
		}
		if unprojected > 0 {
			return nil
		}
		evs, err := dossierEventsIn(ctx, tx, id)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT device_id, seq FROM hub_event_redactions WHERE dossier = ?", id)
		if err != nil {
			return err
		}
		held := map[string]bool{} // events already redacted (device, seq)
		for rows.Next() {
			var dev string
			var seq int64
			if err := rows.Scan(&dev, &seq); err != nil {
				rows.Close()
				return err
			}
			held[dev+"\x00"+strconv.FormatInt(seq, 10)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := formatTime(s.Now())
		var proofNames []string
		for i := range evs {
			e := &evs[i]
			if !held[e.DeviceID+"\x00"+strconv.FormatInt(e.Seq, 10)] && e.ComputeHash() != e.Hash {
				return &Discrepancy{What: fmt.Sprintf("device %s event %d of %s does not match its hash: run hub check", e.DeviceID, e.Seq, id)}
			}
			if e.Kind == domain.KindDeliver {
				var p domain.DeliverPayload
				if json.Unmarshal(e.Payload, &p) == nil {
					proofNames = append(proofNames, p.SignatureFile, p.PhotoFile)
				}
			}
			red, changed, err := domain.RedactPayload(e.Kind, e.Payload)
			if err != nil {
				return err
			}
			if !changed || bytes.Equal(red, e.Payload) {
				continue
			}
			hash := e.Hash
			e.Payload = red
			rh := e.ComputeHash()
			if _, err := tx.ExecContext(ctx, `INSERT INTO hub_event_redactions(device_id, seq, dossier, hash, redacted_hash, purged_at)
				VALUES(?, ?, ?, ?, ?, ?) ON CONFLICT(device_id, seq) DO UPDATE SET redacted_hash = excluded.redacted_hash, purged_at = excluded.purged_at`,
				e.DeviceID, e.Seq, id, hash, rh, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE hub_events SET payload = ? WHERE device_id = ? AND seq = ?",
				[]byte(red), e.DeviceID, e.Seq); err != nil {
				return err
			}
			// A kept envelope holds the payload as its device signed it.
			res, err := tx.ExecContext(ctx, "DELETE FROM hub_envelopes WHERE device_id = ? AND first_seq <= ? AND last_seq >= ?",
				e.DeviceID, e.Seq, e.Seq)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			envelopes += int(n)
			events++
		}
		r := fold(evs)
		if r.d == nil || !r.d.PersonalDataPurged {
			return fmt.Errorf("the redacted events of %s do not replay to a purged dossier", id)
		}
		r.dirty = true
		p, err := newProjector(ctx, tx)
		if err != nil {
			return err
		}
		defer p.close()
		p.cache[id] = r
		if err := p.flush(); err != nil {
			return err
		}
		if proofs, err = deleteProofsOf(ctx, tx, id, proofNames); err != nil {
			return err
		}
		if conflicts, err = redactConflictsOf(ctx, tx, id); err != nil {
			return err
		}
		if r.d.Option == domain.OptionReturnOnly && r.d.OfficialCode != "" {
			if err := redactRegistration(ctx, tx, r.d.OfficialCode); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_purges(dossier, days, version, events, purged_at) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(dossier) DO UPDATE SET days = excluded.days, version = excluded.version,
			events = hub_purges.events + excluded.events, purged_at = excluded.purged_at`,
			id, days, r.d.Version, events, now); err != nil {
			return err
		}
		// The projector's copy of the dossier from before must not be
		// written back (the projector's transactions wait for this one).
		s.projCacheMu.Lock()
		delete(s.projCache, id)
		s.projCacheMu.Unlock()
		did = true
		return nil
	})
	if err == nil && did {
		rep.Events += events
		rep.Envelopes += envelopes
		rep.Proofs += proofs
		rep.Conflicts += conflicts
	}
	return did, err
}

// dossierEventsIn is every hub event of a dossier, by device and seq (the
// order hub check replays them in).
func dossierEventsIn(ctx context.Context, q queryer, dossier string) ([]domain.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+hubEventCols+` FROM hub_events WHERE dossier = ? AND dossier <> ''
		ORDER BY device_id, seq`, dossier)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// deleteProofsOf deletes a dossier's delivery proofs and any parts of them.
func deleteProofsOf(ctx context.Context, tx *sql.Tx, dossier string, names []string) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT name FROM hub_proofs WHERE dossier = ?", dossier)
	if err != nil {
		return 0, err
	}
	held, err := sqlitedb.Strings(rows)
	if err != nil {
		return 0, err
	}
	names = append(names, held...)
	res, err := tx.ExecContext(ctx, "DELETE FROM hub_proofs WHERE dossier = ?", dossier)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	for _, name := range names {
		if name == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM hub_proof_parts WHERE name = ?", name); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// redactConflictsOf redacts the received events of the dossier that the
// conflicts table keeps for an engineer (the JSON of a domain.Event).
func redactConflictsOf(ctx context.Context, tx *sql.Tx, dossier string) (int, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, received FROM conflicts WHERE instr(received, ?) > 0", dossier)
	if err != nil {
		return 0, err
	}
	type row struct {
		id  int64
		out []byte
	}
	var change []row
	for rows.Next() {
		var id int64
		var recv []byte
		if err := rows.Scan(&id, &recv); err != nil {
			rows.Close()
			return 0, err
		}
		var e domain.Event
		if json.Unmarshal(recv, &e) != nil || e.Dossier != dossier {
			continue
		}
		red, changed, err := domain.RedactPayload(e.Kind, e.Payload)
		if err != nil || !changed || bytes.Equal(red, e.Payload) {
			continue // unreadable: kept for the engineer as it is
		}
		e.Payload = red
		out, err := json.Marshal(&e)
		if err != nil {
			rows.Close()
			return 0, err
		}
		change = append(change, row{id, out})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range change {
		if _, err := tx.ExecContext(ctx, "UPDATE conflicts SET received = ? WHERE id = ?", c.out, c.id); err != nil {
			return 0, err
		}
	}
	return len(change), nil
}

// redactRegistration redacts the queued result-only registration of an
// official code (its payload is the dossier with the applicant's data).
func redactRegistration(ctx context.Context, tx *sql.Tx, officialCode string) error {
	dedup := dedupKey(syncproto.UpdateRegister, officialCode)
	var payload []byte
	err := tx.QueryRowContext(ctx, "SELECT payload FROM updates WHERE dedup = ?", dedup).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	red, changed, err := domain.RedactPayload(domain.KindRegisterResult, payload)
	if err != nil || !changed || bytes.Equal(red, payload) {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE updates SET payload = ? WHERE dedup = ?", []byte(red), dedup)
	return err
}

// purgedTables are the tables a purge rewrites rows of.
var purgedTables = []string{"hub_events", "hub_dossiers", "hub_envelopes", "hub_proofs", "hub_proof_parts", "conflicts", "updates"}

// vacuumAfterPurge: on SQLite the file is rebuilt (VACUUM) and the
// write-ahead log emptied, so no free page or log frame keeps the removed
// text; on PostgreSQL the purged tables are vacuumed, which makes the old
// row versions' space reusable but does not overwrite it (README Security).
func (s *Store) vacuumAfterPurge(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.pg {
		for _, t := range purgedTables {
			if _, err := s.db.ExecContext(ctx, "VACUUM "+t); err != nil {
				return fmt.Errorf("vacuum %s after the purge: %w", t, err)
			}
		}
		return nil
	}
	if _, err := s.db.ExecContext(ctx, "VACUUM"); err != nil {
		return fmt.Errorf("vacuum after the purge: %w", err)
	}
	_, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// HubPurgeEvery is how often hub serve's automatic purge runs.
const HubPurgeEvery = 24 * time.Hour

// AutoPurge runs Purge when the last automatic run is HubPurgeEvery old or
// more (ran false otherwise, and on a read-only replica).
func (s *Store) AutoPurge(ctx context.Context) (rep HubPurgeReport, ran bool, err error) {
	if s.readOnly {
		return rep, false, nil
	}
	now := s.Now()
	last, err := s.meta(ctx, metaHubLastPurge)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return rep, false, err
	}
	if t := parseTime(string(last)); err == nil && !t.IsZero() && now.Sub(t) < HubPurgeEvery {
		return rep, false, nil
	}
	if rep, err = s.Purge(ctx, false); err != nil {
		return rep, true, err
	}
	return rep, true, s.write(ctx, func(tx *sql.Tx) error { return setMeta(ctx, tx, metaHubLastPurge, formatTime(now)) })
}

// StartAutoPurge runs AutoPurge now and then every hour (it purges once a
// day) until ctx ends; logf says what it purged and what failed.
func (s *Store) StartAutoPurge(ctx context.Context, logf func(format string, a ...any)) {
	run := func() {
		rep, ran, err := s.AutoPurge(ctx)
		if logf == nil || ctx.Err() != nil {
			return
		}
		if err != nil {
			logf("hub purge: %v", err)
		} else if ran && len(rep.Dossiers)+len(rep.Waiting) > 0 {
			logf("hub purge: retention %d days: %d dossiers purged (%d events redacted, %d envelopes and %d proofs dropped), %d waiting",
				rep.Days, len(rep.Dossiers), rep.Events, rep.Envelopes, rep.Proofs, len(rep.Waiting))
		}
	}
	go func() {
		run()
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				run()
			}
		}
	}()
}

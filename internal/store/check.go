package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
)

// Discrepancy is the first thing check found wrong.
type Discrepancy = sqlitedb.Discrepancy

// Check verifies the file (SQLite integrity), every device's hash chain and
// that the projection equals a replay of the events. It names the first
// discrepancy. It reads in one snapshot and holds one dossier in memory at a time.
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	lock, err := s.Lock(ctx)
	if err != nil {
		return rep, err
	}
	if lock.Erased {
		rep.Erased = &lock
	}
	err = sqlitedb.Check(ctx, s.db, func(tx *sql.Tx) (err error) {
		if rep.Events, rep.Devices, rep.ErasedEvents, err = checkChains(ctx, tx, lock.Erased); err != nil {
			return err
		}
		if lock.Erased {
			return nil // no projection is left to compare
		}
		rep.Dossiers, err = checkProjection(ctx, tx)
		return err
	})
	return rep, err
}

// CheckReport counts what Check looked at.
type CheckReport struct {
	Events, Devices, Dossiers int
	// Erased is set on a device whose personal data was erased on the
	// province's order (erase.go): its events without a payload then are
	// checked for their order and links only (ErasedEvents of them), since
	// their content hash covers the payload that is gone.
	Erased       *LockState
	ErasedEvents int
}

// redactionsIn reads every purge event's redactions (domain.PurgePayload),
// by device and seq: a redacted event verifies through them (verifyEvent).
func redactionsIn(ctx context.Context, tx *sql.Tx, erased bool) (map[redactionKey]domain.Redaction, error) {
	evs, err := queryEventsIn(ctx, tx, "WHERE kind = ?", string(domain.KindPurge))
	if err != nil {
		return nil, err
	}
	out := map[redactionKey]domain.Redaction{}
	for _, e := range evs {
		if erased && e.Payload == nil {
			continue // erased with the rest on the province's order (erase.go)
		}
		var p domain.PurgePayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, &Discrepancy{What: fmt.Sprintf("device %s event %d: unreadable purge record: %v", e.DeviceID, e.Seq, err)}
		}
		for _, r := range p.Events {
			out[redactionKey{r.Device, r.Seq}] = r
		}
	}
	return out, nil
}

type redactionKey struct {
	device string
	seq    int64
}

// verifyEvent checks e links to prevHash and matches its hash — or, when
// its payload was redacted by a purge, that a purge record lists it
// (domain.VerifyEvent; docs/sync-protocol.md §13).
func verifyEvent(prevHash string, e *domain.Event, red map[redactionKey]domain.Redaction) error {
	_, err := domain.VerifyEvent(prevHash, e, func(device string, seq int64) (domain.Redaction, bool) {
		r, ok := red[redactionKey{device, seq}]
		return r, ok
	})
	return err
}

func checkChains(ctx context.Context, tx *sql.Tx, erased bool) (events, devices, linkOnly int, err error) {
	red, err := redactionsIn(ctx, tx, erased)
	if err != nil {
		return 0, 0, 0, err
	}
	rows, err := tx.QueryContext(ctx, "SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash FROM events ORDER BY device_id, seq")
	if err != nil {
		return 0, 0, 0, err
	}
	defer rows.Close()
	var prev domain.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return events, devices, linkOnly, err
		}
		events++
		if e.DeviceID != prev.DeviceID {
			devices++
			if e.Seq != 1 {
				return events, devices, linkOnly, &Discrepancy{What: fmt.Sprintf("device %s: the log starts at seq %d, not 1", e.DeviceID, e.Seq)}
			}
			prev = domain.Event{DeviceID: e.DeviceID}
		}
		if erased && e.Payload == nil && e.ComputeHash() != e.Hash {
			// Its payload was erased: the links still hold.
			linkOnly++
			if e.PrevHash != prev.Hash {
				return events, devices, linkOnly, &Discrepancy{What: fmt.Sprintf("device %s: seq %d: previous hash does not match", e.DeviceID, e.Seq)}
			}
		} else if err := verifyEvent(prev.Hash, &e, red); err != nil {
			return events, devices, linkOnly, &Discrepancy{What: fmt.Sprintf("device %s: %v", e.DeviceID, err)}
		}
		if prev.Seq != 0 && e.Seq != prev.Seq+1 {
			return events, devices, linkOnly, &Discrepancy{What: fmt.Sprintf("device %s: gap after seq %d", e.DeviceID, prev.Seq)}
		}
		prev = e
	}
	return events, devices, linkOnly, rows.Err()
}

// checkProjection replays each dossier's events in the order they were
// applied and compares the result with the stored row, column by column.
func checkProjection(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash
		FROM events WHERE dossier <> '' ORDER BY dossier, rowid`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	stored, err := tx.PrepareContext(ctx, "SELECT "+projectionColumns+" FROM dossiers WHERE id = ?")
	if err != nil {
		return 0, err
	}
	defer stored.Close()
	var evs []domain.Event
	var curID string
	n := 0
	compare := func() error {
		// The events of every device of the post point, under the ordering
		// rule (domain/order.go); a device's own log alone replays in seq order.
		cur := domain.Project(evs)
		evs = evs[:0]
		if cur == nil {
			return nil
		}
		n++
		return compareStored(ctx, stored, cur)
	}
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return n, err
		}
		if e.Dossier != curID {
			if err := compare(); err != nil {
				return n, err
			}
			curID = e.Dossier
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	if err := compare(); err != nil {
		return n, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM dossiers").Scan(&total); err != nil {
		return n, err
	}
	if total != n {
		var orphan string
		tx.QueryRowContext(ctx, "SELECT id FROM dossiers WHERE id NOT IN (SELECT dossier FROM events) LIMIT 1").Scan(&orphan)
		return n, &Discrepancy{What: fmt.Sprintf("%d dossiers stored but %d have events (e.g. %s has none)", total, n, orphan)}
	}
	return n, nil
}

const projectionColumns = `id, state, option, procedure_code, agency_code, applicant_name, name_fold, citizen_id,
	phone, commune, official_code, item_code, received_at, due_date, updated_at, device_id, data, name_keys, in_conflict`

var projectionNames = strings.Fields(strings.ReplaceAll(projectionColumns, ",", " "))

func compareStored(ctx context.Context, stmt *sql.Stmt, d *domain.Dossier) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	want := projectionRow(d, data)
	got := make([]any, len(want))
	ptrs := make([]any, len(want))
	for i := range got {
		ptrs[i] = &got[i]
	}
	if err := stmt.QueryRowContext(ctx, d.ID).Scan(ptrs...); err == sql.ErrNoRows {
		return &Discrepancy{What: fmt.Sprintf("dossier %s: has events but no stored projection", d.ID)}
	} else if err != nil {
		return err
	}
	for i := range want {
		if !sameValue(got[i], want[i]) {
			return &Discrepancy{What: fmt.Sprintf("dossier %s: stored %s differs from the replay of its events", d.ID, projectionNames[i])}
		}
	}
	return nil
}

func sameValue(got, want any) bool {
	switch w := want.(type) {
	case []byte:
		switch g := got.(type) {
		case []byte:
			return bytes.Equal(g, w)
		case string:
			return g == string(w)
		}
		return false
	case string:
		switch g := got.(type) {
		case string:
			return g == w
		case []byte:
			return string(g) == w
		}
		return false
	}
	return fmt.Sprint(got) == fmt.Sprint(want)
}

package hubstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"postdesk/internal/domain"
	"postdesk/internal/sqlitedb"
)

// CheckReport counts what Check looked at.
type CheckReport struct {
	Devices     int `json:"devices"`
	Events      int `json:"events"`
	Dossiers    int `json:"dossiers"`
	Conflicts   int `json:"conflicts"`    // kept for an engineer (not a defect of the store)
	ApplyErrors int `json:"apply_errors"` // dossiers with an event the hub could not apply
	Proofs      int `json:"proofs"`       // delivery proof files, each matching its SHA-256
	// Redacted counts the events whose payload the hub's retention
	// redacted (purge.go), each verified by its recorded redacted hash.
	Redacted int `json:"redacted"`
	// Digest is the SHA-256 of every device's chain head (id, seq, hash, in
	// id order): two hubs with the same digest hold the same events, as
	// each head's hash covers its whole chain (hub migrate's check compares it).
	Digest string `json:"digest"`
}

// Discrepancy is the first thing Check found wrong.
type Discrepancy = sqlitedb.Discrepancy

// Check verifies the hub file: SQLite integrity; every device's events
// numbered 1..head without a hole, each hash recomputed and linked
// (domain.VerifyChain), the head recorded on the device equal to the last
// event; and hub_dossiers equal to a replay of the events projected so far
// (devices.projected_seq; the projector follows the ingest by a moment).
// It names the first discrepancy. It reads in one snapshot.
func (s *Store) Check(ctx context.Context) (CheckReport, error) {
	var rep CheckReport
	err := s.check(ctx, func(tx *sql.Tx) error {
		devs, err := devicesIn(ctx, tx)
		if err != nil {
			return err
		}
		rep.Devices = len(devs)
		heads := sha256.New()
		for _, d := range devs {
			fmt.Fprintf(heads, "%s\x00%d\x00%s\n", d.ID, d.HeadSeq, d.HeadHash)
		}
		rep.Digest = hex.EncodeToString(heads.Sum(nil))
		replay := map[string]*projected{}
		for _, d := range devs {
			n, err := checkDevice(ctx, tx, d, replay, &rep.Redacted)
			if err != nil {
				return err
			}
			rep.Events += n
		}
		for id, r := range replay { // the ordering rule over every device's projected events
			replay[id] = fold(r.events)
		}
		var orphans int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM hub_events WHERE device_id NOT IN (SELECT id FROM devices)").Scan(&orphans); err != nil {
			return err
		}
		if orphans > 0 {
			return &Discrepancy{What: fmt.Sprintf("%d events belong to no enrolled device", orphans)}
		}
		if rep.Dossiers, rep.ApplyErrors, err = compareProjection(ctx, tx, replay); err != nil {
			return err
		}
		n, bad, err := checkProofs(ctx, tx)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			return &Discrepancy{What: fmt.Sprintf("%d proof files do not match their SHA-256 or are not age files, the first %s", len(bad), bad[0])}
		}
		rep.Proofs = n
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM conflicts").Scan(&rep.Conflicts)
	})
	return rep, err
}

func devicesIn(ctx context.Context, q queryer) ([]*Device, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+deviceCols+" FROM devices ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// checkDevice walks one device's chain in pages and replays its events.
// Events the hub's retention redacted verify through hub_event_redactions
// (counted in redacted).
func checkDevice(ctx context.Context, tx *sql.Tx, d *Device, replay map[string]*projected, redacted *int) (int, error) {
	const page = 5000
	prev, next, n := "", int64(1), 0
	p := &projector{cache: replay}
	for {
		events, err := hubEvents(ctx, tx, d.ID, next-1, page)
		if err != nil {
			return n, err
		}
		if len(events) == 0 {
			break
		}
		if events[0].Seq != next {
			return n, &Discrepancy{What: fmt.Sprintf("device %s: event %d is missing (the next stored is %d)", d.ID, next, events[0].Seq)}
		}
		red, err := redactionsIn(ctx, tx, d.ID, events[0].Seq, events[len(events)-1].Seq)
		if err != nil {
			return n, err
		}
		nred, err := domain.VerifyChainRedacted(prev, events, func(_ string, seq int64) (domain.Redaction, bool) {
			r, ok := red[seq]
			return r, ok
		})
		if err != nil {
			return n, &Discrepancy{What: fmt.Sprintf("device %s: %v", d.ID, err)}
		}
		if nred > 0 {
			if err := checkRedacted(d.ID, events, red); err != nil {
				return n, err
			}
		}
		*redacted += nred
		if err := checkPurgeRecords(ctx, tx, d.ID, events); err != nil {
			return n, err
		}
		for i := range events {
			if events[i].Seq > d.ProjectedSeq {
				break // not projected yet (the projector runs after the ingest)
			}
			if err := p.apply(&events[i]); err != nil {
				return n, err
			}
		}
		n += len(events)
		last := events[len(events)-1]
		prev, next = last.Hash, last.Seq+1
	}
	if int64(n) != d.HeadSeq || prev != d.HeadHash {
		return n, &Discrepancy{What: fmt.Sprintf("device %s: the recorded head (seq %d) is not the last stored event (seq %d)", d.ID, d.HeadSeq, n)}
	}
	if d.ProjectedSeq > d.HeadSeq || d.ProjectedSeq < 0 {
		return n, &Discrepancy{What: fmt.Sprintf("device %s: projected through seq %d beyond its head %d", d.ID, d.ProjectedSeq, d.HeadSeq)}
	}
	return n, nil
}

// chunkBytes bounds the payload bytes one hubEvents call holds (at least
// one event is read), so a run of large events does not load as a whole.
const chunkBytes = 16 << 20

// hubEvents reads up to limit events of a device after seq, in order, and
// fewer once chunkBytes of payload are read: callers go on after the last.
func hubEvents(ctx context.Context, q queryer, device string, after int64, limit int) ([]domain.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+hubEventCols+` FROM hub_events
		WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?`, device, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []domain.Event
	held := 0
	for held < chunkBytes && rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		held += len(e.Payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// hubEventCols are the hub_events columns scanEvent reads, in its order.
const hubEventCols = "device_id, seq, kind, dossier, staff, at, payload, prev_hash, hash"

// scanEvent reads one hub_events row of hubEventCols.
func scanEvent(rows *sql.Rows) (domain.Event, error) {
	var e domain.Event
	var kind, at string
	var payload []byte
	if err := rows.Scan(&e.DeviceID, &e.Seq, &kind, &e.Dossier, &e.Staff, &at, &payload, &e.PrevHash, &e.Hash); err != nil {
		return e, err
	}
	e.Kind, e.At = domain.Kind(kind), parseTime(at)
	if len(payload) > 0 {
		e.Payload = json.RawMessage(payload)
	}
	return e, nil
}

func compareProjection(ctx context.Context, tx *sql.Tx, replay map[string]*projected) (dossiers, applyErrors int, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, post_point_code, device_id, option, state, procedure_code, procedure_name,
		agency_code, official_code, received_at, expected_date, handed_over_at, due_date, result_ready_at, result_at_post_at,
		delivered_at, closed_at, fee, postage, updated_at, version, last_seq, apply_error, sent, item_code, data, in_conflict FROM hub_dossiers ORDER BY id`)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id, pp, dev, opt, state, pc, pn, ac, oc, recv, exp, ho, due, rr, rap, dlv, closed, upd, aerr, item string
		var fee, postage, sent, inConflict int64
		var version int
		var lastSeq int64
		var data []byte
		if err := rows.Scan(&id, &pp, &dev, &opt, &state, &pc, &pn, &ac, &oc, &recv, &exp, &ho, &due, &rr, &rap, &dlv, &closed,
			&fee, &postage, &upd, &version, &lastSeq, &aerr, &sent, &item, &data, &inConflict); err != nil {
			return 0, 0, err
		}
		stored := []any{id, pp, dev, opt, state, pc, pn, ac, oc, recv, exp, ho, due, rr, rap, dlv, closed, fee, postage, upd, version, lastSeq, aerr, sent, item, data, inConflict}
		r, ok := replay[id]
		if !ok || r.d == nil {
			return 0, 0, &Discrepancy{What: fmt.Sprintf("dossier %s is in hub_dossiers but no event creates it", id)}
		}
		want, err := json.Marshal(r.d)
		if err != nil {
			return 0, 0, err
		}
		if !reflect.DeepEqual(stored, projectionRow(r, want)) {
			return 0, 0, &Discrepancy{What: fmt.Sprintf("dossier %s: hub_dossiers differs from a replay of its events", id)}
		}
		if aerr != "" {
			applyErrors++
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return 0, 0, err
	}
	made := 0
	for _, r := range replay {
		if r.d != nil {
			made++
		}
	}
	if made != seen {
		return 0, 0, &Discrepancy{What: fmt.Sprintf("the events make %d dossiers but hub_dossiers holds %d", made, seen)}
	}
	return seen, applyErrors, nil
}

// redactionsIn reads the hub's redactions of a device's events from..to, by seq.
func redactionsIn(ctx context.Context, q queryer, device string, from, to int64) (map[int64]domain.Redaction, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, hash, redacted_hash FROM hub_event_redactions
		WHERE device_id = ? AND seq BETWEEN ? AND ?`, device, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]domain.Redaction{}
	for rows.Next() {
		r := domain.Redaction{Device: device}
		if err := rows.Scan(&r.Seq, &r.Hash, &r.Redacted); err != nil {
			return nil, err
		}
		out[r.Seq] = r
	}
	return out, rows.Err()
}

// checkRedacted: a redacted event's payload holds no personal data any
// more (redacting it again changes nothing).
func checkRedacted(device string, events []domain.Event, red map[int64]domain.Redaction) error {
	for i := range events {
		e := &events[i]
		if _, ok := red[e.Seq]; !ok || e.ComputeHash() == e.Hash {
			continue
		}
		again, _, err := domain.RedactPayload(e.Kind, e.Payload)
		if err != nil || !bytes.Equal(again, e.Payload) {
			return &Discrepancy{What: fmt.Sprintf("device %s: event %d is recorded as redacted but its payload still holds personal data", device, e.Seq)}
		}
	}
	return nil
}

// checkPurgeRecords: where a device's own purge record (an event of its
// chain, domain.PurgePayload) lists an event that the hub redacted too,
// both must name the same hash as written and the same redacted hash — the
// redaction is deterministic — so a redacted payload changed at the hub
// together with its record in hub_event_redactions does not pass unseen.
func checkPurgeRecords(ctx context.Context, tx *sql.Tx, device string, events []domain.Event) error {
	type key struct {
		device string
		seq    int64
	}
	listed := map[key]domain.Redaction{}
	var dossiers []any
	for i := range events {
		e := &events[i]
		if e.Kind != domain.KindPurge {
			continue
		}
		var p domain.PurgePayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return &Discrepancy{What: fmt.Sprintf("device %s: event %d: unreadable purge record: %v", device, e.Seq, err)}
		}
		dossiers = append(dossiers, p.Dossier)
		for _, r := range p.Events {
			listed[key{r.Device, r.Seq}] = r
		}
	}
	const chunk = 500
	for len(dossiers) > 0 {
		part := dossiers[:min(chunk, len(dossiers))]
		dossiers = dossiers[len(part):]
		rows, err := tx.QueryContext(ctx, `SELECT device_id, seq, hash, redacted_hash FROM hub_event_redactions WHERE dossier IN (?`+
			strings.Repeat(", ?", len(part)-1)+`)`, part...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h domain.Redaction
			if err := rows.Scan(&h.Device, &h.Seq, &h.Hash, &h.Redacted); err != nil {
				rows.Close()
				return err
			}
			if r, ok := listed[key{h.Device, h.Seq}]; ok && (r.Hash != h.Hash || r.Redacted != h.Redacted) {
				rows.Close()
				return &Discrepancy{What: fmt.Sprintf("device %s event %d: the hub's redaction differs from device %s's purge record of it", h.Device, h.Seq, device)}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

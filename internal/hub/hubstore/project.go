package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"postdesk/internal/domain"
)

// projected is one row of hub_dossiers while a batch is applied.
type projected struct {
	d        *domain.Dossier
	closedAt string
	lastSeq  int64
	applyErr string
	// sent: the dossier was handed to the agency at least once (column
	// sent, migration 003); a supplement request clears HandedOverAt, not this.
	sent  bool
	dirty bool
	// The greatest (at, device) of its events projected (latestKnown once
	// read); replay: built again from its events at flush; events: a
	// replay's (hub check) events, folded at the end.
	maxAt       time.Time
	maxDev      string
	latestKnown bool
	replay      bool
	events      []domain.Event
	// lastKind and lastAt: the last event applied, for the feed's change
	// after a rebuild.
	lastKind domain.Kind
	lastAt   time.Time
}

// projector keeps the dossiers a batch touches in memory and writes each
// once at the end, inside the batch's transaction.
type projector struct {
	ctx   context.Context
	tx    *sql.Tx
	cache map[string]*projected
	// keep, when set, holds dossiers projected by earlier transactions of
	// this process (see Store.projCache); a row is taken from it only when
	// its version and last seq still match the table.
	keep  map[string]*projected
	get   *sql.Stmt
	check *sql.Stmt
	put   *rowWriter // hub_dossiers' upserts, dossiersPerUpsert rows a statement
	last  *sql.Stmt  // latest's query
	// applyErrors counts events stored but not applied (see apply).
	applyErrors int
	replays     []string // dossiers to build again at flush (rebuild)
	// changes are the events applied, for the one-stop feed (onestop.go);
	// only a projector that writes (put set) keeps them.
	changes []change
}

func newProjector(ctx context.Context, tx *sql.Tx) (*projector, error) {
	p := &projector{ctx: ctx, tx: tx, cache: map[string]*projected{}}
	var err error
	if p.get, err = tx.PrepareContext(ctx, "SELECT data, closed_at, last_seq, apply_error, sent FROM hub_dossiers WHERE id = ?"); err != nil {
		return nil, err
	}
	// A copy kept from before a purge (this process's or another's, purge.go)
	// is never reused: a purged dossier is read again.
	if p.check, err = tx.PrepareContext(ctx, `SELECT d.version, d.last_seq, CASE WHEN p.dossier IS NULL THEN 0 ELSE 1 END
		FROM hub_dossiers d LEFT JOIN hub_purges p ON p.dossier = d.id WHERE d.id = ?`); err != nil {
		p.get.Close()
		return nil, err
	}
	// latest runs once for each dossier a batch touches: prepared once, not
	// parsed again for every dossier (it was a tenth of a push's CPU).
	if p.last, err = tx.PrepareContext(ctx, `SELECT h.at, h.device_id FROM hub_events h JOIN devices d ON d.id = h.device_id
		WHERE h.dossier = ? AND h.dossier <> '' AND ((h.device_id <> ? AND h.seq <= d.projected_seq) OR (h.device_id = ? AND h.seq < ?))
		ORDER BY h.at DESC, h.device_id DESC LIMIT 1`); err != nil {
		p.get.Close()
		p.check.Close()
		return nil, err
	}
	p.put = newRowWriter(ctx, tx, dossierInsert, dossierUpsert, dossierCols, dossiersPerUpsert)
	return p, nil
}

// The upsert of hub_dossiers' rows, several a statement (rowWriter): the
// count triggers still run for each row.
const (
	dossierInsert = `INSERT INTO hub_dossiers(id, post_point_code, device_id, option, state,
		procedure_code, procedure_name, agency_code, official_code, received_at, expected_date, handed_over_at, due_date,
		result_ready_at, result_at_post_at, delivered_at, closed_at, fee, postage, updated_at, version, last_seq, apply_error, sent, item_code, data, in_conflict)
		VALUES`
	dossierUpsert = `ON CONFLICT(id) DO UPDATE SET post_point_code = excluded.post_point_code, device_id = excluded.device_id,
		option = excluded.option, state = excluded.state, procedure_code = excluded.procedure_code,
		procedure_name = excluded.procedure_name, agency_code = excluded.agency_code, official_code = excluded.official_code,
		received_at = excluded.received_at, expected_date = excluded.expected_date, handed_over_at = excluded.handed_over_at,
		due_date = excluded.due_date, result_ready_at = excluded.result_ready_at, result_at_post_at = excluded.result_at_post_at,
		delivered_at = excluded.delivered_at, closed_at = excluded.closed_at, fee = excluded.fee, postage = excluded.postage,
		updated_at = excluded.updated_at, version = excluded.version, last_seq = excluded.last_seq,
		apply_error = excluded.apply_error, sent = excluded.sent, item_code = excluded.item_code, data = excluded.data, in_conflict = excluded.in_conflict`
	dossierCols       = 27
	dossiersPerUpsert = 64
)

func (p *projector) close() {
	p.get.Close()
	p.check.Close()
	p.last.Close()
	p.put.close()
}

// prefetchBatch bounds the dossiers one prefetch statement names.
const prefetchBatch = 512

// prefetch loads the dossiers of a chunk of one device's events, and the
// greatest (at, device) of each one's projected events before the chunk
// (what latest gives for its first event in the chunk), in two statements
// per prefetchBatch dossiers instead of two or three per dossier: on
// PostgreSQL each statement is a round trip. What apply then asks of load
// and latest is answered from the cache, with the same values.
func (p *projector) prefetch(events []domain.Event) error {
	if p.get == nil || len(events) == 0 {
		return nil
	}
	device := events[0].DeviceID
	first := map[string]int64{} // dossier → seq of its first event in the chunk
	var ids []any
	for i := range events {
		e := &events[i]
		if e.Dossier == "" || e.DeviceID != device {
			continue
		}
		if _, ok := first[e.Dossier]; ok {
			continue
		}
		if _, ok := p.cache[e.Dossier]; ok {
			continue
		}
		first[e.Dossier] = e.Seq
		ids = append(ids, e.Dossier)
	}
	for len(ids) > 0 {
		n := min(len(ids), prefetchBatch)
		if err := p.prefetchSome(device, ids[:n], first); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func (p *projector) prefetchSome(device string, ids []any, first map[string]int64) error {
	list, args := inList(ids)
	rows, err := p.tx.QueryContext(p.ctx, `SELECT d.id, d.version, d.last_seq, d.data, d.closed_at, d.apply_error, d.sent,
		CASE WHEN p.dossier IS NULL THEN 0 ELSE 1 END
		FROM hub_dossiers d LEFT JOIN hub_purges p ON p.dossier = d.id WHERE d.id IN (`+list+")", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	got := map[string]*projected{}
	for rows.Next() {
		var id string
		var version int
		var purged int64
		var data []byte
		r := &projected{}
		if err := rows.Scan(&id, &version, &r.lastSeq, &data, &r.closedAt, &r.applyErr, &r.sent, &purged); err != nil {
			return err
		}
		if _, dup := got[id]; dup {
			continue
		}
		if k, ok := p.keep[id]; ok && k.d != nil && version == k.d.Version && r.lastSeq == k.lastSeq && (purged == 0 || k.d.PersonalDataPurged) {
			// Decoding the stored JSON is the dearest part of a load:
			// reuse this process's copy when the row is still the one it
			// wrote (never one from before a purge, as load).
			c := *k
			c.latestKnown, c.replay, c.events = false, false, nil // another device may have projected since
			got[id] = &c
			continue
		}
		var d domain.Dossier
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("hub dossier %s: stored projection unreadable: %w", id, err)
		}
		r.d = &d
		got[id] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	var bound int64
	for _, id := range ids {
		bound = max(bound, first[id.(string)])
		if _, ok := got[id.(string)]; !ok {
			got[id.(string)] = &projected{} // no dossier yet (r.d nil)
		}
	}
	// latest's rule for all of them at once: the device's own events are
	// read up to the greatest first seq, and each dossier's filtered to
	// those before its own first event here.
	rows, err = p.tx.QueryContext(p.ctx, `SELECT h.dossier, h.at, h.device_id, h.seq FROM hub_events h JOIN devices d ON d.id = h.device_id
		WHERE h.dossier IN (`+list+`) AND h.dossier <> '' AND ((h.device_id <> ? AND h.seq <= d.projected_seq) OR (h.device_id = ? AND h.seq < ?))`,
		append(args, device, device, bound)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	maxAt := map[string][2]string{}
	for rows.Next() {
		var dossier, at, dev string
		var seq int64
		if err := rows.Scan(&dossier, &at, &dev, &seq); err != nil {
			return err
		}
		if dev == device && seq >= first[dossier] {
			continue
		}
		// (at, device) as latest orders them: the times are fixed-width
		// UTC text (domain.TimeLayout), so text order is time order.
		if m, ok := maxAt[dossier]; !ok || at > m[0] || (at == m[0] && dev > m[1]) {
			maxAt[dossier] = [2]string{at, dev}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for id, r := range got {
		if m, ok := maxAt[id]; ok {
			r.maxAt, r.maxDev = parseTime(m[0]), m[1]
		}
		r.latestKnown = true
		p.cache[id] = r
	}
	return nil
}

func (p *projector) load(id string) (*projected, error) {
	if r, ok := p.cache[id]; ok {
		return r, nil
	}
	var data []byte
	r := &projected{}
	if p.get == nil { // a replay (hub check): what is not in the cache does not exist yet
		p.cache[id] = r
		return r, nil
	}
	if k, ok := p.keep[id]; ok && k.d != nil {
		// Decoding the stored JSON is the dearest part of a load: reuse
		// this process's copy when the row is still the one it wrote.
		var version int
		var lastSeq, purged int64
		err := p.check.QueryRowContext(p.ctx, id).Scan(&version, &lastSeq, &purged)
		if err == nil && version == k.d.Version && lastSeq == k.lastSeq && (purged == 0 || k.d.PersonalDataPurged) {
			c := *k
			c.latestKnown, c.replay, c.events = false, false, nil // another device may have projected since
			p.cache[id] = &c
			return &c, nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	err := p.get.QueryRowContext(p.ctx, id).Scan(&data, &r.closedAt, &r.lastSeq, &r.applyErr, &r.sent)
	if errors.Is(err, sql.ErrNoRows) {
		p.cache[id] = r // no dossier yet (r.d nil)
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	var d domain.Dossier
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("hub dossier %s: stored projection unreadable: %w", id, err)
	}
	r.d = &d
	p.cache[id] = r
	return r, nil
}

// terminal states close a dossier; closed_at is when it reached one.
func terminal(s domain.State) bool {
	return s == domain.StateDelivered || s == domain.StateReturnedToAgency || s == domain.StateCancelled
}

// apply moves a dossier with one stored event. The event is authentic (its
// device signed it and applied it itself), so an event the hub cannot apply
// is never refused or dropped: under the ordering rule (domain/order.go) it
// is kept as one of the dossier's conflicts, the row records the error for
// an engineer, and `hub check` lists it. The dossier is always the rule's
// fold of the events projected so far (devices.projected_seq, and the
// current device's events before e): an event that comes last is applied to
// it; otherwise the dossier is built again from those events at flush.
func (p *projector) apply(e *domain.Event) error {
	if e.Dossier == "" {
		return nil
	}
	r, err := p.load(e.Dossier)
	if err != nil {
		return err
	}
	if p.get == nil { // a replay (hub check): collect, fold at the end
		r.events = append(r.events, *e)
		return nil
	}
	if r.replay {
		return nil
	}
	if !r.latestKnown {
		if r.maxAt, r.maxDev, err = p.latest(e); err != nil {
			return err
		}
		r.latestKnown = true
	}
	if !domain.Incremental(r.d, e, r.maxAt, r.maxDev) {
		r.replay, r.dirty = true, true
		p.replays = append(p.replays, e.Dossier)
		return nil
	}
	next, refused := domain.Step(r.d, e)
	r.step(e, r.d, next, refused)
	if refused != nil {
		p.applyErrors++
	} else if next != nil && p.put != nil {
		p.changes = append(p.changes, change{dossier: next.ID, version: next.Version, state: next.State, event: e.Kind, at: e.At})
	}
	r.maxAt, r.maxDev = e.At, e.DeviceID
	return nil
}

// step records what one event did to the row (the live projection and a
// replay share it, so they agree).
func (r *projected) step(e *domain.Event, before, next *domain.Dossier, refused error) {
	if next == nil {
		return
	}
	r.dirty = true
	if refused != nil {
		r.d, r.applyErr = next, fmt.Sprintf("%s seq %d: %v", e.DeviceID, e.Seq, refused)
		return
	}
	if next.PostPointCode == "" {
		if dev, err := ParseDeviceID(e.DeviceID); err == nil {
			next.PostPointCode = dev.PostPointCode
		}
	}
	if terminal(next.State) && (before == nil || !terminal(before.State)) {
		r.closedAt = formatTime(e.At)
	} else if !terminal(next.State) {
		r.closedAt = ""
	}
	if e.Kind == domain.KindHandover {
		r.sent = true
	}
	r.d, r.lastSeq, r.lastKind, r.lastAt = next, e.Seq, e.Kind, e.At
}

// fold builds a row from a dossier's events under the ordering rule.
func fold(events []domain.Event) *projected {
	r := &projected{}
	r.d = domain.ProjectEach(events, func(e *domain.Event, before, after *domain.Dossier, refused error) {
		r.step(e, before, after, refused)
	})
	return r
}

// latest is the greatest (at, device) of the projected events of e's
// dossier other than e and the events of its device from e on.
func (p *projector) latest(e *domain.Event) (time.Time, string, error) {
	var at, dev string
	err := p.last.QueryRowContext(p.ctx, e.Dossier, e.DeviceID, e.DeviceID, e.Seq).Scan(&at, &dev)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, "", nil
	}
	return parseTime(at), dev, err
}

// rebuild folds the dossiers marked for it from their projected events
// (those of the device being projected through seq through).
func (p *projector) rebuild(device string, through int64) error {
	for _, id := range p.replays {
		events, err := projectedEvents(p.ctx, p.tx, id, device, through)
		if err != nil {
			return err
		}
		r := fold(events)
		r.dirty = true
		p.cache[id] = r
		if r.d != nil && p.put != nil { // a late event moved the dossier: one change for the feed
			p.changes = append(p.changes, change{dossier: id, version: r.d.Version, state: r.d.State, event: r.lastKind, at: r.lastAt})
		}
	}
	p.replays = nil
	return nil
}

// projectedEvents reads a dossier's projected events: every device's up to
// its projected_seq, device's up to through.
func projectedEvents(ctx context.Context, q queryer, dossier, device string, through int64) ([]domain.Event, error) {
	rows, err := q.QueryContext(ctx, `SELECT h.device_id, h.seq, h.kind, h.dossier, h.staff, h.at, h.payload, h.prev_hash, h.hash
		FROM hub_events h JOIN devices d ON d.id = h.device_id
		WHERE h.dossier = ? AND h.dossier <> '' AND ((h.device_id <> ? AND h.seq <= d.projected_seq) OR (h.device_id = ? AND h.seq <= ?))`,
		dossier, device, device, through)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

func (p *projector) flush() error {
	for _, r := range p.cache {
		if !r.dirty || r.d == nil {
			continue
		}
		data, err := json.Marshal(r.d)
		if err != nil {
			return err
		}
		if err := p.put.add(projectionRow(r, data)...); err != nil {
			return err
		}
		r.dirty = false
	}
	if err := p.put.flush(); err != nil {
		return err
	}
	return writeChanges(p.ctx, p.tx, p.changes)
}

// maxProjCache bounds the dossiers kept between projection transactions.
const maxProjCache = 50000

// projCacheLoad gives the projector the dossiers kept from earlier chunks.
func (s *Store) projCacheLoad() map[string]*projected {
	s.projCacheMu.Lock()
	defer s.projCacheMu.Unlock()
	if s.projCache == nil {
		s.projCache = map[string]*projected{}
	}
	return s.projCache
}

// projCacheKeep keeps what a committed chunk wrote; a failed chunk drops
// everything (its rows were rolled back).
func (s *Store) projCacheKeep(written map[string]*projected, ok bool) {
	s.projCacheMu.Lock()
	defer s.projCacheMu.Unlock()
	if !ok || s.projCache == nil || len(s.projCache)+len(written) > maxProjCache {
		s.projCache = map[string]*projected{}
		if !ok {
			return
		}
	}
	for id, r := range written {
		if r.d != nil {
			s.projCache[id] = r
		}
	}
}

// projectionRow is the column tuple of hub_dossiers, in put's order; the
// hub check compares a replay with the stored row through this one function.
func projectionRow(r *projected, data []byte) []any {
	d := r.d
	delivered := ""
	if d.Delivery != nil {
		delivered = formatTime(d.Delivery.At)
	}
	return []any{d.ID, d.PostPointCode, d.DeviceID, string(d.Option), string(d.State),
		d.ProcedureCode, d.ProcedureName, d.AgencyCode, d.OfficialCode, formatTime(d.ReceivedAt),
		timePtrText(d.ExpectedDate), timePtrText(d.HandedOverAt), timePtrText(d.DueDate),
		timePtrText(d.ResultReadyAt), timePtrText(d.ResultAtPostAt), delivered, r.closedAt,
		int64(d.Fee), int64(d.Postage), formatTime(d.UpdatedAt), d.Version, r.lastSeq, r.applyErr, boolInt(r.sent), d.ItemCode, data,
		boolInt(d.InConflict())}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// The projection runs after the ingest, not inside it: a batch is acked as
// soon as its events are stored, and hub_dossiers follows a moment later.
// Each device's projected_seq (in the same transaction as the rows it
// produced) says how far its events are applied, so a restart resumes
// where it stopped and nothing is applied twice.

// projectChunk bounds one projection transaction (the write lock is shared
// with ingests).
const projectChunk = 5000

// StartProjector projects in the background until ctx ends: ingests then
// only wake it. Without it (the command line, tests) every ingest projects
// before returning.
func (s *Store) StartProjector(ctx context.Context, logf func(format string, a ...any)) {
	s.projMu.Lock()
	if s.projWake != nil {
		s.projMu.Unlock()
		return
	}
	wake := make(chan struct{}, 1)
	s.projWake = wake
	s.projMu.Unlock()
	wake <- struct{}{} // catch up with what a previous run left
	go func() {
		defer func() {
			s.projMu.Lock()
			s.projWake = nil
			s.projMu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
			if err := s.Project(ctx); err != nil && ctx.Err() == nil && logf != nil {
				logf("projection: %v", err)
			}
		}
	}()
}

// projectSoon wakes the background projector, or projects now when none runs.
func (s *Store) projectSoon(ctx context.Context) {
	s.projMu.Lock()
	wake := s.projWake
	s.projMu.Unlock()
	if wake == nil {
		// The events are stored and acked whatever happens here; a failed
		// projection is retried by the next ingest, Project or hub check.
		_ = s.Project(context.WithoutCancel(ctx))
		return
	}
	select {
	case wake <- struct{}{}:
	default: // already woken
	}
}

// Project applies every stored event not yet in hub_dossiers.
func (s *Store) Project(ctx context.Context) error {
	for {
		rows, err := s.db.QueryContext(ctx, "SELECT id FROM devices WHERE projected_seq < head_seq ORDER BY id")
		if err != nil {
			return err
		}
		var behind []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			behind = append(behind, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(behind) == 0 {
			return nil
		}
		for _, id := range behind {
			if err := s.projectDevice(ctx, id); err != nil {
				return err
			}
		}
	}
}

// projectDevice applies the next chunk of a device's events.
func (s *Store) projectDevice(ctx context.Context, device string) error {
	var written map[string]*projected
	projectedN := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		var from, head int64
		if err := tx.QueryRowContext(ctx, "SELECT projected_seq, head_seq FROM devices WHERE id = ?", device).Scan(&from, &head); err != nil {
			return err
		}
		if from >= head {
			return nil
		}
		events, err := hubEvents(ctx, tx, device, from, projectChunk)
		if err != nil {
			return err
		}
		if len(events) == 0 || events[0].Seq != from+1 {
			return fmt.Errorf("projection of %s: event %d is not stored", device, from+1)
		}
		p, err := newProjector(ctx, tx)
		if err != nil {
			return err
		}
		defer p.close()
		p.keep = s.projCacheLoad()
		if err := p.prefetch(events); err != nil {
			return err
		}
		for i := range events {
			if err := p.apply(&events[i]); err != nil {
				return err
			}
			if events[i].Kind == domain.KindTotalsShared {
				if err := s.applyDeviceTotals(ctx, tx, &events[i]); err != nil {
					return err
				}
			}
		}
		if err := p.rebuild(device, events[len(events)-1].Seq); err != nil {
			return err
		}
		if err := p.flush(); err != nil {
			return err
		}
		written, projectedN = p.cache, len(events)
		_, err = tx.ExecContext(ctx, "UPDATE devices SET projected_seq = ? WHERE id = ?", events[len(events)-1].Seq, device)
		return err
	})
	s.projCacheKeep(written, err == nil)
	if err == nil {
		s.noteProjected(ctx, projectedN)
	}
	return err
}

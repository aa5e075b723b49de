package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"postdesk/internal/domain"
)

// What the post point shares among its devices (docs/sync-protocol.md
// §11.5): staff accounts, its own catalog edits and the all-channel totals
// are events like any other, and each device applies the other devices'
// ones. A shared item keeps, in shared_marks, the mark of the change that
// set it here; a change applies only when its mark is later, so every device
// ends with the same items whatever order the changes arrive in.

// mark orders the changes of one shared item: the province catalog version
// the change was made on, then (at, device). The hub's catalog push has no
// (at, device): a post point's own edit made on top of province version V
// beats V, and V+1 beats that edit.
type mark struct {
	hub    int
	at     string // formatTime
	device string
}

func (m mark) after(o mark) bool {
	if m.hub != o.hub {
		return m.hub > o.hub
	}
	if m.at != o.at {
		return m.at > o.at
	}
	return m.device > o.device
}

func eventMark(e *domain.Event, hub int) mark {
	return mark{hub: hub, at: formatTime(e.At), device: e.DeviceID}
}

// claim records m as the mark of (what, key) when it is later than the one
// held, and reports whether it won: only then does the change apply.
func claim(ctx context.Context, tx *sql.Tx, what, key string, m mark) (bool, error) {
	if m == (mark{}) {
		return true, nil // a change before the first-start setup: no mark, any later change wins
	}
	var held mark
	err := tx.QueryRowContext(ctx, "SELECT hub_version, at, device FROM shared_marks WHERE what = ? AND key = ?", what, key).
		Scan(&held.hub, &held.at, &held.device)
	if err == nil && !m.after(held) {
		return false, nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO shared_marks(what, key, hub_version, at, device) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(what, key) DO UPDATE SET hub_version = excluded.hub_version, at = excluded.at, device = excluded.device`,
		what, key, m.hub, m.at, m.device)
	return err == nil, err
}

// sharedAt is the moment a local change of shared items is recorded at:
// now, or just after the latest change held here when this PC's clock is
// behind it (domain.CausalTime), so a change made here wins over every
// change it has seen, on every device.
func (s *Store) sharedAt(ctx context.Context, tx *sql.Tx) (time.Time, error) {
	now := s.Now().UTC().Round(0)
	var latest sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT max(at) FROM shared_marks WHERE at <> ''").Scan(&latest); err != nil {
		return now, err
	}
	if !latest.Valid {
		return now, nil
	}
	t, err := parseTime(latest.String)
	if err != nil {
		return now, err
	}
	return domain.CausalTime(now, t), nil
}

// partBudget bounds the items of one part, well under MaxEventPayload.
const partBudget = domain.MaxEventPayload * 3 / 4

// appendShared records head and items as one or more consecutive events of
// kind, all at at, each under MaxEventPayload.
func (r *recorder) appendShared(kind domain.Kind, staff string, at time.Time, head any, items []any) error {
	h, err := json.Marshal(head)
	if err != nil {
		return err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return err
	}
	var parts [][]json.RawMessage
	var cur []json.RawMessage
	size := 0
	for _, it := range items {
		raw, err := json.Marshal(it)
		if err != nil {
			return err
		}
		if len(raw)+len(h)+200 > partBudget {
			return domain.Errors{domain.EventTooLarge(kind, len(raw))}
		}
		if size+len(raw)+len(h) > partBudget && len(cur) > 0 {
			parts, cur, size = append(parts, cur), nil, 0
		}
		cur, size = append(cur, raw), size+len(raw)+1
	}
	parts = append(parts, cur)
	for i, p := range parts {
		if p == nil {
			p = []json.RawMessage{}
		}
		payload, err := json.Marshal(domain.SharedPart{ID: hex.EncodeToString(id[:]), Part: i + 1, Parts: len(parts), Head: h, Items: p})
		if err != nil {
			return err
		}
		if _, err := r.append(&domain.Event{Kind: kind, Staff: staff, At: at, Payload: payload}, nil, false); err != nil {
			return err
		}
	}
	return nil
}

// sharedParts returns every part of the shared change whose last part is e,
// read back from the events held (its earlier parts are the origin's events
// just before it); nil while e is not the last part.
func (r *recorder) sharedParts(e *domain.Event) ([]domain.SharedPart, error) {
	last, err := domain.ParseSharedPart(e)
	if err != nil {
		return nil, unreadable(err)
	}
	if last.Part < last.Parts {
		return nil, nil
	}
	var earlier []domain.Event
	if last.Parts > 1 {
		if earlier, err = queryEventsIn(r.ctx, r.tx, "WHERE device_id = ? AND seq BETWEEN ? AND ? ORDER BY seq",
			e.DeviceID, e.Seq-int64(last.Parts)+1, e.Seq-1); err != nil {
			return nil, err
		}
	}
	parts, err := domain.JoinSharedParts(last, e, earlier)
	return parts, unreadable(err)
}

// peerShared applies another device's change of a shared item, if it is
// the latest this device knows of. A change that cannot be read is kept in
// the log and noted among the peer refusals (shown on the Sync screen).
func (r *recorder) peerShared(e *domain.Event) error {
	var err error
	switch e.Kind {
	case domain.KindStaffAdded, domain.KindStaffChanged:
		err = r.peerStaff(e)
	case domain.KindCatalogShared:
		err = r.peerCatalog(e)
	case domain.KindTotalsShared:
		err = r.peerTotals(e)
	default:
		return nil
	}
	var ue *unreadableShared
	if errors.As(err, &ue) {
		_, err = r.tx.ExecContext(r.ctx, "INSERT INTO peer_refusals(at, device, via, seq, code, message) VALUES(?, ?, 'apply', ?, 'unreadable', ?)",
			formatTime(r.now()), e.DeviceID, e.Seq, truncateText(ue.Error(), 500))
	}
	return err
}

// unreadableShared is a shared change that is kept but cannot be applied.
type unreadableShared struct{ err error }

func (u *unreadableShared) Error() string { return u.err.Error() }

func unreadable(err error) error {
	if err == nil {
		return nil
	}
	return &unreadableShared{err}
}

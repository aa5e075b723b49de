package hubstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"sort"
	"time"

	"postdesk/internal/domain"
)

// Who looked, at the hub (issue 15): the hub's own staff viewing a
// dossier's personal data on the web page or exporting a citizen's data are
// recorded in hub_access; the post points' own access log arrives as their
// access.logged events and reprints. AccessLog reads both.

// Via says where a hub access happened.
const (
	ViaWeb = "web"
	ViaCLI = "cli"
)

// RecordAccess records that user saw (domain.AccessView) or took
// (domain.AccessExport) these dossiers' personal data, in one write.
func (s *Store) RecordAccess(ctx context.Context, user string, what domain.AccessWhat, via, detail string, dossiers []string) error {
	id, at := RandomHex(8), formatTime(s.Now())
	if len(dossiers) == 0 {
		dossiers = []string{""}
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, d := range dossiers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO hub_access (access_id, at, username, what, via, detail, dossier)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, at, user, string(what), via, detail, d); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccessEntry is one line of the hub's access log.
type AccessEntry struct {
	At       time.Time         `json:"at"`
	User     string            `json:"user"`
	Device   string            `json:"device,omitempty"` // a post point's device; "" for the hub's own staff
	Via      string            `json:"via"`              // web | cli at the hub; "device" for a post point's log
	What     domain.AccessWhat `json:"what"`
	Dossiers []string          `json:"dossiers,omitempty"`
	Detail   string            `json:"detail,omitempty"`
}

// AccessUnreadable is a post point's access event whose payload the hub
// cannot read (shown with the reason, in every dossier's log).
const AccessUnreadable domain.AccessWhat = "unreadable"

// ViaDevice marks an access recorded by a post point's device.
const ViaDevice = "device"

// AccessLog is the access log newest first, at most limit lines: the hub's
// own and every post point's (access events and reprints), narrowed to one
// dossier and/or one user when given ("" is any). A post point's log is
// read from its events and filtered here (its dossiers are in the payload).
func (s *Store) AccessLog(ctx context.Context, dossier, user string, limit int) ([]AccessEntry, error) {
	if limit <= 0 {
		limit = 200
	}
	q := `SELECT access_id, at, username, what, via, detail, dossier FROM hub_access WHERE 1 = 1`
	var args []any
	if dossier != "" {
		q += ` AND dossier = ?`
		args = append(args, dossier)
	}
	if user != "" {
		q += ` AND username = ?`
		args = append(args, user)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY at, access_id, dossier`, args...)
	if err != nil {
		return nil, err
	}
	var out []AccessEntry
	byID := map[string]int{}
	for rows.Next() {
		var id, at, what, dos string
		var e AccessEntry
		if err := rows.Scan(&id, &at, &e.User, &what, &e.Via, &e.Detail, &dos); err != nil {
			rows.Close()
			return nil, err
		}
		i, ok := byID[id]
		if !ok {
			e.At, e.What = parseTime(at), domain.AccessWhat(what)
			out = append(out, e)
			i = len(out) - 1
			byID[id] = i
		}
		if dos != "" {
			out[i].Dossiers = append(out[i].Dossiers, dos)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	devices, err := s.deviceAccessLog(ctx, dossier, user)
	if err != nil {
		return nil, err
	}
	out = append(out, devices...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// deviceAccessLog is the post points' access events and reprints.
func (s *Store) deviceAccessLog(ctx context.Context, dossier, user string) ([]AccessEntry, error) {
	q := `SELECT device_id, staff, at, kind, dossier, payload FROM hub_events WHERE kind IN (?, ?)`
	args := []any{string(domain.KindAccess), string(domain.KindReceiptPrint)}
	if user != "" {
		q += ` AND staff = ?`
		args = append(args, user)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AccessEntry
	for rows.Next() {
		var at, kind, dos string
		var payload []byte
		e := AccessEntry{Via: ViaDevice}
		if err := rows.Scan(&e.Device, &e.User, &at, &kind, &dos, &payload); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		if domain.Kind(kind) == domain.KindReceiptPrint {
			var p domain.ReceiptPrintPayload
			if json.Unmarshal(payload, &p) != nil || !p.Reprint {
				continue
			}
			e.What, e.Dossiers = domain.AccessReprint, []string{dos}
		} else {
			var p domain.AccessPayload
			if err := json.Unmarshal(payload, &p); err != nil {
				// Shown, not skipped: the access happened, its details are unreadable.
				e.What, e.Detail = AccessUnreadable, err.Error()
			} else {
				e.What, e.Dossiers, e.Detail = p.What, p.Dossiers, p.Detail
			}
		}
		if dossier != "" && e.What != AccessUnreadable && !slices.Contains(e.Dossiers, dossier) {
			continue
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

package hubstore

import (
	"context"
	"encoding/json"
	"time"

	"postdesk/internal/domain"
)

// DeviceStatus is one device's line in the hub's status.
type DeviceStatus struct {
	ID           string    `json:"id"`
	PostPoint    string    `json:"post_point"`
	EnrolledAt   time.Time `json:"enrolled_at"`
	RevokedAt    time.Time `json:"revoked_at,omitzero"`
	Events       int64     `json:"events"`   // stored at the hub
	HeadSeq      int64     `json:"head_seq"` // last seq stored
	LastSyncAt   time.Time `json:"last_sync_at,omitzero"`
	UpdateCursor int64     `json:"update_cursor"`
	ProjectedSeq int64     `json:"projected_seq"`   // events applied to hub_dossiers (follows head_seq)
	Waiting      int       `json:"updates_waiting"` // updates after its cursor
	Conflicts    int       `json:"conflicts"`
}

// PostPointStatus groups a post point's devices.
type PostPointStatus struct {
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Dossiers int            `json:"dossiers"`
	Devices  []DeviceStatus `json:"devices"`
}

// Status is the hub at a glance (hub status, the web page).
type Status struct {
	PostPoints []PostPointStatus `json:"post_points"`
	Events     int64             `json:"events"`
	Dossiers   int               `json:"dossiers"`
	Conflicts  int               `json:"conflicts"`
	Pending    int               `json:"updates_unclaimed"` // result-only registrations no device has taken
}

// Status reads the hub's state.
func (s *Store) Status(ctx context.Context) (Status, error) {
	var st Status
	pps, err := s.PostPoints(ctx)
	if err != nil {
		return st, err
	}
	devs, err := s.Devices(ctx)
	if err != nil {
		return st, err
	}
	byPP := map[string]*PostPointStatus{}
	for _, p := range pps {
		st.PostPoints = append(st.PostPoints, PostPointStatus{Code: p.Code, Name: p.Name, Devices: []DeviceStatus{}})
	}
	for i := range st.PostPoints {
		byPP[st.PostPoints[i].Code] = &st.PostPoints[i]
	}
	counts := map[string]int{}
	rows, err := s.db.QueryContext(ctx, "SELECT post_point_code, count(*) FROM hub_dossiers GROUP BY post_point_code")
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var pp string
		var n int
		if err := rows.Scan(&pp, &n); err != nil {
			rows.Close()
			return st, err
		}
		counts[pp] = n
		st.Dossiers += n
	}
	rows.Close()
	conflicts := map[string]int{}
	rows, err = s.db.QueryContext(ctx, "SELECT device_id, count(*) FROM conflicts GROUP BY device_id")
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			rows.Close()
			return st, err
		}
		conflicts[d] = n
		st.Conflicts += n
	}
	rows.Close()
	for _, d := range devs {
		ds := DeviceStatus{ID: d.ID, PostPoint: d.PostPointCode, EnrolledAt: d.EnrolledAt, RevokedAt: d.RevokedAt,
			HeadSeq: d.HeadSeq, LastSyncAt: d.LastSyncAt, UpdateCursor: d.UpdateCursor, ProjectedSeq: d.ProjectedSeq,
			Conflicts: conflicts[d.ID]}
		// Events are numbered 1..head without holes (Check verifies it), so the head is the count.
		ds.Events = d.HeadSeq
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM updates WHERE device_id IN (?, '*', ?) AND id > ?", d.ID, postPointAddress(d.PostPointCode), d.UpdateCursor).Scan(&ds.Waiting); err != nil {
			return st, err
		}
		st.Events += ds.Events
		if p := byPP[d.PostPointCode]; p != nil {
			p.Devices = append(p.Devices, ds)
		}
	}
	for i := range st.PostPoints {
		st.PostPoints[i].Dossiers = counts[st.PostPoints[i].Code]
	}
	err = s.db.QueryRowContext(ctx, "SELECT count(*) FROM updates WHERE device_id = ''").Scan(&st.Pending)
	return st, err
}

// Conflict is an event received for a seq already stored with other content.
type Conflict struct {
	ID           int64     `json:"id"`
	Device       string    `json:"device"`
	Seq          int64     `json:"seq"`
	BatchID      string    `json:"batch_id"`
	StoredHash   string    `json:"stored_hash"`
	ReceivedHash string    `json:"received_hash"`
	Received     string    `json:"received"` // JSON of the received event
	DetectedAt   time.Time `json:"detected_at"`
}

// Conflicts lists the newest conflicts first.
func (s *Store) Conflicts(ctx context.Context, limit int) ([]Conflict, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, device_id, seq, batch_id, stored_hash, received_hash, received, detected_at
		FROM conflicts ORDER BY device_id, seq, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Conflict
	for rows.Next() {
		var c Conflict
		var at string
		var recv []byte
		if err := rows.Scan(&c.ID, &c.Device, &c.Seq, &c.BatchID, &c.StoredHash, &c.ReceivedHash, &recv, &at); err != nil {
			return nil, err
		}
		c.Received, c.DetectedAt = string(recv), parseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// Refusal is a refused batch or request, as noted for the web page.
type Refusal struct {
	At      time.Time `json:"at"`
	Device  string    `json:"device"`
	Code    string    `json:"code"`
	Message string    `json:"message"`
	Client  string    `json:"client"` // the address it came from ("" for a command-line import)
}

// refusalsShownPerClient: the list shows at most this many per client, so
// one client's flood cannot push the others' refusals off the page.
const refusalsShownPerClient = 3

// Refusals lists the newest refusals first, at most refusalsShownPerClient
// of each client.
func (s *Store) Refusals(ctx context.Context, limit int) ([]Refusal, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, device_id, code, message, client FROM (
		SELECT *, row_number() OVER (PARTITION BY client ORDER BY id DESC) AS nth FROM refusals) AS r
		WHERE nth <= ? ORDER BY id DESC LIMIT ?`, refusalsShownPerClient, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Refusal
	for rows.Next() {
		var r Refusal
		var at string
		if err := rows.Scan(&at, &r.Device, &r.Code, &r.Message, &r.Client); err != nil {
			return nil, err
		}
		r.At = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ConflictedDossier is a dossier two devices of a post point moved
// incompatibly (docs/sync-protocol.md §11.2), not yet settled by a supervisor.
type ConflictedDossier struct {
	ID        string
	PostPoint string
	State     domain.State
	UpdatedAt time.Time
	Moves     []domain.Conflict // the moves the rule did not apply, unsettled
}

// ConflictedDossiers lists the dossiers in conflict, by post point.
func (s *Store) ConflictedDossiers(ctx context.Context, limit int) ([]ConflictedDossier, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM hub_dossiers WHERE in_conflict = 1 ORDER BY post_point_code, id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ConflictedDossier
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var d domain.Dossier
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, err
		}
		out = append(out, ConflictedDossier{ID: d.ID, PostPoint: d.PostPointCode, State: d.State, UpdatedAt: d.UpdatedAt,
			Moves: d.Conflicts[d.ConflictsResolved:]})
	}
	return out, rows.Err()
}

package domain

import (
	"encoding/json"
	"fmt"
)

// SharedPart is the payload of one event of a post point's shared change
// too large for one event (a catalog, a year of totals): parts 1..Parts are
// consecutive events of one device with the same ID, applied when the last
// one arrives (docs/sync-protocol.md §11.5). The devices and the hub read
// them alike.
type SharedPart struct {
	ID    string            `json:"id"`
	Part  int               `json:"part"`
	Parts int               `json:"parts"`
	Head  json.RawMessage   `json:"head"`
	Items []json.RawMessage `json:"items"`
}

// ParseSharedPart reads e's payload as a part and checks its numbering.
func ParseSharedPart(e *Event) (SharedPart, error) {
	var p SharedPart
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return p, fmt.Errorf("%s %s/%d: unreadable: %w", e.Kind, e.DeviceID, e.Seq, err)
	}
	if p.Parts < 1 || p.Part < 1 || p.Part > p.Parts {
		return p, fmt.Errorf("%s %s/%d: part %d of %d", e.Kind, e.DeviceID, e.Seq, p.Part, p.Parts)
	}
	return p, nil
}

// JoinSharedParts returns the parts of the change whose last part is last,
// given the origin's events just before it (earlier: its Parts-1 events
// before last, in order).
func JoinSharedParts(last SharedPart, e *Event, earlier []Event) ([]SharedPart, error) {
	if len(earlier) != last.Parts-1 {
		return nil, fmt.Errorf("%s %s/%d: %d earlier parts held of %d", e.Kind, e.DeviceID, e.Seq, len(earlier), last.Parts-1)
	}
	out := make([]SharedPart, 0, last.Parts)
	for i := range earlier {
		var p SharedPart
		if earlier[i].Kind != e.Kind || json.Unmarshal(earlier[i].Payload, &p) != nil || p.ID != last.ID || p.Part != i+1 {
			return nil, fmt.Errorf("%s %s/%d: event %d is not its part %d", e.Kind, e.DeviceID, e.Seq, earlier[i].Seq, i+1)
		}
		out = append(out, p)
	}
	return append(out, last), nil
}

// TotalsHead is a totals.shared change's import; its items are the rows
// (agency, procedure, month, dossiers, results).
type TotalsHead struct {
	Source   string   `json:"source"`
	SHA256   string   `json:"sha256"`
	From     Month    `json:"from"`
	To       Month    `json:"to"`
	Agencies []string `json:"agencies"`
}

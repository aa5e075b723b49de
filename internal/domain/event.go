package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Event is one entry of a device's append-only log. Each device numbers its
// own events 1, 2, 3… and chains them by hash, so the province can tell a gap
// or a forged event from a real one. The log is also the sync outbox.
type Event struct {
	DeviceID string          `json:"device"`
	Seq      int64           `json:"seq"`
	Kind     Kind            `json:"kind"`
	Dossier  string          `json:"dossier,omitempty"` // receipt number, when the event is about a dossier
	Staff    string          `json:"staff"`             // username of who did it
	At       time.Time       `json:"at"`
	Payload  json.RawMessage `json:"payload,omitempty"`
	PrevHash string          `json:"prev"` // hex SHA-256 of the previous event of this device; "" for seq 1
	Hash     string          `json:"hash"`
}

// TimeLayout is how event times are written: UTC with nanoseconds, so that
// a time survives JSON, SQLite and the hash unchanged.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// ComputeHash returns the hex SHA-256 of the event's canonical form: the
// fields device, seq, kind, dossier, staff, at (TimeLayout), prev and
// payload (its bytes exactly as stored), in that order, each written as
// "<byte length>:<bytes>\n". Length prefixes make the form unambiguous
// without escaping, so any language can recompute it; changing any field,
// or the order of events (through prev), changes the hash.
func (e *Event) ComputeHash() string {
	var buf [512]byte
	b := buf[:0]
	field := func(v string) {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
		b = append(b, '\n')
	}
	field(e.DeviceID)
	field(strconv.FormatInt(e.Seq, 10))
	field(string(e.Kind))
	field(e.Dossier)
	field(e.Staff)
	field(e.At.UTC().Format(TimeLayout))
	field(e.PrevHash)
	b = strconv.AppendInt(b, int64(len(e.Payload)), 10)
	b = append(b, ':')
	h := sha256.New()
	h.Write(b)
	h.Write(e.Payload)
	h.Write([]byte{'\n'})
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// Seal fills PrevHash and Hash, making e the next link after prev ("" for the first).
func (e *Event) Seal(prevHash string) {
	e.At = e.At.UTC().Truncate(time.Nanosecond)
	e.PrevHash = prevHash
	e.Hash = e.ComputeHash()
}

// VerifyChain checks that events are consecutive from their first sequence
// and that each hash is right and links to the previous one. prevHash is the
// hash of the event before the first one ("" when the first has seq 1).
func VerifyChain(prevHash string, events []Event) error {
	for i := range events {
		e := &events[i]
		if i > 0 && e.Seq != events[i-1].Seq+1 {
			return &ChainError{Seq: e.Seq, Reason: "gap: expected seq " + strconv.FormatInt(events[i-1].Seq+1, 10)}
		}
		if e.PrevHash != prevHash {
			return &ChainError{Seq: e.Seq, Reason: "previous hash does not match"}
		}
		if e.ComputeHash() != e.Hash {
			return &ChainError{Seq: e.Seq, Reason: "hash does not match the content"}
		}
		prevHash = e.Hash
	}
	return nil
}

// ChainError names the first event where a chain breaks.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string { return "event " + strconv.FormatInt(e.Seq, 10) + ": " + e.Reason }

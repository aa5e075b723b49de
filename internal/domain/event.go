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

// hashedFields is the exact content the hash covers, in a fixed order.
type hashedFields struct {
	DeviceID string          `json:"device"`
	Seq      int64           `json:"seq"`
	Kind     Kind            `json:"kind"`
	Dossier  string          `json:"dossier"`
	Staff    string          `json:"staff"`
	At       string          `json:"at"`
	Payload  json.RawMessage `json:"payload"`
	PrevHash string          `json:"prev"`
}

// TimeLayout is how event times are written: UTC with nanoseconds, so that
// a time survives JSON, SQLite and the hash unchanged.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// ComputeHash returns the hex SHA-256 over the event's content and the
// previous hash. Changing any field, or the order of events, changes it.
func (e *Event) ComputeHash() string {
	payload := e.Payload
	if len(payload) == 0 {
		payload = json.RawMessage("null")
	}
	b, err := json.Marshal(hashedFields{
		DeviceID: e.DeviceID, Seq: e.Seq, Kind: e.Kind, Dossier: e.Dossier, Staff: e.Staff,
		At: e.At.UTC().Format(TimeLayout), Payload: payload, PrevHash: e.PrevHash,
	})
	if err != nil { // only a malformed RawMessage can fail; hash it raw so it never matches
		b = append([]byte(e.Kind), payload...)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
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

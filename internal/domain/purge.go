package domain

// Retention (README Security, "Retention"; docs/sync-protocol.md §13): after
// a dossier is done at the post point and its retention has passed, its
// events keep what the reports count but lose the citizen's personal data.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// KindPurge records one dossier's personal data removed from this device's
// copy of its events (not a dossier event: the dossier's timeline and its
// projection are those of the redacted events).
const KindPurge Kind = "personal_data.purged"

// DefaultRetentionDays is how long a done dossier keeps its personal fields
// when the province has set nothing.
const DefaultRetentionDays = 365

// PurgePayload lists, for one dossier, every event whose payload was
// redacted: the event's hash as written (still the chain's link) and the
// hash of its canonical form with the redacted payload (what check recomputes).
type PurgePayload struct {
	Dossier string      `json:"dossier"`
	Days    int         `json:"days"` // the retention that applied
	Events  []Redaction `json:"events"`
}

// Redaction is one redacted event in a PurgePayload.
type Redaction struct {
	Device   string `json:"device"`
	Seq      int64  `json:"seq"`
	Hash     string `json:"hash"`     // the event's hash as written, with its personal data
	Redacted string `json:"redacted"` // ComputeHash of the event with the redacted payload
}

// DoneAt is when a dossier's business at the post point ended — delivered,
// returned to the agency, cancelled, or (sent without a return) accepted or
// rejected by the agency — and ok false while it goes on.
func DoneAt(d *Dossier) (at time.Time, ok bool) {
	switch d.State {
	case StateDelivered, StateReturnedToAgency, StateCancelled:
		return d.UpdatedAt, true
	case StateAccepted, StateRejected:
		if !d.Option.Returns() {
			return d.UpdatedAt, true
		}
	}
	return time.Time{}, false
}

// RetentionCutoff is the time before which a done dossier is due for the
// purge under a retention of days, and that day as dd/mm/yyyy.
func RetentionCutoff(now time.Time, days int) (time.Time, string) {
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	return cutoff, FormatDate(cutoff)
}

// Purged reports whether a dossier's personal data was removed.
func (d *Dossier) Purged() bool { return d.PersonalDataPurged }

// RedactPayload returns the payload of an event of kind with the citizen's
// personal data removed — names, ID numbers, phones, addresses, notes, the
// proof files — and what the reports count kept (procedure, agency,
// commune, dates, fees, states); changed is false when the kind holds none.
func RedactPayload(kind Kind, payload json.RawMessage) (out json.RawMessage, changed bool, err error) {
	if len(payload) == 0 {
		return payload, false, nil
	}
	var m map[string]json.RawMessage
	switch kind {
	case KindIntake, KindRegisterResult, KindDeliver, KindNote:
		if err := json.Unmarshal(payload, &m); err != nil {
			return nil, false, fmt.Errorf("redacting %s: %w", kind, err)
		}
	default:
		return payload, false, nil
	}
	blank := func(keys ...string) {
		for _, k := range keys {
			delete(m, k)
		}
	}
	switch kind {
	case KindIntake, KindRegisterResult:
		var p map[string]json.RawMessage
		if raw, ok := m["applicant"]; ok {
			if err := json.Unmarshal(raw, &p); err != nil {
				return nil, false, fmt.Errorf("redacting %s applicant: %w", kind, err)
			}
		}
		keep := map[string]json.RawMessage{}
		for _, k := range []string{"id_type", "commune"} {
			if v, ok := p[k]; ok {
				keep[k] = v
			}
		}
		keep["full_name"], keep["id_number"] = json.RawMessage(`""`), json.RawMessage(`""`)
		m["applicant"], _ = json.Marshal(keep)
		blank("representative", "return_address", "notes")
		m["personal_data_purged"] = json.RawMessage("true")
	case KindDeliver:
		blank("recipient_name", "recipient_id", "letter_note", "signature_file", "photo_file")
		m["redacted"] = json.RawMessage("true")
	case KindNote:
		m["text"] = json.RawMessage(`""`)
	}
	out, err = json.Marshal(m)
	return out, err == nil, err
}

// RedactionOf finds the recorded redaction of a device's event (ok false
// when none is recorded).
type RedactionOf func(device string, seq int64) (r Redaction, ok bool)

// VerifyEvent checks that e links to prevHash and matches its hash — or,
// when its payload was redacted by a retention purge, that red records it
// with this very hash and with the hash of its redacted form
// (docs/sync-protocol.md §13); redacted says which.
func VerifyEvent(prevHash string, e *Event, red RedactionOf) (redacted bool, err error) {
	if e.PrevHash != prevHash {
		return false, &ChainError{Seq: e.Seq, Reason: "previous hash does not match"}
	}
	got := e.ComputeHash()
	if got == e.Hash {
		return false, nil
	}
	if r, ok := red(e.DeviceID, e.Seq); ok && r.Hash == e.Hash {
		if r.Redacted == got {
			return true, nil
		}
		return false, &ChainError{Seq: e.Seq, Reason: "redacted, but changed since the purge that recorded it"}
	}
	return false, &ChainError{Seq: e.Seq, Reason: "hash does not match the content"}
}

// VerifyChainRedacted is VerifyChain where a redacted event verifies
// through red (VerifyEvent); it returns how many did.
func VerifyChainRedacted(prevHash string, events []Event, red RedactionOf) (redacted int, err error) {
	for i := range events {
		e := &events[i]
		if i > 0 && e.Seq != events[i-1].Seq+1 {
			return redacted, &ChainError{Seq: e.Seq, Reason: "gap: expected seq " + strconv.FormatInt(events[i-1].Seq+1, 10)}
		}
		r, err := VerifyEvent(prevHash, e, red)
		if err != nil {
			return redacted, err
		}
		if r {
			redacted++
		}
		prevHash = e.Hash
	}
	return redacted, nil
}

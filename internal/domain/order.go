package domain

import (
	"cmp"
	"slices"
	"time"
)

// The post point's devices each keep their own log, and every device (and
// the hub) holds the others' logs too. A dossier's state is built from the
// events of all of them by one rule, the same everywhere, so the same events
// give the same dossier whatever order they arrived in
// (docs/sync-protocol.md §11):
//
//  1. Each device's events keep their own order (seq): a device never
//     reorders what it did itself.
//  2. Between devices, the next event taken is the one with the earliest
//     (at, device id) among each device's next event — a merge of the logs.
//     A device records a move on a dossier with an `at` later than every
//     event of that dossier it holds (CausalTime), so a move always comes
//     after the events its device had seen, whatever the clocks say.
//  3. An event that is not a legal move at its turn (the other device
//     delivered first, or cancelled while this one handed over) is kept in
//     the log, not applied, and listed in the dossier's Conflicts: the
//     dossier is in conflict until a supervisor records
//     dossier.conflict_resolved.

// Conflict is an event of the dossier's log that the rule did not apply.
type Conflict struct {
	Device string    `json:"device"`
	Seq    int64     `json:"seq"`
	Kind   Kind      `json:"kind"`
	Staff  string    `json:"staff"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// InConflict reports whether the dossier has a conflict no supervisor has resolved yet.
func (d *Dossier) InConflict() bool { return d != nil && len(d.Conflicts) > d.ConflictsResolved }

// ResolvePayload: a supervisor settled the dossier's conflicts.
type ResolvePayload struct {
	Note string `json:"note"`
}

// OrderEvents returns a dossier's events in the rule's order: each device's
// events by seq, merged by (at, device id). It does not change events.
func OrderEvents(events []Event) []Event {
	byDev := map[string][]Event{}
	var devs []string
	for _, e := range events {
		if _, ok := byDev[e.DeviceID]; !ok {
			devs = append(devs, e.DeviceID)
		}
		byDev[e.DeviceID] = append(byDev[e.DeviceID], e)
	}
	if len(devs) == 1 {
		out := slices.Clone(events)
		slices.SortFunc(out, func(a, b Event) int { return cmp.Compare(a.Seq, b.Seq) })
		return out
	}
	slices.Sort(devs)
	heads := make([]int, len(devs))
	for _, d := range devs {
		slices.SortFunc(byDev[d], func(a, b Event) int { return cmp.Compare(a.Seq, b.Seq) })
	}
	out := make([]Event, 0, len(events))
	for len(out) < len(events) {
		best := -1
		for i, d := range devs {
			if heads[i] == len(byDev[d]) {
				continue
			}
			if best < 0 || byDev[d][heads[i]].At.Before(byDev[devs[best]][heads[best]].At) {
				best = i // devs is sorted, so a tie on at keeps the smaller device id
			}
		}
		out = append(out, byDev[devs[best]][heads[best]])
		heads[best]++
	}
	return out
}

// Later reports whether e comes after every event whose greatest
// (at, device) is (maxAt, maxDevice): then applying e to the dossier built
// from those events gives what a whole replay would.
func Later(e *Event, maxAt time.Time, maxDevice string) bool {
	if maxDevice == "" {
		return true
	}
	return e.At.After(maxAt) || (e.At.Equal(maxAt) && e.DeviceID >= maxDevice)
}

// CausalTime is the time to record a move at: now, or just after the latest
// event of the dossier held here when this device's clock is behind it.
func CausalTime(now, maxAt time.Time) time.Time {
	if now.After(maxAt) {
		return now
	}
	return maxAt.Add(time.Millisecond)
}

// Step applies e under the rule: a legal move applies (Apply); an illegal
// one on an existing dossier is kept as a Conflict and the dossier
// otherwise unchanged, and refused is its reason. An event on a dossier
// that does not exist (yet) changes nothing: it waits for the event that
// creates it.
func Step(cur *Dossier, e *Event) (next *Dossier, refused error) {
	next, err := Apply(cur, e)
	if err == nil {
		return next, nil
	}
	if cur == nil {
		return nil, err
	}
	d := *cur
	d.Conflicts = append(slices.Clip(cur.Conflicts), Conflict{Device: e.DeviceID, Seq: e.Seq, Kind: e.Kind,
		Staff: e.Staff, At: e.At, Reason: err.Error()})
	return &d, err
}

// Project builds a dossier from all its events under the rule. It is nil
// when no event creates it.
func Project(events []Event) *Dossier { return ProjectEach(events, nil) }

// ProjectEach is Project calling each (when not nil) after every event with
// the dossier before and after it and the reason it was refused (nil when
// applied). Events before the one that creates the dossier (which only a
// clock far off or a forged log can give) become its first Conflicts.
func ProjectEach(events []Event, each func(e *Event, before, after *Dossier, refused error)) *Dossier {
	var d *Dossier
	var early []Conflict
	for _, e := range OrderEvents(events) {
		next, err := Step(d, &e)
		if next == nil {
			early = append(early, Conflict{Device: e.DeviceID, Seq: e.Seq, Kind: e.Kind, Staff: e.Staff, At: e.At, Reason: err.Error()})
			continue
		}
		if d == nil && len(early) > 0 {
			next.Conflicts = append(early, next.Conflicts...)
			early = nil
		}
		if each != nil {
			each(&e, d, next, err)
		}
		d = next
	}
	return d
}

// Incremental reports whether e may be applied with Step to the dossier
// built so far (cur, nil when none; maxAt and maxDevice the greatest
// (at, device) of its events so far, "" when none) and give what Project
// over all its events would: e comes last, and does not create a dossier
// some earlier event is waiting for.
func Incremental(cur *Dossier, e *Event, maxAt time.Time, maxDevice string) bool {
	if !Later(e, maxAt, maxDevice) {
		return false
	}
	return cur != nil || (Creates(e.Kind) && maxDevice == "")
}

package domain

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// peerLog builds events of one dossier on several devices; each device's
// events are numbered and chained in the order given.
type peerLog struct {
	seqs   map[string]int64
	prev   map[string]string
	events []Event
}

func (l *peerLog) add(t *testing.T, dev string, at time.Time, k Kind, payload any) {
	t.Helper()
	if l.seqs == nil {
		l.seqs, l.prev = map[string]int64{}, map[string]string{}
	}
	var raw json.RawMessage
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		raw = b
	}
	l.seqs[dev]++
	e := Event{DeviceID: dev, Seq: l.seqs[dev], Kind: k, Dossier: "600900B-261203-0001", Staff: "gdv1", At: at, Payload: raw}
	e.Seal(l.prev[dev])
	l.prev[dev] = e.Hash
	l.events = append(l.events, e)
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// sharedStart is B's intake and handover-ready dossier, seen by A.
func sharedStart(t *testing.T, l *peerLog, t0 time.Time) {
	d := Dossier{ID: "600900B-261203-0001", Option: OptionSendAndReturn, ProcedureCode: "1.001193", AgencyCode: "000.00.20.H21",
		Applicant: Person{FullName: "Siu Thị Hằng", IDNumber: "064301007701", IDType: IDCCCD}, ReceivedAt: t0}
	l.add(t, "600900-B", t0, KindIntake, d)
}

// TestConcurrentMovesAnyOrder: two devices move the same dossier
// incompatibly while apart (both deliver; one cancels while the other hands
// over). In every arrival order the rule gives the same dossier, the loser
// is kept as a conflict, and a supervisor's resolution (itself in any
// order with the rest) settles it.
func TestConcurrentMovesAnyOrder(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	cases := []struct {
		name      string
		build     func(l *peerLog)
		state     State
		loserDev  string
		loserKind Kind
	}{
		{"cancel vs handover", func(l *peerLog) {
			sharedStart(t, l, t0)
			l.add(t, "600900-A", t0.Add(time.Hour), KindHandover, HandoverPayload{HandoverID: "BG1", Officer: "Lê Thu"})
			l.add(t, "600900-B", t0.Add(2*time.Hour), KindCancel, ReasonPayload{Reason: "công dân rút hồ sơ"})
		}, StateAtAgency, "600900-B", KindCancel},
		{"both deliver", func(l *peerLog) {
			sharedStart(t, l, t0)
			for _, k := range []struct {
				k Kind
				p any
			}{{KindHandover, HandoverPayload{HandoverID: "BG1", Officer: "Lê Thu"}}, {KindResultReady, nil},
				{KindResultHandover, ResultHandoverPayload{HandoverID: "BG2"}}} {
				l.add(t, "600900-B", t0.Add(time.Minute*time.Duration(1+l.seqs["600900-B"])), k.k, k.p)
			}
			// Same time on both clocks: the smaller device id goes first.
			at := t0.Add(3 * time.Hour)
			l.add(t, "600900-B", at, KindDeliver, DeliverPayload{RecipientID: "064301007701"})
			l.add(t, "600900-A", at, KindDeliver, DeliverPayload{RecipientID: "064301007701"})
		}, StateDelivered, "600900-B", KindDeliver},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &peerLog{}
			c.build(l)
			// The supervisor resolves on A after seeing everything.
			l.add(t, "600900-A", t0.Add(5*time.Hour), KindResolve, ResolvePayload{Note: "đã gọi công dân"})
			n := len(l.events)
			var want *Dossier
			for i, perm := range permutations(n) {
				evs := make([]Event, n)
				for j, k := range perm {
					evs[j] = l.events[k]
				}
				got := Project(evs)
				if got == nil {
					t.Fatalf("order %v: no dossier", perm)
				}
				if i == 0 {
					want = got
					if got.State != c.state {
						t.Fatalf("state %s, want %s", got.State, c.state)
					}
					if len(got.Conflicts) != 1 || got.Conflicts[0].Device != c.loserDev || got.Conflicts[0].Kind != c.loserKind {
						t.Fatalf("conflicts %+v", got.Conflicts)
					}
					if got.InConflict() {
						t.Fatal("still in conflict after the supervisor's resolution")
					}
					continue
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("order %v gives another dossier:\n%+v\nwant\n%+v", perm, got, want)
				}
			}
			// Without the resolution, the dossier is in conflict.
			if d := Project(l.events[:n-1]); !d.InConflict() {
				t.Fatal("not in conflict before the resolution")
			}
		})
	}
}

// TestCausalTime: a device whose clock is behind records a move after the
// events it holds, so the rule never puts it before what it saw.
func TestCausalTime(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	l := &peerLog{}
	sharedStart(t, l, t0)
	// A's clock is three hours behind B's.
	at := CausalTime(t0.Add(-3*time.Hour), t0)
	if !at.After(t0) {
		t.Fatalf("CausalTime %v is not after %v", at, t0)
	}
	l.add(t, "600900-A", at, KindHandover, HandoverPayload{HandoverID: "BG1", Officer: "Lê Thu"})
	if d := Project([]Event{l.events[1], l.events[0]}); d.State != StateAtAgency || len(d.Conflicts) != 0 {
		t.Fatalf("%s %+v", d.State, d.Conflicts)
	}
	// Without it, the handover would come first and be a conflict.
	l2 := &peerLog{}
	sharedStart(t, l2, t0)
	l2.add(t, "600900-A", t0.Add(-3*time.Hour), KindHandover, HandoverPayload{HandoverID: "BG1", Officer: "Lê Thu"})
	if d := Project(l2.events); d.State != StateReceived || len(d.Conflicts) != 1 {
		t.Fatalf("a move timed before the intake: %s %+v", d.State, d.Conflicts)
	}
	if CausalTime(t0.Add(time.Hour), t0) != t0.Add(time.Hour) {
		t.Fatal("a clock ahead is kept as it is")
	}
}

// TestIncrementalEqualsProject: applying events one by one where
// Incremental allows it gives what Project gives.
func TestIncrementalEqualsProject(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	l := &peerLog{}
	sharedStart(t, l, t0)
	l.add(t, "600900-A", t0.Add(time.Hour), KindHandover, HandoverPayload{HandoverID: "BG1", Officer: "Lê Thu"})
	l.add(t, "600900-B", t0.Add(2*time.Hour), KindCancel, ReasonPayload{Reason: "rút"})
	l.add(t, "600900-A", t0.Add(3*time.Hour), KindNote, NotePayload{Text: "gọi lại"})
	for _, perm := range permutations(len(l.events)) {
		var d *Dossier
		var maxAt time.Time
		var maxDev string
		var seen []Event
		for _, k := range perm {
			e := l.events[k]
			seen = append(seen, e)
			if Incremental(d, &e, maxAt, maxDev) {
				d, _ = Step(d, &e)
			} else {
				d = Project(seen)
			}
			if e.At.After(maxAt) || (e.At.Equal(maxAt) && e.DeviceID > maxDev) {
				maxAt, maxDev = e.At, e.DeviceID
			}
			if want := Project(seen); !reflect.DeepEqual(d, want) {
				t.Fatalf("order %v after %s/%d: incremental %+v, project %+v", perm, e.DeviceID, e.Seq, d, want)
			}
		}
	}
}

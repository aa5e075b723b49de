package devicesync

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"postdesk/internal/store"
)

// State is what the loop is doing, for the status bar and the Sync screen.
type State string

const (
	StateNotEnrolled State = "not_enrolled"
	StateOffline     State = "offline" // the hub does not answer; retrying with backoff
	StateSyncing     State = "syncing"
	StateSynced      State = "synced" // the last round succeeded
	StateError       State = "error"  // the hub answered but the round failed (see Err)
	StateRevoked     State = "revoked"
)

// Status is a snapshot the loop reports after every change.
type Status struct {
	State       State
	Waiting     int64     // events not yet acknowledged
	LastSuccess time.Time // zero: never
	Err         error     // the last round's error (StateError, StateOffline)
	NextTry     time.Time // when the loop will try again
	Round       *Round    // the last round, when one ran
}

// Loop syncs in the background: it probes the hub, backs off exponentially
// with jitter while it is offline (Min → Max), runs a round as soon as it
// answers, and again every Interval; SyncNow runs one at once.
type Loop struct {
	C        *Client
	Interval time.Duration // between rounds while online (default 5 min)
	Min, Max time.Duration // backoff bounds while offline (default 1 s, 5 min)
	// OnStatus is called (from the loop's goroutine) after every change.
	OnStatus func(Status)

	kick chan struct{}
	once sync.Once
	mu   sync.Mutex
	last Status
}

// NewLoop makes a loop for c; call Run in a goroutine.
func NewLoop(c *Client, onStatus func(Status)) *Loop {
	return &Loop{C: c, OnStatus: onStatus}
}

func (l *Loop) init() {
	l.once.Do(func() {
		l.kick = make(chan struct{}, 1)
		if l.Interval <= 0 {
			l.Interval = 5 * time.Minute
		}
		if l.Min <= 0 {
			l.Min = time.Second
		}
		if l.Max <= 0 {
			l.Max = 5 * time.Minute
		}
	})
}

// SyncNow asks the loop to run a round at once (it never blocks).
func (l *Loop) SyncNow() {
	l.init()
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Status is the last status reported.
func (l *Loop) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

func (l *Loop) report(ctx context.Context, st Status) {
	s := l.C.Store
	if n, err := s.EventsWaiting(ctx); err == nil {
		st.Waiting = n
	}
	if ss, err := s.SyncState(ctx); err == nil {
		st.LastSuccess = ss.LastSuccess
	}
	l.mu.Lock()
	l.last = st
	l.mu.Unlock()
	if l.OnStatus != nil {
		l.OnStatus(st)
	}
}

// Backoff is the wait before attempt n (0-based) while offline: Min·2ⁿ
// capped at Max, with "equal jitter" (half fixed, half random) so that many
// post points coming back at once do not hit the hub together.
func Backoff(n int, min, max time.Duration) time.Duration {
	d := max
	if n < 30 {
		if x := min << uint(n); x > 0 && x < max {
			d = x
		}
	}
	return d/2 + rand.N(d/2+1)
}

// Run loops until ctx is cancelled.
func (l *Loop) Run(ctx context.Context) {
	l.init()
	fails := 0
	for ctx.Err() == nil {
		wait := l.Interval
		st, err := l.C.Store.SyncState(ctx)
		switch {
		case err != nil:
			l.report(ctx, Status{State: StateError, Err: err, NextTry: l.C.Now().Add(wait)})
		case !st.Enrolled():
			l.report(ctx, Status{State: StateNotEnrolled})
		case st.Revoked():
			l.report(ctx, Status{State: StateRevoked, Err: ErrRevoked})
		default:
			if _, err := l.C.Health(ctx, st.HubURL); err != nil {
				wait = Backoff(fails, l.Min, l.Max)
				fails++
				l.report(ctx, Status{State: StateOffline, Err: err, NextTry: l.C.Now().Add(wait)})
				break
			}
			l.report(ctx, Status{State: StateSyncing})
			r, err := l.C.RunOnce(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err == nil:
				fails = 0
				l.report(ctx, Status{State: StateSynced, Round: &r, NextTry: l.C.Now().Add(wait)})
			case IsOffline(err):
				// Cut mid-round: what was acked is kept; retry soon.
				wait = Backoff(fails, l.Min, l.Max)
				fails++
				l.report(ctx, Status{State: StateOffline, Err: err, Round: &r, NextTry: l.C.Now().Add(wait)})
			case errors.Is(err, ErrRevoked):
				l.report(ctx, Status{State: StateRevoked, Err: err, Round: &r})
			case errors.Is(err, store.ErrNotEnrolled):
				l.report(ctx, Status{State: StateNotEnrolled})
			default:
				// The hub refused something: try again later, not in a tight loop.
				wait = Backoff(fails+4, l.Min, l.Max)
				fails++
				l.report(ctx, Status{State: StateError, Err: err, Round: &r, NextTry: l.C.Now().Add(wait)})
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-l.kick:
			timer.Stop()
			fails = 0
		case <-timer.C:
		}
	}
}

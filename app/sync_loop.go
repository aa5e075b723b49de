package app

import (
	"context"
	stdsync "sync"
	"time"

	"postdesk/internal/devicesync"
)

// syncRunner is the background sync of one open app: the loop, and a
// ticker that keeps the status bar's "waiting" count current while clerks
// record events between rounds.
type syncRunner struct {
	client *devicesync.Client
	loop   *devicesync.Loop
	cancel context.CancelFunc
	done   chan struct{}

	mu       stdsync.Mutex
	last     devicesync.Status
	hasLast  bool
	onChange func() // the Sync screen's refresh, when built

	lan lanListener // the local network server, started from the Sync screen
}

var (
	runnersMu stdsync.Mutex
	runners   = map[*UI]*syncRunner{}
)

// autoSync starts the loop with the app (tests turn it off and drive it).
var autoSync = true

// statusFeedEvery is how often the status bar is fed between rounds.
const statusFeedEvery = 5 * time.Second

// startSync starts the background loop for u's store. An unenrolled device
// waits quietly; enrolling from the Sync screen kicks it.
func startSync(u *UI) *syncRunner {
	runnersMu.Lock()
	defer runnersMu.Unlock()
	if r := runners[u]; r != nil {
		return r
	}
	c := devicesync.New(u.Store)
	r := &syncRunner{client: c, done: make(chan struct{})}
	r.loop = devicesync.NewLoop(c, func(st devicesync.Status) {
		r.mu.Lock()
		r.last, r.hasLast = st, true
		r.mu.Unlock()
		deskDo(func() { r.feed(u) })
	})
	ctx, cancel := context.WithCancel(u.Ctx)
	r.cancel = cancel
	runners[u] = r
	if !autoSync {
		close(r.done)
		return r
	}
	go func() {
		defer close(r.done)
		r.loop.Run(ctx)
	}()
	go func() {
		t := time.NewTicker(statusFeedEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				deskDo(func() { r.feed(u) })
			}
		}
	}()
	return r
}

// stopSync stops u's loop and waits for the round in progress to end.
func stopSync(u *UI) {
	runnersMu.Lock()
	r := runners[u]
	delete(runners, u)
	runnersMu.Unlock()
	if r != nil {
		r.cancel()
		<-r.done
		r.lan.stop()
	}
}

// runnerOf returns u's runner, starting one if needed.
func runnerOf(u *UI) *syncRunner {
	runnersMu.Lock()
	r := runners[u]
	runnersMu.Unlock()
	if r != nil {
		return r
	}
	return startSync(u)
}

// status is the last status the loop reported (ok false: none yet).
func (r *syncRunner) status() (devicesync.Status, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last, r.hasLast
}

// feed gives the status bar the link state, the events waiting and the
// last success, and refreshes the Sync screen. On the Fyne thread.
func (r *syncRunner) feed(u *UI) {
	st, err := u.Store.SyncState(u.Ctx)
	if err != nil || !st.Enrolled() {
		return // the bar keeps saying "never connected" with every event waiting
	}
	waiting, err := u.Store.EventsWaiting(u.Ctx)
	if err != nil {
		return
	}
	link := ""
	if last, ok := r.status(); ok {
		switch last.State {
		case devicesync.StateSynced, devicesync.StateSyncing, devicesync.StateError:
			link = "online" // the hub answers
		case devicesync.StateOffline, devicesync.StateRevoked:
			link = "offline"
		}
	}
	if last, ok := r.status(); ok && last.State == devicesync.StateRevoked && !u.lostShown {
		if u.checkDeviceLock() { // the hub's signed order: lock at once
			return
		}
	}
	u.SetSyncStatus(link, int(waiting), st.LastSuccess)
	r.mu.Lock()
	f := r.onChange
	r.mu.Unlock()
	if f != nil {
		f()
	}
}

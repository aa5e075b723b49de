package hubweb

import (
	"sync"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/hub/hubstore"
)

// Sign-in throttling. Failures are counted per account name — whether or
// not the account exists, so the answer never tells names apart — and per
// client (the address behind a trusted proxy, see Server.clientAddr), so
// one client cannot try many names and a proxy in front of everyone does
// not lock everyone out. Either limit reached: the same "too many tries"
// answer for everyone, without checking the password.
const (
	accountFailures = hubstore.MaxFailedTries // per account name in accountWindow
	accountWindow   = hubstore.LockFor
	clientFailures  = 20 // per client in clientWindow
	clientWindow    = 10 * time.Minute
	maxThrottleKeys = 20000 // memory bound: beyond it the oldest keys go
)

type loginThrottle struct {
	mu   sync.Mutex
	now  func() time.Time
	fail map[string][]time.Time // "u:" + folded name, or "c:" + client
}

func newLoginThrottle() *loginThrottle {
	return &loginThrottle{now: time.Now, fail: map[string][]time.Time{}}
}

func accountKey(username string) string { return "u:" + domain.Fold(domain.Clean(username)) }

// allow reports whether a sign-in for username from client may be checked.
func (t *loginThrottle) allow(username, client string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.recent(accountKey(username), accountWindow) < accountFailures &&
		t.recent("c:"+client, clientWindow) < clientFailures
}

// failed notes a failed sign-in.
func (t *loginThrottle) failed(username, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fail) >= maxThrottleKeys {
		t.evict()
	}
	now := t.now()
	for _, k := range []string{accountKey(username), "c:" + client} {
		t.fail[k] = append(t.fail[k], now)
	}
}

// succeeded forgets the account's failures (not the client's).
func (t *loginThrottle) succeeded(username string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fail, accountKey(username))
}

// recent counts the failures of key within window, dropping older ones.
func (t *loginThrottle) recent(key string, window time.Duration) int {
	cut := t.now().Add(-window)
	ts := t.fail[key]
	i := 0
	for i < len(ts) && !ts[i].After(cut) {
		i++
	}
	if i == len(ts) {
		delete(t.fail, key)
		return 0
	}
	t.fail[key] = ts[i:]
	return len(ts) - i
}

// evict drops every key whose last failure is older than the longest
// window, then, if still full, half of the keys (any half: map order).
func (t *loginThrottle) evict() {
	cut := t.now().Add(-max(accountWindow, clientWindow))
	for k, ts := range t.fail {
		if !ts[len(ts)-1].After(cut) {
			delete(t.fail, k)
		}
	}
	if len(t.fail) < maxThrottleKeys {
		return
	}
	n := len(t.fail) - maxThrottleKeys/2
	for k := range t.fail {
		if n <= 0 {
			break
		}
		delete(t.fail, k)
		n--
	}
}

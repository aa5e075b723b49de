package hubweb

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/syncproto"
)

// What the hub holds for its clients is bounded whatever they do:
//
//   - connections: at most Options.MaxConns at once (the listener stops
//     accepting beyond that; the kernel queues the rest);
//   - request bodies: a body is read only after it got a share of
//     Options.BodyBudget (its Content-Length, or its endpoint's limit when
//     the length is not given) and while its client has fewer than
//     Options.PerClientBodies bodies being read; a request waits up to
//     Options.BodyWait for that, without reading its body, then gets 503
//     with Retry-After. So a flood of slow bodies from one client holds at
//     most PerClientBodies bodies, and all clients together at most
//     BodyBudget bytes;
//   - time: headers within ReadHeaderTimeout, a body within ReadTimeout
//     (sized for a 4 MiB batch over 64 kbit/s), idle keep-alive
//     connections closed after IdleTimeout.
const (
	DefaultMaxConns        = 512
	DefaultBodyBudget      = 64 << 20
	DefaultPerClientBodies = 4
	DefaultBodyWait        = 30 * time.Second

	// ReadHeaderTimeout: a request line and headers (under 1 KiB from a
	// device) take well under a second at 64 kbit/s with a 300 ms round
	// trip; TLS adds two round trips. 30 s leaves a wide margin for a 2G
	// link and still frees a connection that sends nothing.
	ReadHeaderTimeout = 30 * time.Second
	// ReadTimeout: a 4 MiB batch over 64 kbit/s takes about 9 minutes.
	ReadTimeout  = 15 * time.Minute
	WriteTimeout = 15 * time.Minute
	// IdleTimeout: a device does one round every few minutes; an idle
	// keep-alive connection holds one of MaxConns, so it goes after a minute.
	IdleTimeout = 60 * time.Second
)

// bodyGate admits request bodies within a byte budget and a per-client count.
type bodyGate struct {
	mu        sync.Mutex
	budget    int64 // bytes not yet reserved
	perClient int
	clients   map[string]int // bodies being read, by client address
	wake      chan struct{}  // closed and replaced whenever something is released
	wait      time.Duration
}

func newBodyGate(budget int64, perClient int, wait time.Duration) *bodyGate {
	return &bodyGate{budget: budget, perClient: perClient, clients: map[string]int{}, wake: make(chan struct{}), wait: wait}
}

// acquire reserves n bytes for client, waiting until ctx ends or the wait is
// over. It returns a release func, or nil when the hub is too busy.
func (g *bodyGate) acquire(ctx context.Context, client string, n int64) func() {
	timer := time.NewTimer(g.wait)
	defer timer.Stop()
	for {
		g.mu.Lock()
		if g.budget >= n && g.clients[client] < g.perClient {
			g.budget -= n
			g.clients[client]++
			g.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { g.release(client, n) }) }
		}
		wake := g.wake
		g.mu.Unlock()
		select {
		case <-wake:
		case <-timer.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
}

func (g *bodyGate) release(client string, n int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.budget += n
	if g.clients[client]--; g.clients[client] <= 0 {
		delete(g.clients, client)
	}
	close(g.wake)
	g.wake = make(chan struct{})
}

// admitBody sets r.Body to a reader of at most limit bytes, once the body
// got its share of the budget: hold bytes for a handler that streams the
// body (it holds at most that much of it at once), or, when hold is 0, the
// declared length (else limit) for one that reads it whole. It returns the
// release func to defer, or answers 413 (declared length over limit) or
// 503 (busy) and returns nil.
func (srv *Server) admitBody(w http.ResponseWriter, r *http.Request, limit, hold int64) func() {
	if r.ContentLength > limit {
		writeRefusal(w, hubstore.Refuse(syncproto.CodeTooLarge, "the request is larger than %d bytes", limit))
		return nil
	}
	n := hold
	if n <= 0 {
		n = limit
		if r.ContentLength >= 0 {
			n = r.ContentLength
		}
	}
	release := srv.gate.acquire(r.Context(), srv.clientAddr(r), n)
	if release == nil {
		w.Header().Set("Retry-After", "30")
		w.Header().Set("Connection", "close") // do not read the body we did not admit
		writeRefusal(w, hubstore.Refuse(syncproto.CodeBusy, "the hub is busy receiving other requests: try again in a moment"))
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return release
}

// clientAddr is the address of the client: the connection's peer, or,
// when the peer is a trusted reverse proxy, the last address of
// X-Forwarded-For that is not itself a trusted proxy. X-Forwarded-For from
// anyone else is ignored (a client could write anything there).
func (srv *Server) clientAddr(r *http.Request) string {
	peer := peerAddr(r)
	if len(srv.opt.TrustedProxies) == 0 {
		return peer
	}
	ip, err := netip.ParseAddr(peer)
	if err != nil || !srv.trusted(ip) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip.String() // a garbled hop: the proxy is the client we know
		}
		a = a.Unmap()
		if !srv.trusted(a) {
			return a.String()
		}
		ip = a
	}
	return ip.String()
}

func (srv *Server) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range srv.opt.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func peerAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.Unmap().String()
	}
	return host
}

// ParseTrustedProxies reads a comma-separated list of addresses or CIDR
// prefixes ("10.0.0.0/8,127.0.0.1").
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, &net.ParseError{Type: "trusted proxy address or CIDR prefix", Text: f}
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

package e2e

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// proxy is a TCP proxy on 127.0.0.1 in front of the hub. It can cut a
// connection after K bytes in either direction, and it can throttle both
// directions to a rate with a one-way delay (a simulated 2G link).
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	// cutUp: bytes device → hub after which a connection is cut; 0 never.
	cutUp int64
	// cutAnswerAfter: when > 0, a connection that has carried more than
	// this many bytes device → hub (a batch, not a health probe) is cut as
	// soon as the hub starts answering: the hub stored the batch, the
	// device never sees the ack.
	cutAnswerAfter int64
	// rate in bytes per second per direction (0: no limit), delay one way.
	rate  int
	delay time.Duration
	up    atomic.Int64 // bytes carried device → hub
	down  atomic.Int64 // bytes carried hub → device
	cuts  atomic.Int64
	wg    sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.wg.Wait() })
	return p
}

func (p *proxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) set(cutUp, cutAnswerAfter int64) {
	p.mu.Lock()
	p.cutUp, p.cutAnswerAfter = cutUp, cutAnswerAfter
	p.mu.Unlock()
}

func (p *proxy) throttle(rate int, delay time.Duration) {
	p.mu.Lock()
	p.rate, p.delay = rate, delay
	p.mu.Unlock()
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		cutUp, cutAnswer, rate, delay := p.cutUp, p.cutAnswerAfter, p.rate, p.delay
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer c.Close()
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer s.Close()
			done := make(chan struct{}, 2)
			cut := func() { c.Close(); s.Close(); p.cuts.Add(1) }
			var upHere atomic.Int64 // bytes device → hub on this connection
			go func() { p.pipe(s, c, cutUp, rate, delay, &p.up, &upHere, nil, cut); done <- struct{}{} }()
			var armed func() bool
			if cutAnswer > 0 {
				armed = func() bool { return upHere.Load() > cutAnswer }
			}
			go func() { p.pipe(c, s, 0, rate, delay, &p.down, nil, armed, cut); done <- struct{}{} }()
			<-done
			// One side finished: let the other drain briefly, then close both.
			select {
			case <-done:
			case <-time.After(30 * time.Second):
			}
		}()
	}
}

type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, cutting after limit bytes, pacing to rate with a
// one-way delay: each chunk leaves delay after it arrived, and no faster
// than rate (serialization on the slow link).
func (p *proxy) pipe(dst, src net.Conn, limit int64, rate int, delay time.Duration, count, here *atomic.Int64, cutNow func() bool, cut func()) {
	chunks := make(chan chunk, 1024)
	go func() {
		defer close(chunks)
		buf := make([]byte, 1024)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				chunks <- chunk{append([]byte(nil), buf[:n]...), time.Now()}
			}
			if err != nil {
				return
			}
		}
	}()
	var sent int64
	var free time.Time
	for ch := range chunks {
		b := ch.b
		if cutNow != nil && cutNow() {
			cut()
			for range chunks {
			}
			return
		}
		if limit > 0 && sent+int64(len(b)) > limit {
			b = b[:limit-sent]
			dst.Write(b)
			count.Add(int64(len(b)))
			cut()
			for range chunks {
			}
			return
		}
		if rate > 0 || delay > 0 {
			start := ch.at.Add(delay)
			if free.After(start) {
				start = free
			}
			if rate > 0 {
				free = start.Add(time.Duration(len(b)) * time.Second / time.Duration(rate))
			} else {
				free = start
			}
			if d := time.Until(free); d > 0 {
				time.Sleep(d)
			}
		}
		if _, err := dst.Write(b); err != nil {
			for range chunks {
			}
			return
		}
		sent += int64(len(b))
		count.Add(int64(len(b)))
		if here != nil {
			here.Add(int64(len(b)))
		}
	}
	// src closed: pass the half-close on.
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		dst.Close()
	}
}

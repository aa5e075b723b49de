package hubweb

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/devicesync"
	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// countingListener counts the bytes the hub reads and writes: what crosses
// the wire above TCP (HTTP headers included).
type countingListener struct {
	net.Listener
	in, out atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.out.Add(int64(n))
	return n, err
}

func countedServer(b testing.TB, s *hubstore.Store) (*httptest.Server, *countingListener) {
	ts := httptest.NewUnstartedServer(NewServer(s, Options{}))
	cl := &countingListener{Listener: ts.Listener}
	ts.Listener = cl
	ts.Start()
	b.Cleanup(ts.Close)
	return ts, cl
}

func copyFile(b testing.TB, from, to string) {
	src, err := os.Open(from)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		b.Fatal(err)
	}
	dst.Close()
}

// BenchmarkPush100k: a device database with a year of demo work (≈100,000
// events) pushes everything to a hub on loopback with the real device
// client (read the log, encode, sign, gzip, POST, verify, store, ack,
// mark synced), then pulls. Reports events/s end to end and bytes on the
// wire per event. The garbage collector is set as hub serve sets it. POSTDESK_BENCH_PUSH_DOSSIERS changes the size.
func BenchmarkPush100k(b *testing.B) {
	defer TuneGC()() // as hub serve does; the device's side, in this process, gets it too
	n := 15200       // ≈ 100,000 events at the demo's ≈6.6 events per dossier
	if v := os.Getenv("POSTDESK_BENCH_PUSH_DOSSIERS"); v != "" {
		fmt.Sscan(v, &n)
	}
	cached, err := demo.CachedDB(n)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var events, wire int64
	var elapsed, projected time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		devPath := filepath.Join(dir, "device.db")
		copyFile(b, cached, devPath)
		dev, err := store.Open(devPath)
		if err != nil {
			b.Fatal(err)
		}
		h, err := hubstore.Open(hubtest.NewDB(b))
		if err != nil {
			b.Fatal(err)
		}
		if h.IsPostgres() {
			h.SetCalendarDir(filepath.Join(dir, "calendar"))
		}
		ts, cl := countedServer(b, h)
		pctx, stopProjector := context.WithCancel(ctx)
		h.StartProjector(pctx, nil) // as `hub serve` does
		tok, _ := h.IssueToken(ctx, "600900", "", "bench")
		c := devicesync.New(dev)
		if _, err := c.Enroll(ctx, ts.URL, tok.Token); err != nil {
			b.Fatal(err)
		}
		last, _ := dev.LastSeq(ctx, "600900-A")
		in0, out0 := cl.in.Load(), cl.out.Load()
		b.StartTimer()
		start := time.Now()
		r, err := c.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		// The projection follows the acks; time until it has caught up too.
		if err := h.Project(ctx); err != nil {
			b.Fatal(err)
		}
		projected += time.Since(start)
		b.StopTimer()
		stopProjector()
		if r.AckedThrough != last {
			b.Fatalf("acked through %d of %d", r.AckedThrough, last)
		}
		var stored int64
		hubtest.DB(b, h).QueryRow("SELECT count(*) FROM hub_events").Scan(&stored)
		if stored != last {
			b.Fatalf("hub holds %d of %d", stored, last)
		}
		events += last
		wire += cl.in.Load() - in0 + cl.out.Load() - out0
		ts.Close()
		h.Close()
		dev.Close()
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(events)/projected.Seconds(), "projected-events/s")
	b.ReportMetric(float64(wire)/float64(events), "wire-B/event")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}

// BenchmarkPush200Devices: 200 devices push 500 events each (100,000
// events) at once to one hub on loopback (each encodes and signs its
// batch, posts it, verifies the ack). Every batch must be acked; reports
// events/s. On PostgreSQL (POSTDESK_TEST_HUB_DB=postgres) hubs=2 pushes the
// same to two hub servers on one database, the devices split between them:
// its events/s over hubs=1's is the issue's ratio of two hub processes to one.
func BenchmarkPush200Devices(b *testing.B) {
	for _, hubs := range []int{1, 2} {
		b.Run(fmt.Sprintf("hubs=%d", hubs), func(b *testing.B) { pushAtOnce(b, 200, 500, hubs) })
	}
}

// BenchmarkPush1000Devices: 1,000 devices push 100 events each at once,
// to two hub servers on one PostgreSQL database (to one hub on SQLite).
func BenchmarkPush1000Devices(b *testing.B) {
	hubs := 1
	if hubtest.Postgres() {
		hubs = 2
	}
	pushAtOnce(b, 1000, 100, hubs)
}

// pushAtOnce: devices push per events each at once, device j to hub j mod
// hubs. The hubs are hub servers of their own (each its store, connection
// pool, write queue, projector and HTTP server) on one database, in the
// benchmark's process: what two `hub serve` processes are, less a second Go
// runtime (internal/e2e TestTwoHubProcessesOnePostgres runs real processes).
// Every device is a client of its own in the field; here all come from
// 127.0.0.1, so the per-client body limit is raised to the devices' number.
func pushAtOnce(b *testing.B, devices, per, hubs int) {
	defer TuneGC()() // as hub serve does
	if hubs > 1 && !hubtest.Postgres() {
		b.Skip("several hub processes share a PostgreSQL database only (" + hubtest.StoreEnv + "=postgres)")
	}
	ctx := context.Background()
	var events int64
	var elapsed time.Duration
	var wire int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dsn := hubtest.NewDB(b)
		var stores []*hubstore.Store
		var servers []*httptest.Server
		var counters []*countingListener
		for k := 0; k < hubs; k++ {
			h, err := hubstore.Open(dsn)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { h.Close() })
			if h.IsPostgres() {
				h.SetCalendarDir(filepath.Join(b.TempDir(), "calendar"))
			}
			ts := httptest.NewUnstartedServer(NewServer(h, Options{PerClientBodies: devices, MaxConns: devices + 16}))
			cl := &countingListener{Listener: ts.Listener}
			ts.Listener = cl
			ts.Start()
			b.Cleanup(ts.Close)
			pctx, stop := context.WithCancel(ctx)
			b.Cleanup(stop)
			h.StartProjector(pctx, nil)
			stores, servers, counters = append(stores, h), append(servers, ts), append(counters, cl)
		}
		h := stores[0]
		devs := make([]*hubtest.Device, devices)
		for j := range devs {
			d := hubtest.NewDevice(b, fmt.Sprintf("6%05d", 1000+j/2), string(rune('A'+j%2)))
			d.Enroll(b, h)
			for len(d.Events) < per {
				id := d.Intake()
				d.Handover(id)
			}
			d.Events = d.Events[:per]
			devs[j] = d
		}
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: devices}}
		var in0, out0 int64
		for _, cl := range counters {
			in0, out0 = in0+cl.in.Load(), out0+cl.out.Load()
		}
		var failed atomic.Int64
		var once sync.Once
		var firstErr error
		fail := func(err error) {
			failed.Add(1)
			once.Do(func() { firstErr = err })
		}
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for j, d := range devs {
			wg.Add(1)
			go func(d *hubtest.Device, url string) {
				defer wg.Done()
				bt, _, err := syncproto.EncodeBatch(d.Key, d.ID, d.PP, "", 1, d.Events, 0, time.Now(), 0, 0)
				if err != nil {
					fail(err)
					return
				}
				resp, err := client.Post(url+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(bt.Raw))
				if err != nil {
					fail(err)
					return
				}
				signed, err := syncproto.ReadSignedResponse(resp)
				resp.Body.Close()
				if err != nil {
					fail(err)
					return
				}
				if a, err := syncproto.OpenAck(h.PublicKey(), signed, d.ID); err != nil || a.ThroughSeq != int64(per) {
					fail(fmt.Errorf("device %s: ack %+v, %v", d.ID, a, err))
				}
			}(d, servers[j%hubs].URL)
		}
		wg.Wait()
		elapsed += time.Since(start)
		b.StopTimer()
		if f := failed.Load(); f > 0 {
			b.Fatalf("%d of %d devices not acked; the first: %v", f, devices, firstErr)
		}
		var stored int64
		hubtest.DB(b, h).QueryRowContext(ctx, "SELECT count(*) FROM hub_events").Scan(&stored)
		if stored != int64(devices*per) {
			b.Fatalf("hub holds %d events, want %d", stored, devices*per)
		}
		events += int64(devices * per)
		for _, cl := range counters {
			wire += cl.in.Load() + cl.out.Load()
		}
		wire -= in0 + out0
		for _, ts := range servers {
			ts.Close()
		}
	}
	b.ReportMetric(float64(events)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(wire)/float64(events), "wire-B/event")
}

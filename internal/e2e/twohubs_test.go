package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"postdesk/internal/hub/hubstore"
	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// TestTwoHubProcessesOnePostgres: two `hub serve` processes on one
// PostgreSQL database behave as one hub. 50 devices push their batches to
// either process at random; some batches go to both at once, some again
// after their ack (a lost ack's retry); one process is SIGKILLed mid-run
// and started again. Every event is stored once, every device is acked
// through its last event, both processes answer a batch with the same
// signed ack, the report's kept counts equal a recount, and `hub check`
// passes.
func TestTwoHubProcessesOnePostgres(t *testing.T) {
	if !hubtest.Postgres() {
		t.Skip("several hub processes share a PostgreSQL database only (" + hubtest.StoreEnv + "=postgres)")
	}
	const devices, dossiers = 50, 20 // 40 events each
	hubDSN := hubtest.NewDB(t)
	hs, err := hubstore.Open(hubDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer hs.Close()
	var devs []*hubtest.Device
	for i := 0; i < devices; i++ {
		d := hubtest.NewDevice(t, fmt.Sprintf("6009%02d", i/5), string(rune('A'+i%5)))
		d.Enroll(t, hs)
		for j := 0; j < dossiers; j++ {
			d.Handover(d.Intake())
		}
		devs = append(devs, d)
	}
	h1 := startHub(t, hubDSN, "127.0.0.1:0")
	h2 := startHub(t, hubDSN, "127.0.0.1:0")
	hubs := []*hubProc{h1, h2}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client := &http.Client{Timeout: 20 * time.Second}
	// push sends body to hub i, retrying on the other process while one is
	// down or a request fails, until it is acked.
	var retries, twice atomic.Int64
	push := func(i int, body []byte) ([]byte, error) {
		for try := 0; ; try++ {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("not acked in time: %w", ctx.Err())
			}
			h := hubs[(i+try)%2]
			resp, err := client.Post(h.URL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(body))
			if err == nil {
				b, rerr := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK && rerr == nil {
					return b, nil
				}
				if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests {
					// a batch stored by the other process at the same moment
					// must be answered, not fail (no 500 from a unique constraint)
					return nil, fmt.Errorf("hub answered %d %s", resp.StatusCode, b)
				}
			}
			retries.Add(1)
			time.Sleep(time.Duration(20+mrand.IntN(80)) * time.Millisecond)
		}
	}
	var killed sync.Once
	var restarted atomic.Bool
	var pushed atomic.Int64
	total := int64(devices * dossiers * 2)
	errs := make(chan error, devices)
	var wg sync.WaitGroup
	for n, d := range devs {
		wg.Add(1)
		go func(n int, d *hubtest.Device) {
			defer wg.Done()
			r := mrand.New(mrand.NewPCG(uint64(n), 13))
			last := int64(len(d.Events))
			for from := int64(1); from <= last; {
				to := min(last, from+int64(r.IntN(6)))
				body := d.Batch(t, from, to)
				var ack []byte
				var err error
				if r.IntN(4) == 0 { // to both processes at once
					twice.Add(1)
					acks := make([][]byte, 2)
					var both sync.WaitGroup
					var errMu sync.Mutex
					for k := range 2 {
						both.Add(1)
						go func(k int) {
							defer both.Done()
							a, e := push(k, body)
							errMu.Lock()
							acks[k] = a
							if e != nil {
								err = e
							}
							errMu.Unlock()
						}(k)
					}
					both.Wait()
					if err == nil && !bytes.Equal(acks[0], acks[1]) {
						err = fmt.Errorf("%s seq %d–%d: the two processes answered different acks", d.ID, from, to)
					}
					ack = acks[0]
				} else {
					ack, err = push(r.IntN(2), body)
				}
				if err == nil && r.IntN(5) == 0 { // the ack was lost: the device sends the batch again
					var again []byte
					if again, err = push(r.IntN(2), body); err == nil && !bytes.Equal(again, ack) {
						err = fmt.Errorf("%s seq %d–%d: sent again, a different ack", d.ID, from, to)
					}
				}
				if err != nil {
					errs <- fmt.Errorf("%s: %w", d.ID, err)
					return
				}
				sg, err := syncproto.ParseSigned(ack)
				if err != nil {
					errs <- fmt.Errorf("%s: ack: %w", d.ID, err)
					return
				}
				a, err := syncproto.OpenAck(hs.PublicKey(), sg, d.ID)
				if err != nil {
					errs <- fmt.Errorf("%s: ack: %w", d.ID, err)
					return
				}
				if a.ThroughSeq != to {
					errs <- fmt.Errorf("%s: pushed through %d, acked through %d", d.ID, to, a.ThroughSeq)
					return
				}
				if pushed.Add(to-from+1) >= total/2 {
					killed.Do(func() { // one process dies mid-run and comes back
						wg.Add(1)
						go func() {
							defer wg.Done()
							h1.kill()
							time.Sleep(500 * time.Millisecond)
							h1.restart()
							restarted.Store(true)
						}()
					})
				}
				from = to + 1
			}
		}(n, d)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.Fatalf("hub 1:\n%s\nhub 2:\n%s", h1.Log(), h2.Log())
	}
	if !restarted.Load() {
		t.Fatal("hub 1 was not killed and restarted mid-run")
	}
	t.Logf("%d events from %d devices, %d batches to both processes at once, %d retries", pushed.Load(), devices, twice.Load(), retries.Load())

	db := hubDB(t, hubDSN)
	for _, d := range devs {
		want := int64(len(d.Events))
		n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.ID)
		head := queryInt(t, db, "SELECT head_seq FROM devices WHERE id = ?", d.ID)
		if n != want || head != want {
			t.Fatalf("%s: the hub holds %d events, head %d; the device made %d", d.ID, n, head, want)
		}
	}
	waitProjected(t, db)
	if got := queryInt(t, db, "SELECT coalesce(sum(received), 0) FROM hub_report_cells_total"); got != devices*dossiers {
		t.Fatalf("kept counts: %d intakes received, want %d", got, devices*dossiers)
	}
	if c := queryInt(t, db, "SELECT count(*) FROM conflicts"); c != 0 {
		t.Fatalf("%d conflicts", c)
	}
	if out := mustPD(t, "hub", "check", "--db", hubDSN); !strings.HasPrefix(out, "ok:") {
		t.Fatalf("hub check: %s", out)
	}
}

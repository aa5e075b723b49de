package hubstore_test

import (
	"fmt"
	"sync"
	"testing"

	"postdesk/internal/hub/hubtest"
	"postdesk/internal/syncproto"
)

// TestConcurrentBatchesOneRefused: 40 devices push at once, some twice
// (the same batch, as a retry), and two send a batch that does not follow
// what the hub holds. On PostgreSQL these batches share transactions
// (group commit, one savepoint each; on SQLite one transaction each): every good batch is stored once and
// acked through its last event, each duplicate gets the same ack, the two
// bad ones are refused (a gap) and store nothing, and the
// heads and the projection are exactly those of the good batches.
func TestConcurrentBatchesOneRefused(t *testing.T) {
	h := hubtest.Open(t)
	const devices, per = 40, 30
	devs := make([]*hubtest.Device, devices)
	for i := range devs {
		d := hubtest.NewDevice(t, fmt.Sprintf("6%05d", 2000+i/2), string(rune('A'+i%2)))
		d.Enroll(t, h)
		for len(d.Events) < per {
			d.Handover(d.Intake())
		}
		devs[i] = d
	}
	type answer struct {
		ack []byte
		err error
	}
	answers := make([][]answer, devices)
	var wg sync.WaitGroup
	for i, d := range devs {
		env := d.Batch(t, 1, per)
		sends := 1
		switch {
		case i == 7: // the hub holds nothing of it: a batch from seq 2 is a gap
			env = d.Batch(t, 2, per)
		case i == 13: // and from seq 11
			env = d.Batch(t, 11, per)
		case i%5 == 0:
			sends = 2 // a retry racing its own first send
		}
		answers[i] = make([]answer, sends)
		for k := 0; k < sends; k++ {
			wg.Add(1)
			go func(i, k int, env []byte) {
				defer wg.Done()
				r, err := h.ReceiveBatch(ctx, env, "http")
				if err == nil {
					answers[i][k] = answer{ack: r.Ack}
				} else {
					answers[i][k] = answer{err: err}
				}
			}(i, k, env)
		}
	}
	wg.Wait()
	stored := 0
	for i, d := range devs {
		for k, a := range answers[i] {
			if i == 7 || i == 13 {
				hubtest.WantCode(t, a.err, syncproto.CodeGap)
				continue
			}
			if a.err != nil {
				t.Fatalf("device %s send %d: %v", d.ID, k, a.err)
			}
			if got := hubtest.OpenAck(t, h, a.ack, d.ID); got.ThroughSeq != per {
				t.Errorf("device %s send %d acked through %d, want %d", d.ID, k, got.ThroughSeq, per)
			}
			if k == 1 && string(a.ack) != string(answers[i][0].ack) {
				t.Errorf("device %s: the retry got another ack than the first send", d.ID)
			}
		}
		if i != 7 && i != 13 {
			stored += per
		}
	}
	if n := hubtest.CountRows(t, h, "hub_events"); n != stored {
		t.Errorf("hub holds %d events, want %d (the good batches' only, once each)", n, stored)
	}
	if n := hubtest.CountRows(t, h, "batches"); n != devices-2 {
		t.Errorf("hub holds %d batches, want %d", n, devices-2)
	}
	if err := h.Project(ctx); err != nil {
		t.Fatal(err)
	}
	if n := hubtest.CountRows(t, h, "hub_dossiers"); n != stored/2 {
		t.Errorf("hub projects %d dossiers, want %d", n, stored/2)
	}
	if _, err := h.Check(ctx); err != nil {
		t.Errorf("hub check after the concurrent pushes: %v", err)
	}
}

package e2e

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/syncproto"

	"postdesk/internal/hub/hubtest"
)

// envelopes cuts a device's events from seq from..to into batches of size
// events, signed with key (the device's own when nil).
func (d *device) envelopes(from, to int64, size int, key ed25519.PrivateKey) [][]byte {
	d.t.Helper()
	ctx := context.Background()
	s := d.open()
	defer s.Close()
	if key == nil {
		var err error
		if key, err = s.DeviceKey(ctx); err != nil {
			d.t.Fatal(err)
		}
	}
	events, err := s.EventsAfter(ctx, d.id, from-1, int(to-from+1))
	if err != nil {
		d.t.Fatal(err)
	}
	var out [][]byte
	for len(events) > 0 {
		prev := events[0].PrevHash
		b, n, err := syncproto.EncodeBatch(key, d.id, d.pp, prev, events[0].Seq, events, 0, time.Now(), size, 0)
		if err != nil {
			d.t.Fatal(err)
		}
		out = append(out, b.Raw)
		events = events[n:]
	}
	return out
}

// post sends an envelope to the hub and returns the status and body.
func post(t testing.TB, hubURL string, env []byte) (int, []byte) {
	t.Helper()
	resp, err := http.Post(hubURL+syncproto.PathBatches, syncproto.ContentTypeBatch, bytes.NewReader(env))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func errCode(body []byte) string {
	var e syncproto.Error
	json.Unmarshal(body, &e)
	return e.Code
}

// TestFaults: the connection cut mid-upload (both ways), the hub killed
// with SIGKILL mid-ingest and restarted, duplicate and out-of-order
// batches, a flipped byte, a wrong key, a revoked device, a device clock
// hours off. After each: retry until quiet, then nothing lost, nothing
// doubled, chains intact on both sides.
func TestFaults(t *testing.T) {
	dir := t.TempDir()
	hubPath := hubtest.NewDB(t)
	h := startHub(t, hubPath, "127.0.0.1:0")

	t.Run("connection cut after K bytes", func(t *testing.T) {
		px := newProxy(t, h.addr)
		db := hubDB(t, hubPath)
		var devs []*device
		// Each cut on a fresh device with a year of work waiting (~2,000
		// events, far more than K bytes on the wire): the request never
		// reaches the hub whole, so nothing may be stored.
		for i, k := range []int64{100, 700, 4000, 30000} {
			d := newDevice(t, dir, "600910", string(rune('A'+i)), 300, 10+i)
			d.enroll(h, px.URL()) // the device knows the hub only through the proxy
			devs = append(devs, d)
			px.set(k, 0)
			if err := d.sync(); err == nil {
				t.Fatalf("cut after %d bytes: sync succeeded", k)
			}
			if n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.id); n != 0 {
				t.Fatalf("cut after %d bytes of the upload, yet the hub stored %d events", k, n)
			}
			px.set(0, 0)
			d.syncUntilQuiet()
			assertExactlyOnce(t, hubPath, d)
		}
		// The answer cut on its way back: the hub stored the batch but the
		// device never saw the ack; it sends again and gets the same ack.
		d := devs[0]
		d.work(30)
		px.set(0, 2000)
		if err := d.sync(); err == nil {
			t.Fatal("sync succeeded with the answer cut")
		}
		if n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.id); n != d.lastSeq() {
			t.Fatalf("the hub holds %d of %d events after the answer was cut", n, d.lastSeq())
		}
		var st struct {
			EventsWaiting int64 `json:"events_waiting"`
		}
		json.Unmarshal([]byte(mustPD(t, "status", "--db", d.db, "--json")), &st)
		if st.EventsWaiting != 60 {
			t.Fatalf("the device counts %d events waiting, want 60 (no ack seen)", st.EventsWaiting)
		}
		px.set(0, 0)
		d.syncUntilQuiet()
		assertExactlyOnce(t, hubPath, devs...)
		if px.cuts.Load() < 5 {
			t.Fatalf("the proxy cut %d connections", px.cuts.Load())
		}
	})

	t.Run("hub killed mid-ingest and restarted", func(t *testing.T) {
		d := newDevice(t, dir, "600911", "A", 2500, 11) // ~17,000 events: several batches
		d.enroll(h, h.URL)
		db := hubDB(t, hubPath)
		for round := 0; round < 3; round++ {
			if round > 0 {
				d.work(400)
			}
			base := queryInt(t, db, "SELECT head_seq FROM devices WHERE id = ?", d.id)
			done := make(chan error, 1)
			go func() { done <- d.sync() }()
			// Kill as soon as the hub has committed part of this round (or a
			// moment after the upload started): mid-ingest of what follows.
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				if queryInt(t, db, "SELECT head_seq FROM devices WHERE id = ?", d.id) > base {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			h.kill()
			<-done // the device's round fails or finishes; either way it stops
			h.restart()
			d.syncUntilQuiet()
			assertExactlyOnce(t, hubPath, d)
		}
	})

	t.Run("duplicate and out-of-order batches, flipped byte, wrong key", func(t *testing.T) {
		d := newDevice(t, dir, "600912", "A", 100, 12)
		d.enroll(h, h.URL)
		last := d.lastSeq()
		envs := d.envelopes(1, last, 100, nil)
		if len(envs) < 4 {
			t.Fatalf("%d batches", len(envs))
		}
		db := hubDB(t, hubPath)
		count := func() int64 { return queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.id) }
		// Out of order: the second batch first is a gap naming seq 1.
		code, body := post(t, h.URL, envs[1])
		if code != http.StatusConflict || errCode(body) != syncproto.CodeGap {
			t.Fatalf("out of order: %d %s", code, body)
		}
		code, ack1 := post(t, h.URL, envs[0])
		if code != 200 {
			t.Fatalf("first batch: %d %s", code, ack1)
		}
		// Duplicate: the very same ack, nothing stored twice.
		n := count()
		code, again := post(t, h.URL, envs[0])
		if code != 200 || !bytes.Equal(again, ack1) || count() != n {
			t.Fatalf("duplicate: %d, same ack %v, %d → %d events", code, bytes.Equal(again, ack1), n, count())
		}
		// A flipped byte anywhere: refused, nothing stored.
		for _, at := range []int{10, len(envs[1]) / 2, len(envs[1]) - 70, len(envs[1]) - 1} {
			bad := append([]byte(nil), envs[1]...)
			bad[at] ^= 0x20
			code, body := post(t, h.URL, bad)
			if code == 200 || count() != n {
				t.Fatalf("flipped byte at %d: %d %s", at, code, body)
			}
		}
		// Signed with another key: refused.
		_, wrong, _ := ed25519.GenerateKey(rand.Reader)
		forged := d.envelopes(1+int64(n), last, 100, wrong)
		if code, body := post(t, h.URL, forged[0]); code != http.StatusUnauthorized || errCode(body) != syncproto.CodeBadSignature || count() != n {
			t.Fatalf("wrong key: %d %s", code, body)
		}
		// The rest out of order and twice; then the device settles it.
		for i := len(envs) - 1; i >= 1; i-- {
			post(t, h.URL, envs[i])
		}
		for _, e := range envs {
			post(t, h.URL, e)
		}
		d.syncUntilQuiet()
		assertExactlyOnce(t, hubPath, d)
	})

	t.Run("revoked device", func(t *testing.T) {
		d := newDevice(t, dir, "600913", "A", 30, 13)
		other := newDevice(t, dir, "600913", "B", 30, 14)
		d.enroll(h, h.URL)
		other.enroll(h, h.URL)
		d.syncUntilQuiet()
		other.syncUntilQuiet()
		held := d.lastSeq()
		mustPD(t, "hub", "revoke", "--db", hubPath, "--device", d.id, "--reason", "máy bị mất")
		d.work(3)
		if err := d.sync(); err == nil || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("a revoked device synced: %v", err)
		}
		db := hubDB(t, hubPath)
		if n := queryInt(t, db, "SELECT count(*) FROM hub_events WHERE device_id = ?", d.id); n != held {
			t.Fatalf("the hub holds %d events of the revoked device, want %d", n, held)
		}
		var st struct {
			Revoked bool `json:"revoked"`
		}
		json.Unmarshal([]byte(mustPD(t, "status", "--db", d.db, "--json")), &st)
		if !st.Revoked {
			t.Fatal("the device does not know it was revoked")
		}
		// The other device of the post point carries on and learns of it.
		other.work(2)
		other.syncUntilQuiet()
		assertExactlyOnce(t, hubPath, other)
		d.check()
	})

	t.Run("device clock hours off", func(t *testing.T) {
		for i, off := range []time.Duration{7 * time.Hour, -9 * time.Hour} {
			d := newDevice(t, dir, "600914", string(rune('A'+i)), 20, 15+i)
			d.enroll(h, h.URL)
			s := d.open()
			now := func() time.Time { return time.Now().Add(off) }
			s.Now = now
			ctx := context.Background()
			procs, _ := s.Procedures(ctx)
			var p domain.Procedure
			for _, x := range procs {
				if x.BCCIIntake && x.AgencyCode != "" {
					p = x
					break
				}
			}
			doss, err := s.Intake(ctx, "gdv1", domain.Dossier{Option: domain.OptionSend, ProcedureCode: p.Code, ProcedureName: p.Name,
				AgencyCode: p.AgencyCode, Applicant: domain.Person{FullName: "Nay H'Nhi", IDNumber: "064302009876", IDType: domain.IDCCCD},
				Place: domain.PlaceCounter})
			if err != nil {
				t.Fatal(err)
			}
			c := devicesync.New(s)
			c.Now = now
			if _, err := c.RunOnce(ctx); err != nil {
				t.Fatalf("clock %v off: %v", off, err)
			}
			// Once more: the pull is signed with the corrected clock.
			if _, err := c.RunOnce(ctx); err != nil {
				t.Fatalf("clock %v off, second round: %v", off, err)
			}
			s.Close()
			assertExactlyOnce(t, hubPath, d)
			db := hubDB(t, hubPath)
			if n := queryInt(t, db, "SELECT count(*) FROM hub_dossiers WHERE id = ?", doss.ID); n != 1 {
				t.Fatalf("the dossier taken with the clock %v off is not at the hub", off)
			}
		}
	})
}

package devicesync

import (
	"context"
	"crypto/ed25519"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"postdesk/internal/catalog"
	"postdesk/internal/demo"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

var (
	demoOnce   sync.Once
	demoEvents []domain.Event
	demoErr    error
)

// demoLog is the event log of a 2 000-dossier demo post point: a realistic
// mix of intakes (full applicant data), handovers, outcomes and deliveries.
func demoLog(b testing.TB) []domain.Event {
	demoOnce.Do(func() {
		dir, err := osMkdirTemp()
		if err != nil {
			demoErr = err
			return
		}
		s, err := store.Open(dir + "/demo.db")
		if err != nil {
			demoErr = err
			return
		}
		defer s.Close()
		if demoErr = prepareDemo(s); demoErr != nil {
			return
		}
		if _, demoErr = demo.Seed(context.Background(), s, demo.Options{Dossiers: 2000, Seed: 1}); demoErr != nil {
			return
		}
		dev, _, _ := s.Device(context.Background())
		demoEvents, demoErr = s.EventsAfter(context.Background(), dev.ID(), 0, 1<<30)
	})
	if demoErr != nil {
		b.Fatal(demoErr)
	}
	return demoEvents
}

// syntheticLog re-chains the demo events up to n events (the demo log
// repeated with new sequence numbers), as one device's log.
func syntheticLog(b testing.TB, n int) []domain.Event {
	src := demoLog(b)
	out := make([]domain.Event, n)
	prev := ""
	for i := range out {
		e := src[i%len(src)]
		e.DeviceID, e.Seq = "600900-A", int64(i+1)
		e.Seal(prev)
		prev = e.Hash
		out[i] = e
	}
	return out
}

// BenchmarkEncode100k: encode, compress and sign 100 000 events into
// batches as the device does (5 000 per batch); reports bytes per event.
func BenchmarkEncode100k(b *testing.B) {
	events := syntheticLog(b, 100000)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	now := time.Now()
	b.ResetTimer()
	var wire int
	for i := 0; i < b.N; i++ {
		wire = 0
		prev, rest := "", events
		for len(rest) > 0 {
			bt, n, err := syncproto.EncodeBatch(key, "600900-A", "600900", prev, 1, rest, 0, now, 0, 0)
			if err != nil {
				b.Fatal(err)
			}
			wire += len(bt.Raw)
			prev, rest = rest[n-1].Hash, rest[n:]
		}
	}
	b.ReportMetric(float64(wire)/float64(len(events)), "wire-B/event")
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDecode100k: what the hub does with them (parse, verify, gunzip, chain).
func BenchmarkDecode100k(b *testing.B) {
	events := syntheticLog(b, 100000)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := key.Public().(ed25519.PublicKey)
	var envs [][]byte
	prev, rest := "", events
	for len(rest) > 0 {
		bt, n, err := syncproto.EncodeBatch(key, "600900-A", "600900", prev, 1, rest, 0, time.Now(), 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		envs = append(envs, bt.Raw)
		prev, rest = rest[n-1].Hash, rest[n:]
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, env := range envs {
			if _, _, err := syncproto.DecodeBatch(env, pub); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(events))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPushLoopback: a device with the demo log (≈12 000 events)
// pushes everything to the in-memory test hub over 127.0.0.1.
func BenchmarkPushLoopback(b *testing.B) {
	events := demoLog(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir, _ := osMkdirTemp()
		s, err := store.Open(dir + "/d.db")
		if err != nil {
			b.Fatal(err)
		}
		if err := prepareDemo(s); err != nil {
			b.Fatal(err)
		}
		demo.Seed(context.Background(), s, demo.Options{Dossiers: 2000, Seed: 1})
		h := newFakeHub(b)
		srv := httptest.NewServer(h)
		c := New(s)
		dev, _, _ := s.Device(context.Background())
		if _, err := c.Enroll(context.Background(), srv.URL, h.token(dev.PostPointCode)); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r, err := c.RunOnce(context.Background())
		b.StopTimer()
		if err != nil || r.Pushed < len(events)-10 {
			b.Fatalf("%+v %v", r, err)
		}
		b.ReportMetric(float64(r.Pushed)/r.FinishedAt.Sub(r.StartedAt).Seconds(), "events/s")
		srv.Close()
		s.Close()
		b.StartTimer()
	}
}

func osMkdirTemp() (string, error) { return os.MkdirTemp("", "postdesk-sync-bench") }

// prepareDemo sets up the demo post point and the sample catalog, like
// desk.PrepareDemo without its staff accounts.
func prepareDemo(s *store.Store) error {
	ctx := context.Background()
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, "A"); err != nil {
		return err
	}
	f, err := catalog.Sample()
	if err != nil {
		return err
	}
	_, err = s.ImportCatalog(ctx, "demo", store.CatalogImport{FileName: f.Name, SHA256: f.SHA256, Agencies: f.Agencies, Procedures: f.Procedures})
	return err
}

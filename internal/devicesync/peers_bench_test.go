package devicesync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// benchPostPoint opens a device of post point 600900 with letter, seeded
// with n demo dossiers (n = 0: the demo catalog and staff only).
func benchPostPoint(b testing.TB, dir, letter string, n int, seed uint64) *store.Store {
	b.Helper()
	ctx := context.Background()
	s, err := store.Open(filepath.Join(dir, "pp-"+letter+".db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if err := s.Setup(ctx, domain.PostPoint{Code: "600900", Name: "Bưu điện Văn hóa xã Ia O", Commune: "Ia O", Province: "Gia Lai"}, letter); err != nil {
		b.Fatal(err)
	}
	if err := desk.New(s).PrepareDemo(ctx); err != nil {
		b.Fatal(err)
	}
	if n > 0 {
		if _, err := demo.Seed(ctx, s, demo.Options{Dossiers: n, Seed: seed}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// envelopes cuts a device's whole log into signed batches as it pushes
// them (5,000 events each), as the hub relays them.
func envelopes(b testing.TB, s *store.Store) ([]*syncproto.Batch, int) {
	b.Helper()
	var out []*syncproto.Batch
	var after int64
	for {
		bt := ownBatch(b, s, after, syncproto.DefaultBatchEvents)
		if bt.Header.Count == 0 {
			return out, int(after)
		}
		out = append(out, bt)
		after = bt.Header.LastSeq
	}
}

// BenchmarkPeerDay: a laptop's day — 100 home intakes, each handed over
// and noted (300 events) — applied on a counter that holds 2,000 dossiers
// of its own. Target ≤ 1 s. Also the bytes of the peer answer per event
// (the relayed envelopes with their framing). Target ≤ 200 B.
func BenchmarkPeerDay(b *testing.B) {
	dir := b.TempDir()
	laptop := benchPostPoint(b, dir, "B", 0, 0)
	// Its setup (staff, the catalog) came before the day: applied untimed.
	setup := ownBatch(b, laptop, 0, 1000)
	for i := 0; i < 100; i++ {
		d, err := laptop.Intake(ctx, "buuta1", dossier(fmt.Sprintf("Rơ Mah H'Bích %d", i), fmt.Sprintf("0641900%05d", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := laptop.Record(ctx, "buuta1", domain.KindHandover, d.ID, domain.HandoverPayload{HandoverID: "BB-1", Officer: "Ksor Y Bhin"}); err != nil {
			b.Fatal(err)
		}
		if _, _, err := laptop.Record(ctx, "buuta1", domain.KindNote, d.ID, domain.NotePayload{Text: "Công dân hẹn gọi lại buổi chiều"}); err != nil {
			b.Fatal(err)
		}
	}
	day := ownBatch(b, laptop, setup.Header.LastSeq, 1000)
	events := day.Header.Count
	stream := syncproto.EncodePeerStream([][]byte{day.Raw}, false)
	counter := benchPostPoint(b, dir, "A", 2000, 7)
	tmpl := filepath.Join(dir, "counter.db")
	if err := counter.PlainCopy(ctx, tmpl); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, "run-"+strconv.Itoa(i)+".db")
		copyFile(b, tmpl, path)
		s, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		knows(b, s, laptop)
		if res, err := ApplyPeerBatches(ctx, s, []*syncproto.Batch{setup}, "hub"); err != nil || res.Refused != 0 {
			b.Fatalf("setup: %+v %v", res, err)
		}
		b.StartTimer()
		got, _, err := syncproto.DecodePeerStream(stream)
		if err != nil {
			b.Fatal(err)
		}
		res, err := ApplyPeerBatches(ctx, s, got, "hub")
		if err != nil || res.Events != events {
			b.Fatalf("%+v %v", res, err)
		}
		b.StopTimer()
		s.Close()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(stream))/float64(events), "B/event")
	b.ReportMetric(float64(events), "events/day")
}

// BenchmarkPeerCatchUp: a new device of a post point whose 5 devices hold
// POSTDESK_BENCH_DOSSIERS dossiers together (200,000 by default, about six
// events each) takes every one of their logs. Target ≤ 60 s.
func BenchmarkPeerCatchUp(b *testing.B) {
	total := 200000
	if v := os.Getenv("POSTDESK_BENCH_DOSSIERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			b.Fatalf("POSTDESK_BENCH_DOSSIERS=%q is not a positive number", v)
		}
		total = n
	}
	dir := b.TempDir()
	var devs []*store.Store
	var all []*syncproto.Batch
	events := 0
	for i, l := range []string{"A", "B", "C", "D", "E"} {
		s := benchPostPoint(b, dir, l, total/5, uint64(i+1))
		envs, n := envelopes(b, s)
		devs, all, events = append(devs, s), append(all, envs...), events+n
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fresh := benchPostPoint(b, b.TempDir(), "F", 0, 0)
		for _, d := range devs {
			knows(b, fresh, d)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), cpuTime(b)
		// As pullPeers: the hub's answers of PeerAnswerBudget, in bulk
		// after the first that says more follow, then the projection.
		got, rebuild := catchUpTimed(b, fresh, peerPages(all))
		if got != events {
			b.Fatalf("%d events stored of %d", got, events)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/catch-up")
		b.ReportMetric(rebuild.Seconds(), "s/rebuild") // the projection built at the end, of the above
		// The process's CPU time over the catch-up: on a loaded machine
		// the wall time above waits for the CPU, this does not.
		b.ReportMetric((cpuTime(b) - cpu0).Seconds(), "cpu-s/catch-up")
	}
	b.ReportMetric(float64(events), "events")
}

// peerPages cuts envelopes into the pages the hub answers (docs/sync-protocol.md
// §11.1: envelopes until the answer passes PeerAnswerBudget).
func peerPages(all []*syncproto.Batch) [][]*syncproto.Batch {
	var pages [][]*syncproto.Batch
	var cur []*syncproto.Batch
	size := 0
	for _, b := range all {
		cur, size = append(cur, b), size+len(b.Raw)
		if size > syncproto.PeerAnswerBudget {
			pages, cur, size = append(pages, cur), nil, 0
		}
	}
	if len(cur) > 0 {
		pages = append(pages, cur)
	}
	return pages
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}

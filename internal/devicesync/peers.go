package devicesync

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"time"

	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// pullPeers fetches the other devices' batch envelopes of this post point
// from the hub and stores them (ApplyPeerBatches), page after page.
func (c *Client) pullPeers(ctx context.Context, st store.SyncState, r *Round) (err error) {
	cu := &catchUp{s: c.Store}
	defer func() {
		// What a bulk catch-up stored is projected even when it stops
		// half way (the next round goes on); not when the app is closing
		// (the next Open builds it).
		if ctx.Err() == nil {
			if ferr := cu.finish(ctx); err == nil {
				err = ferr
			}
		}
	}()
	dev, _, err := c.Store.Device(ctx)
	if err != nil {
		return err
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return err
	}
	for pages := 0; pages < 10000; pages++ {
		have, err := c.Store.PeerHeads(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequest(http.MethodGet, st.HubURL+syncproto.PeersURL(dev.ID(), have), nil)
		if err != nil {
			return err
		}
		syncproto.SignRequest(req, key, dev.ID(), nil, c.hubNow())
		data, err := c.do(ctx, req, 60*time.Second+time.Duration(syncproto.PeerAnswerBudget/8192)*time.Second)
		var pe *syncproto.Error
		if errors.As(err, &pe) && pe.Code == syncproto.CodeRevoked {
			return c.revoked(ctx, st.HubSignKey, dev.ID(), pe)
		}
		if err != nil {
			return err
		}
		batches, more, err := syncproto.DecodePeerStream(data)
		if err != nil {
			return err
		}
		res, err := cu.page(ctx, batches, more)
		r.PeerEvents += res.Events
		r.PeerRefused += res.Refused
		if err != nil {
			return err
		}
		if !more || res.Events == 0 {
			return nil
		}
	}
	return nil
}

// PeerResult is what ApplyPeerBatches did.
type PeerResult struct {
	Events  int // new events stored
	Refused int // batches refused whole (each noted for the Sync screen)
}

// ApplyPeerBatches verifies each batch of another device with that
// device's own key (known from the hub's key updates or a pairing) and
// stores its events (store.StorePeerRuns: the chain linked to what is
// held, a revoked device's later events refused), all the batches in one
// transaction, each all or nothing. A batch that fails is refused whole and
// noted (store.PeerRefusals); the later batches of the same device are then
// skipped (they cannot link), the other devices' go on.
func ApplyPeerBatches(ctx context.Context, s *store.Store, batches []*syncproto.Batch, via string) (PeerResult, error) {
	return applyPeerBatches(ctx, s, batches, via, false)
}

// applyPeerBatches is ApplyPeerBatches, storing in bulk when bulk (catchUp).
func applyPeerBatches(ctx context.Context, s *store.Store, batches []*syncproto.Batch, via string, bulk bool) (PeerResult, error) {
	var res PeerResult
	// The origins' keys first (the store), then every batch's signature,
	// body and hashes checked on all the cores: a catch-up's pages are
	// thousands of batches.
	keys := map[string]store.PeerKey{}
	checked := make([]peerCheck, len(batches))
	for i, b := range batches {
		origin := b.Header.Device
		if err := syncproto.CheckDeviceID(origin, b.Header.PostPoint); err != nil {
			checked[i].err = peerRefusal(b, "foreign", err)
			continue
		}
		if _, ok := keys[origin]; !ok {
			k, known, err := s.PeerKeyOf(ctx, origin)
			if err != nil {
				return res, err
			}
			if !known {
				checked[i].err = peerRefusal(b, "unknown_key", errors.New("no key of this device is known here yet (the hub's key updates bring it)"))
				continue
			}
			keys[origin] = k
		}
	}
	// Each batch is taken by the store as soon as it is verified, in
	// order, inside the page's one transaction: the verification of the
	// later batches overlaps the storing of the earlier ones.
	ready := make([]chan struct{}, len(batches))
	toVerify := 0
	for i := range ready {
		ready[i] = make(chan struct{})
		if checked[i].err != nil {
			close(ready[i])
		} else {
			toVerify++
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				checked[i].events, checked[i].err = verifyPeerBatch(batches[i], keys[batches[i].Header.Device].Public)
				close(ready[i])
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range batches {
			if checked[i].err != nil {
				continue
			}
			select {
			case next <- i:
			case <-stop: // the store gave up: verify no more
				return
			}
		}
	}()
	blocked := map[string]bool{}
	var refusals []*store.PeerError
	runs := store.PeerRuns{Batches: len(batches), Runs: func(yield func(store.PeerRun) bool) {
		for i, b := range batches {
			<-ready[i]
			origin := b.Header.Device
			if blocked[origin] {
				continue
			}
			if pe := checked[i].err; pe != nil {
				refusals, blocked[origin] = append(refusals, pe), true
				continue
			}
			if !yield(store.PeerRun{Origin: origin, Events: checked[i].events, Envelope: b.Raw}) {
				return
			}
		}
	}}
	for origin := range keys {
		runs.Origins = append(runs.Origins, origin)
	}
	var out []store.PeerRunResult
	var err error
	if toVerify > 0 {
		out, err = s.StorePeerRunsFrom(ctx, runs, bulk)
	} else {
		runs.Runs(func(store.PeerRun) bool { return true }) // only refusals: noted below
	}
	close(stop)
	wg.Wait()
	if err != nil {
		return res, err
	}
	for _, o := range out {
		var pe *store.PeerError
		if errors.As(o.Err, &pe) {
			refusals = append(refusals, pe)
		}
		res.Events += o.Added
	}
	for _, pe := range refusals {
		res.Refused++
		if err := s.NotePeerRefusal(ctx, via, pe); err != nil {
			return res, err
		}
	}
	return res, nil
}

type peerCheck struct {
	events []domain.Event
	err    *store.PeerError
}

func peerRefusal(b *syncproto.Batch, code string, err error) *store.PeerError {
	return &store.PeerError{Device: b.Header.Device, Seq: b.Header.FirstSeq, Code: code, Reason: err.Error()}
}

// verifyPeerBatch checks a batch's signature with its origin's key and its
// events (body, lines, hashes, chain); a refusal says why.
func verifyPeerBatch(b *syncproto.Batch, key ed25519.PublicKey) ([]domain.Event, *store.PeerError) {
	if err := b.Verify(key); err != nil {
		return nil, peerRefusal(b, "bad_signature", err)
	}
	events, err := b.Events()
	if err != nil {
		return nil, peerRefusal(b, "corrupt", err)
	}
	return events, nil
}

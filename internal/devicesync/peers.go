package devicesync

import (
	"context"
	"errors"
	"net/http"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// pullPeers fetches the other devices' batch envelopes of this post point
// from the hub and stores them (ApplyPeerBatches), page after page.
func (c *Client) pullPeers(ctx context.Context, st store.SyncState, r *Round) error {
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
		res, err := ApplyPeerBatches(ctx, c.Store, batches, "hub")
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
// stores its events (store.StorePeerEvents: the chain linked to what is
// held, a revoked device's later events refused). A batch that fails is
// refused whole and noted (store.PeerRefusals); the later batches of the
// same device are then skipped (they cannot link), the other devices' go on.
func ApplyPeerBatches(ctx context.Context, s *store.Store, batches []*syncproto.Batch, via string) (PeerResult, error) {
	var res PeerResult
	blocked := map[string]bool{}
	for _, b := range batches {
		origin := b.Header.Device
		if blocked[origin] {
			continue
		}
		n, err := applyPeerBatch(ctx, s, b)
		var pe *store.PeerError
		if errors.As(err, &pe) {
			res.Refused++
			blocked[origin] = true
			if nerr := s.NotePeerRefusal(ctx, via, pe); nerr != nil {
				return res, nerr
			}
			continue
		}
		if err != nil {
			return res, err
		}
		res.Events += n
	}
	return res, nil
}

func applyPeerBatch(ctx context.Context, s *store.Store, b *syncproto.Batch) (int, error) {
	origin := b.Header.Device
	refuse := func(code string, err error) (int, error) {
		return 0, &store.PeerError{Device: origin, Seq: b.Header.FirstSeq, Code: code, Reason: err.Error()}
	}
	if err := syncproto.CheckDeviceID(origin, b.Header.PostPoint); err != nil {
		return refuse("foreign", err)
	}
	key, known, err := s.PeerKeyOf(ctx, origin)
	if err != nil {
		return 0, err
	}
	if !known {
		return refuse("unknown_key", errors.New("no key of this device is known here yet (the hub's key updates bring it)"))
	}
	if err := b.Verify(key.Public); err != nil {
		return refuse("bad_signature", err)
	}
	events, err := b.Events()
	if err != nil {
		return refuse("corrupt", err)
	}
	return s.StorePeerEvents(ctx, origin, events)
}

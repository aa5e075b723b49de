package devicesync

import (
	"context"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// catchUp applies the hub's answers of peer events (GET /v1/peers) one
// after another. As soon as an answer says more follow — the device is at
// least a whole answer behind, a new device's catch-up — the rest are
// stored in bulk (store.StorePeerRunsBulk: every check as strong, the
// dossiers' projection left stale), and finish builds the projection once
// (store.RebuildProjection). A day's round, one answer, is projected as it
// is stored.
type catchUp struct {
	s    *store.Store
	bulk bool
}

// page applies one answer; more says the hub has more after it.
func (c *catchUp) page(ctx context.Context, batches []*syncproto.Batch, more bool) (PeerResult, error) {
	if more {
		c.bulk = true
	}
	return applyPeerBatches(ctx, c.s, batches, "hub", c.bulk)
}

// finish builds the projection a bulk catch-up left stale (nothing when
// none was).
func (c *catchUp) finish(ctx context.Context) error {
	_, err := c.s.RebuildProjection(ctx)
	return err
}

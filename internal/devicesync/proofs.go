package devicesync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// pushProofs sends the delivery proofs the hub does not hold yet, each as
// kept (encrypted to the proof key and the hub), in parts (§12), and marks
// one sent only on the hub's signed ack that it holds it whole. A proof
// sealed before the device was enrolled is sealed again to the hub first,
// which needs the proof key open (a staff sign-in): until then it waits,
// counted in the round.
func (c *Client) pushProofs(ctx context.Context, st store.SyncState, r *Round) error {
	unsent, err := c.Store.UnsentProofs(ctx)
	if err != nil || len(unsent) == 0 {
		return err
	}
	dev, _, err := c.Store.Device(ctx)
	if err != nil {
		return err
	}
	key, err := c.Store.DeviceKey(ctx)
	if err != nil {
		return err
	}
	for _, u := range unsent {
		if err := ctx.Err(); err != nil {
			return err
		}
		if u.HubRecipient != st.HubAgeRecipient {
			if err := c.Store.ResealProof(ctx, u.Name); errors.Is(err, store.ErrProofLocked) {
				r.ProofsWaiting++
				continue
			} else if err != nil {
				return err
			}
		}
		data, sum, err := c.Store.SealedProofFile(u.Name)
		if err != nil {
			return err
		}
		p := syncproto.ProofPart{Device: dev.ID(), Dossier: u.Dossier, Name: u.Name, Size: int64(len(data)), SHA256: sum}
		for {
			ack, err := c.sendProofPart(ctx, st.HubURL, st.HubSignKey, key, p, data[p.Offset:p.Offset+p.PartLen()])
			var pe *syncproto.Error
			if errors.As(err, &pe) && pe.Code == syncproto.CodeRevoked {
				return c.revoked(ctx, st.HubSignKey, dev.ID(), pe)
			}
			if err != nil {
				return err
			}
			if ack.Complete {
				if err := c.Store.MarkProofSent(ctx, u.Name, sum); err != nil {
					return err
				}
				r.ProofsSent++
				break
			}
			if ack.Received <= p.Offset || ack.Received%syncproto.ProofPartSize != 0 {
				return syncproto.Errorf(syncproto.CodeInternal, "the hub holds %d bytes of %s after the part at %d: no progress",
					ack.Received, u.Name, p.Offset)
			}
			p.Offset = ack.Received
		}
	}
	return nil
}

// sendProofPart puts one part and returns the hub's verified ack.
func (c *Client) sendProofPart(ctx context.Context, hubURL string, hubKey ed25519.PublicKey, key ed25519.PrivateKey,
	p syncproto.ProofPart, part []byte) (syncproto.ProofAck, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequest(http.MethodPut, hubURL+p.URL(), bytes.NewReader(part))
		if err != nil {
			return syncproto.ProofAck{}, err
		}
		req.Header.Set("Content-Type", syncproto.ContentTypeAge)
		syncproto.SignRequest(req, key, p.Device, part, c.hubNow())
		data, err := c.do(ctx, req, 5*time.Minute)
		var pe *syncproto.Error
		if errors.As(err, &pe) && pe.Code == syncproto.CodeClockSkew && pe.HubTime != nil && attempt == 0 {
			c.setOffset(*pe.HubTime, c.Now())
			continue
		}
		if err != nil {
			return syncproto.ProofAck{}, err
		}
		s, err := syncproto.ParseSigned(data)
		if err != nil {
			return syncproto.ProofAck{}, err
		}
		return syncproto.OpenProofAck(hubKey, s, p)
	}
}

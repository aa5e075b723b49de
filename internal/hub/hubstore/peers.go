package hubstore

import (
	"context"
	"errors"

	"postdesk/internal/syncproto"
)

// PeerEnvelopes answers a device's GET /v1/peers: the batch envelopes of the
// other devices of its post point (never another post point's) with events
// after what it holds (have: device → last seq held), each device's in
// order, as their devices signed them, until syncproto.PeerAnswerBudget
// bytes; more says the hub holds more. A revoked device's envelopes stored
// before its revocation are still handed on (what it sent stays); the hub
// refuses its later batches. A device's envelopes stop at the first one the
// hub's retention dropped (purge.go): the receiver would refuse the rest
// as a gap; it gets them from that device itself.
func (s *Store) PeerEnvelopes(ctx context.Context, deviceID string, have map[string]int64) ([][]byte, bool, error) {
	dev, err := s.Device(ctx, deviceID)
	if errors.Is(err, ErrNotFound) {
		return nil, false, Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", deviceID)
	}
	if err != nil {
		return nil, false, err
	}
	if dev.Revoked() {
		return nil, false, s.revokedError(dev)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT id FROM devices WHERE post_point_code = ? AND id <> ? ORDER BY id", dev.PostPointCode, dev.ID)
	if err != nil {
		return nil, false, err
	}
	var peers []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, false, err
		}
		peers = append(peers, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	var out [][]byte
	size := 0
	for _, p := range peers {
		after := have[p]
		rows, err := s.db.QueryContext(ctx, "SELECT first_seq, last_seq, envelope FROM hub_envelopes WHERE device_id = ? AND last_seq > ? ORDER BY last_seq, batch",
			p, after)
		if err != nil {
			return nil, false, err
		}
		for rows.Next() {
			if size >= syncproto.PeerAnswerBudget || len(out) == syncproto.MaxPeerEnvelopes {
				rows.Close()
				return out, true, nil
			}
			var first, last int64
			var env []byte
			if err := rows.Scan(&first, &last, &env); err != nil {
				rows.Close()
				return nil, false, err
			}
			if last <= after {
				continue // a second envelope ending at the same seq (an overlap re-sent)
			}
			if first > after+1 {
				break // a hole (an envelope the retention dropped, or events from before migration 005): the receiver would refuse the rest
			}
			out = append(out, env)
			size += len(env)
			after = last
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, false, err
		}
	}
	return out, false, nil
}

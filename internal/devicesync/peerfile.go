package devicesync

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// Peer files (docs/sync-protocol.md §11.4): when the hub cannot be reached,
// a device writes its own events for another device of its post point, and
// that device imports them with the same checks as from the hub.

// PeerExport is what ExportPeerFile wrote.
type PeerExport struct {
	To        string
	Envelopes int
	Events    int // this device's own
	Relayed   int // other devices' events handed on (ExportPeerFileRelay)
}

// ExportPeerFile writes every event of this device, in signed batches, as a
// peer file for device to (whose age recipient came with the hub's key
// updates), signed by this device and encrypted to to.
func ExportPeerFile(ctx context.Context, s *store.Store, to string, w io.Writer, now time.Time) (PeerExport, error) {
	return ExportPeerFileAfter(ctx, s, to, 0, w, now)
}

// ExportPeerFileAfter is ExportPeerFile of the events after seq after only
// (what the other device already holds, on the LAN).
func ExportPeerFileAfter(ctx context.Context, s *store.Store, to string, after int64, w io.Writer, now time.Time) (PeerExport, error) {
	return exportPeerFile(ctx, s, to, after, nil, w, now)
}

// ExportPeerFileRelay is ExportPeerFileAfter with, after this device's own
// events, the other devices' events this device holds that to lacks
// (heads: what to holds of each), in their origins' signed envelopes
// (store.PeerRelay); to's own events are never sent back to it.
func ExportPeerFileRelay(ctx context.Context, s *store.Store, to string, after int64, heads map[string]int64, w io.Writer, now time.Time) (PeerExport, error) {
	if heads == nil {
		heads = map[string]int64{}
	}
	return exportPeerFile(ctx, s, to, after, heads, w, now)
}

// exportPeerFile writes this device's events after after and, when heads
// is not nil, the relayed envelopes.
func exportPeerFile(ctx context.Context, s *store.Store, to string, after int64, heads map[string]int64, w io.Writer, now time.Time) (PeerExport, error) {
	out := PeerExport{To: to}
	dev, pp, err := s.Device(ctx)
	if err != nil {
		return out, err
	}
	if to == dev.ID() {
		return out, fmt.Errorf("device %s is this device", to)
	}
	if err := syncproto.CheckDeviceID(to, pp.Code); err != nil {
		return out, fmt.Errorf("a peer file goes to another device of post point %s: %w", pp.Code, err)
	}
	k, known, err := s.PeerKeyOf(ctx, to)
	if err != nil {
		return out, err
	}
	if !known || k.AgeRecipient == "" {
		return out, fmt.Errorf("device %s's keys are not known here yet: sync with the province once, or pair the two devices", to)
	}
	key, err := s.DeviceKey(ctx)
	if err != nil {
		return out, err
	}
	var envs [][]byte
	prev := ""
	for first := true; ; first = false {
		events, err := s.EventsAfter(ctx, dev.ID(), after, syncproto.DefaultBatchEvents)
		if err != nil {
			return out, err
		}
		if len(events) == 0 {
			break
		}
		if first {
			prev = events[0].PrevHash
		}
		b, n, err := syncproto.EncodeBatch(key, dev.ID(), pp.Code, prev, after+1, events, 0, now, 0, 0)
		if err != nil {
			return out, err
		}
		envs = append(envs, b.Raw)
		out.Envelopes++
		out.Events += n
		after, prev = b.Header.LastSeq, b.Header.LastHash
	}
	if heads != nil {
		relay, err := s.PeerRelay(ctx, heads, to, dev.ID())
		if err != nil {
			return out, err
		}
		at := map[string]int64{} // how far the receiver will hold each origin
		for d, n := range heads {
			at[d] = n
		}
		for _, raw := range relay {
			b, err := syncproto.ParseBatch(raw)
			if err != nil {
				return out, fmt.Errorf("a kept envelope is unreadable: %w", err)
			}
			envs = append(envs, raw)
			out.Envelopes++
			h := b.Header
			out.Relayed += int(h.LastSeq - max(h.FirstSeq, at[h.Device]+1) + 1)
			at[h.Device] = h.LastSeq
		}
	}
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return out, err
	}
	h := syncproto.PeerFileHeader{FileID: hex.EncodeToString(id), From: dev.ID(), To: to, CreatedAt: now.UTC()}
	return out, syncproto.WritePeerFile(w, key, h, k.AgeRecipient, envs)
}

// PeerImport is what ImportPeerFile did.
type PeerImport struct {
	From     string
	Events   int  // new events stored
	Already  bool // the same file was imported before: nothing changed
	Refused  int  // envelopes refused (noted for the Sync screen)
	ToTheHub int  // envelopes kept to hand on to the hub
}

// ImportPeerFile reads a peer file made for this device: decrypted with its
// own identity (a file for another device, cut, truncated or altered is
// refused whole), the header's signature verified with the sender's key,
// every envelope verified with its own device's key before any is stored;
// then stored as from the hub. The same file twice changes nothing.
func ImportPeerFile(ctx context.Context, s *store.Store, r io.Reader) (PeerImport, error) {
	var out PeerImport
	dev, pp, err := s.Device(ctx)
	if err != nil {
		return out, err
	}
	id, err := s.DeviceAgeIdentity(ctx)
	if err != nil {
		return out, err
	}
	f, err := syncproto.ReadPeerFile(r, id)
	if err != nil {
		return out, err
	}
	out.From = f.Header.From
	if err := syncproto.CheckDeviceID(f.Header.From, pp.Code); err != nil || f.Header.From == dev.ID() {
		return out, syncproto.Errorf(syncproto.CodeForeign, "the file comes from %s, not another device of post point %s", f.Header.From, pp.Code)
	}
	k, known, err := s.PeerKeyOf(ctx, f.Header.From)
	if err != nil {
		return out, err
	}
	if !known {
		return out, syncproto.Errorf(syncproto.CodeUnknown, "device %s's key is not known here yet: sync with the province once, or pair the two devices", f.Header.From)
	}
	if err := f.Verify(k.Public, dev.ID()); err != nil {
		return out, err
	}
	if done, err := s.PeerFileImported(ctx, f.Header.FileID); err != nil {
		return out, err
	} else if done {
		out.Already = true
		return out, nil
	}
	var forward []store.OutboxEnvelope
	for _, b := range f.Batches { // all verified before anything is stored
		// The sender's own batches, and the ones it relays of the post
		// point's other devices, each verified with its origin's key.
		origin := b.Header.Device
		key := k.Public
		if origin != f.Header.From {
			if err := syncproto.CheckDeviceID(origin, pp.Code); err != nil || origin == dev.ID() || b.Header.PostPoint != pp.Code {
				return out, syncproto.Errorf(syncproto.CodeForeign, "the file from %s carries a batch of %s, not another device of post point %s", f.Header.From, origin, pp.Code)
			}
			pk, known, err := s.PeerKeyOf(ctx, origin)
			if err != nil {
				return out, err
			}
			if !known {
				continue // ApplyPeerBatches refuses it (unknown_key) and notes it; not handed on
			}
			key = pk.Public
		}
		if err := b.Verify(key); err != nil {
			return out, err
		}
		if _, err := b.Events(); err != nil {
			return out, err
		}
		forward = append(forward, store.OutboxEnvelope{Origin: b.Header.Device, LastSeq: b.Header.LastSeq, Envelope: b.Raw})
	}
	res, err := ApplyPeerBatches(ctx, s, f.Batches, "file")
	out.Events, out.Refused = res.Events, res.Refused
	if err != nil {
		return out, err
	}
	if st, err := s.SyncState(ctx); err == nil && st.Enrolled() {
		out.ToTheHub = len(forward)
	} else {
		forward = nil // no hub to hand them to
	}
	return out, s.RecordPeerFile(ctx, f.Header.FileID, f.Header.From, out.Events, forward)
}

// forwardPeers hands the hub the other devices' envelopes a peer file
// brought (the hub verifies each with its own device's key and stores each
// event once, whichever device brings it). An envelope the hub acknowledges
// for its device is dropped; one it cannot take yet (a gap: its device's
// earlier events have not reached the hub) waits for the next round.
func (c *Client) forwardPeers(ctx context.Context, st store.SyncState) error {
	box, err := c.Store.PeerOutbox(ctx)
	if err != nil {
		return err
	}
	for _, e := range box {
		req, err := http.NewRequest(http.MethodPost, st.HubURL+syncproto.PathBatches, bytes.NewReader(e.Envelope))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", syncproto.ContentTypeBatch)
		data, err := c.do(ctx, req, 30*time.Second+time.Duration(len(e.Envelope)/8192)*time.Second)
		var pe *syncproto.Error
		if errors.As(err, &pe) && pe.Code == syncproto.CodeGap {
			continue
		}
		if errors.As(err, &pe) && (pe.Code == syncproto.CodeRevoked || pe.Code == syncproto.CodeUnknown) {
			// The hub will never take them: they are held here, nothing more to do.
			if err := c.Store.DropPeerOutbox(ctx, e.ID); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s, err := syncproto.ParseSigned(data)
		if err != nil {
			return err
		}
		ack, err := syncproto.OpenAck(st.HubSignKey, s, e.Origin)
		if err != nil {
			return err
		}
		if ack.ThroughSeq >= e.LastSeq {
			if err := c.Store.DropPeerOutbox(ctx, e.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

package syncproto

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Peer events (docs/sync-protocol.md §11): the hub hands each device the
// other devices' batch envelopes of its post point, exactly as those devices
// signed them, so a device verifies each with the origin device's own key —
// the hub cannot forge or alter a peer's event, only withhold it.

// PathPeers is GET ?device=D&have=DEV:SEQ,DEV:SEQ… → a peer stream.
const PathPeers = "/v1/peers"

// ContentTypePeers is a peer stream's content type.
const ContentTypePeers = "application/vnd.postdesk.peers"

// Peer stream limits.
const (
	PeerAnswerBudget = 4 << 20                                    // envelopes added to one answer until over this
	MaxPeerStream    = PeerAnswerBudget + MaxEnvelopeBytes + 1024 // a whole answer
	MaxPeerEnvelopes = 10000
)

// peerMagic opens a peer stream:
//
//	0  5 bytes  "PDSP" 0x01
//	5  4 bytes  envelope count N
//	   N times: 4-byte length L, then L bytes of one batch envelope (§4)
//	   1 byte   more: 1 when the hub holds more after these, else 0
var peerMagic = [5]byte{'P', 'D', 'S', 'P', 1}

// EncodePeerStream frames envelopes (each a whole signed batch) for an answer.
func EncodePeerStream(envs [][]byte, more bool) []byte {
	n := 10
	for _, e := range envs {
		n += 4 + len(e)
	}
	out := make([]byte, 0, n)
	out = append(out, peerMagic[:]...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(envs)))
	for _, e := range envs {
		out = binary.BigEndian.AppendUint32(out, uint32(len(e)))
		out = append(out, e...)
	}
	if more {
		return append(out, 1)
	}
	return append(out, 0)
}

// DecodePeerStream reads a peer stream strictly: every envelope is parsed
// (framing, header, body hash); the caller verifies each with its origin
// device's key (Batch.Verify) before using its events.
func DecodePeerStream(data []byte) ([]*Batch, bool, error) {
	bad := func(f string, a ...any) ([]*Batch, bool, error) {
		return nil, false, Errorf(CodeBadHeader, "peer stream: "+f, a...)
	}
	if len(data) > MaxPeerStream {
		return nil, false, Errorf(CodeTooLarge, "peer stream of %d bytes exceeds %d", len(data), MaxPeerStream)
	}
	if len(data) < 10 || !bytes.Equal(data[:5], peerMagic[:]) {
		return bad("not a PostDesk peer stream")
	}
	n := binary.BigEndian.Uint32(data[5:9])
	if n > MaxPeerEnvelopes {
		return bad("%d envelopes, at most %d", n, MaxPeerEnvelopes)
	}
	rest := data[9:]
	out := make([]*Batch, 0, n)
	for i := uint32(0); i < n; i++ {
		if len(rest) < 4 {
			return bad("truncated at envelope %d", i+1)
		}
		l := binary.BigEndian.Uint32(rest[:4])
		if uint64(l) > uint64(len(rest)-4) {
			return bad("truncated in envelope %d", i+1)
		}
		b, err := ParseBatch(rest[4 : 4+l])
		if err != nil {
			return nil, false, fmt.Errorf("peer stream, envelope %d: %w", i+1, err)
		}
		out = append(out, b)
		rest = rest[4+l:]
	}
	if len(rest) != 1 || rest[0] > 1 {
		return bad("%d bytes after the envelopes, expected the one-byte more flag", len(rest))
	}
	return out, rest[0] == 1, nil
}

// PeersURL is the request URI of a peer pull: have maps each peer device to
// the last seq the asking device holds of it (absent: none).
func PeersURL(device string, have map[string]int64) string {
	return PathPeers + "?device=" + url.QueryEscape(device) + "&have=" + url.QueryEscape(FormatHave(have))
}

// FormatHave writes have as "DEV:SEQ,DEV:SEQ" in device order.
func FormatHave(have map[string]int64) string {
	devs := make([]string, 0, len(have))
	for d := range have {
		devs = append(devs, d)
	}
	slices.Sort(devs)
	parts := make([]string, len(devs))
	for i, d := range devs {
		parts[i] = d + ":" + strconv.FormatInt(have[d], 10)
	}
	return strings.Join(parts, ",")
}

// ParseHave reads FormatHave's text strictly.
func ParseHave(s string) (map[string]int64, error) {
	out := map[string]int64{}
	if s == "" {
		return out, nil
	}
	parts := strings.Split(s, ",")
	if len(parts) > 26 {
		return nil, Errorf(CodeBadRequest, "have: %d devices, a post point has at most 26", len(parts))
	}
	for _, p := range parts {
		dev, seq, ok := strings.Cut(p, ":")
		n, err := strconv.ParseInt(seq, 10, 64)
		if !ok || err != nil || n < 0 {
			return nil, Errorf(CodeBadRequest, "have: %q is not DEVICE:SEQ", p)
		}
		if pp, _, ok := strings.Cut(dev, "-"); !ok || CheckDeviceID(dev, pp) != nil {
			return nil, Errorf(CodeBadRequest, "have: %q is not a device id", dev)
		}
		if _, dup := out[dev]; dup {
			return nil, Errorf(CodeBadRequest, "have: device %s twice", dev)
		}
		out[dev] = n
	}
	return out, nil
}

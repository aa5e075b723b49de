package devicesync

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"postdesk/internal/syncproto"
)

// Pairing on the post point's local network (docs/sync-protocol.md §11.6):
// one device shows a short code, the other types it; the code authenticates
// the exchange of the two devices' public keys. This file holds what both
// sides compute; lan.go the listener and the client.

const (
	// PairCodeLen characters of pairAlphabet: 31^8 ≈ 2^39.6 codes.
	PairCodeLen = 8
	// PairTries wrong codes close the pairing: the code is burnt.
	PairTries = 3
	// PairTTL is how long a code stays good.
	PairTTL = 10 * time.Minute

	pairAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789" // no 0/O, 1/I/L: read aloud and typed without doubt

	pathLANHello    = "/v1/lan/hello"
	pathLANPair     = "/v1/lan/pair"
	pathLANExchange = "/v1/lan/exchange"

	codeBadCode      = "bad_code"       // the typed code is wrong (tries_left says how many are left)
	codePairClosed   = "pairing_closed" // no code open: expired, spent or burnt by wrong tries
	codeKeyMismatch  = "key_mismatch"   // the device is known here with another key
	lanSkew          = 15 * time.Minute
	maxLANPeerFile   = 256 << 20
	maxLANJSON       = 64 << 10
	lanPeerFileLimit = "256 MiB"
)

// NewPairCode draws a pairing code.
func NewPairCode() (string, error) {
	b := make([]byte, PairCodeLen)
	out := make([]byte, PairCodeLen)
	for i := range out {
		for {
			if _, err := rand.Read(b[i : i+1]); err != nil {
				return "", err
			}
			if int(b[i]) < 256/len(pairAlphabet)*len(pairAlphabet) { // no modulo bias
				out[i] = pairAlphabet[int(b[i])%len(pairAlphabet)]
				break
			}
		}
	}
	return string(out), nil
}

// ShowPairCode is the code as shown on screen: ABCD-EFGH.
func ShowPairCode(code string) string {
	if len(code) != PairCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// NormalizePairCode is the code as typed, made comparable: upper case,
// without spaces or dashes.
func NormalizePairCode(s string) string {
	s = strings.ToUpper(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s)
}

// pairKey derives the MAC key from the code and the listener's salt. The
// cost makes an offline search of a seen exchange slow; the live guesses
// are bounded by PairTries and PairTTL.
func pairKey(code string, salt []byte) []byte {
	return argon2.IDKey([]byte(NormalizePairCode(code)), salt, 1, 32*1024, 2, 32)
}

// lanHello is the listener's unauthenticated greeting: who it is, its
// clock (the client signs its requests with it), the pairing salt when a
// code is open, how far it holds the asking device's events, and how far
// it holds every other device's (the asker relays what it lacks).
type lanHello struct {
	Device    string           `json:"device"`
	PostPoint string           `json:"post_point"`
	Time      time.Time        `json:"time"`
	Salt      string           `json:"salt,omitempty"`
	Holds     int64            `json:"holds"`
	Heads     map[string]int64 `json:"heads,omitempty"`
}

// encodeHeads writes heads for a query: device:seq,device:seq (sorted).
func encodeHeads(heads map[string]int64) string {
	parts := make([]string, 0, len(heads))
	for d, n := range heads {
		parts = append(parts, d+":"+strconv.FormatInt(n, 10))
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// decodeHeads reads encodeHeads' text; an error names the faulty part.
func decodeHeads(s string) (map[string]int64, error) {
	out := map[string]int64{}
	if s == "" {
		return out, nil
	}
	for _, p := range strings.Split(s, ",") {
		d, n, ok := strings.Cut(p, ":")
		seq, err := strconv.ParseInt(n, 10, 64)
		if !ok || d == "" || err != nil || seq < 0 {
			return nil, fmt.Errorf("heads: %q is not device:seq", p)
		}
		out[d] = seq
	}
	return out, nil
}

// pairOffer is the joining device's half: its keys, a nonce, and the MAC
// proving it knows the code.
type pairOffer struct {
	Device       string `json:"device"`
	PostPoint    string `json:"post_point"`
	PublicKey    string `json:"public_key"`
	AgeRecipient string `json:"age_recipient"`
	Nonce        string `json:"nonce"`
	MAC          string `json:"mac"`
}

// pairAnswer is the listener's half, its MAC over both halves.
type pairAnswer struct {
	Device       string `json:"device"`
	PostPoint    string `json:"post_point"`
	PublicKey    string `json:"public_key"`
	AgeRecipient string `json:"age_recipient"`
	MAC          string `json:"mac"`
}

func (o *pairOffer) text(listener, salt string) []byte {
	return []byte("postdesk/v1 pair joiner\n" + listener + "\n" + salt + "\n" + o.Device + "\n" + o.PostPoint + "\n" +
		o.PublicKey + "\n" + o.AgeRecipient + "\n" + o.Nonce + "\n")
}

func (a *pairAnswer) text(o *pairOffer, listener, salt string) []byte {
	return append(o.text(listener, salt), []byte("postdesk/v1 pair listener\n"+o.MAC+"\n"+a.Device+"\n"+a.PostPoint+"\n"+
		a.PublicKey+"\n"+a.AgeRecipient+"\n")...)
}

func pairMAC(key, text []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(text)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func macEqual(a, b string) bool { return hmac.Equal([]byte(a), []byte(b)) }

// checkPeerHalf checks the device id, post point and key of the other
// device's half.
func checkPeerHalf(device, postPoint, pubB64, ageRecipient, ownID, ownPP string) (ed25519.PublicKey, error) {
	if err := syncproto.CheckDeviceID(device, ownPP); err != nil || postPoint != ownPP {
		return nil, syncproto.Errorf(syncproto.CodeWrongPoint, "device %s is not of post point %s", device, ownPP)
	}
	if device == ownID {
		return nil, syncproto.Errorf(syncproto.CodeForeign, "device %s is this device: give the other device another letter", device)
	}
	pub, err := base64.StdEncoding.Strict().DecodeString(pubB64)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, syncproto.Errorf(syncproto.CodeBadRequest, "public_key: not %d bytes of base64", ed25519.PublicKeySize)
	}
	if !strings.HasPrefix(ageRecipient, "age1") {
		return nil, syncproto.Errorf(syncproto.CodeBadRequest, "age_recipient: not an age recipient")
	}
	return pub, nil
}

func lanURL(addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "http://"), "https://")
	addr = strings.TrimSuffix(addr, "/")
	if addr == "" || strings.ContainsAny(addr, "/?#@ ") || !strings.Contains(addr, ":") {
		return "", fmt.Errorf("%q: give the other device's address as HOST:PORT (shown on its screen)", addr)
	}
	return "http://" + addr, nil
}

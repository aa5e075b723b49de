package syncproto

import (
	"crypto/ed25519"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"time"
)

// Proof files (docs/sync-protocol.md §12). A delivery proof is an age file
// on the device (to the device's proof key and the hub's key); it goes up
// as it is, still encrypted, in parts of at most ProofPartSize bytes:
//
//	PUT /v1/proofs?device=D&dossier=N&name=F&size=S&sha256=H&offset=O
//
// authenticated like every device request (§7: the signature covers the
// query and the part's SHA-256). The hub answers each part with a signed
// proof_ack saying how many bytes from the start it holds and whether the
// whole file arrived (its SHA-256 checked); the device marks the proof sent
// only on a complete ack that verifies.
const (
	PathProofs     = "/v1/proofs"
	TypeProofAck   = "proof_ack"
	ProofPartSize  = 1 << 20  // bytes in each part but the last
	MaxProofSize   = 32 << 20 // bytes in one proof file
	maxProofName   = 200
	ContentTypeAge = "application/vnd.age"
)

var proofName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\.age$`)

// ProofPart is one part of a proof file as a PUT /v1/proofs names it.
type ProofPart struct {
	Device  string
	Dossier string
	Name    string // file name under the device's proofs/, ending ".age"
	Size    int64  // the whole file's bytes
	SHA256  string // hex of the whole file
	Offset  int64  // a multiple of ProofPartSize
}

// URL is the request URI of the part.
func (p ProofPart) URL() string {
	q := url.Values{}
	q.Set("device", p.Device)
	q.Set("dossier", p.Dossier)
	q.Set("name", p.Name)
	q.Set("size", strconv.FormatInt(p.Size, 10))
	q.Set("sha256", p.SHA256)
	q.Set("offset", strconv.FormatInt(p.Offset, 10))
	return PathProofs + "?" + q.Encode()
}

// PartLen is how many bytes the part at p.Offset holds.
func (p ProofPart) PartLen() int64 { return min(ProofPartSize, p.Size-p.Offset) }

// ParseProofPart reads and checks a part's query.
func ParseProofPart(q url.Values) (ProofPart, error) {
	p := ProofPart{Device: q.Get("device"), Dossier: q.Get("dossier"), Name: q.Get("name"), SHA256: q.Get("sha256")}
	var err1, err2 error
	p.Size, err1 = strconv.ParseInt(q.Get("size"), 10, 64)
	p.Offset, err2 = strconv.ParseInt(q.Get("offset"), 10, 64)
	switch {
	case err1 != nil || err2 != nil:
		return p, Errorf(CodeBadRequest, "proof: size and offset must be whole numbers")
	case len(p.Name) > maxProofName || !proofName.MatchString(p.Name):
		return p, Errorf(CodeBadRequest, "proof: %q is not a proof file name (letters, digits, . _ -, ending .age)", p.Name)
	case p.Dossier == "" || len(p.Dossier) > 64:
		return p, Errorf(CodeBadRequest, "proof: the dossier is missing or too long")
	case !isHex64(p.SHA256):
		return p, Errorf(CodeBadRequest, "proof: sha256 must be 64 hex digits")
	case p.Size < 1 || p.Size > MaxProofSize:
		return p, Errorf(CodeTooLarge, "proof: size %d is not between 1 and %d bytes", p.Size, MaxProofSize)
	case p.Offset < 0 || p.Offset >= p.Size || p.Offset%ProofPartSize != 0:
		return p, Errorf(CodeBadRequest, "proof: offset %d is not a part's start within %d bytes", p.Offset, p.Size)
	}
	return p, nil
}

// ProofAck is the hub's signed answer to a proof part.
type ProofAck struct {
	Device   string    `json:"device"`
	Name     string    `json:"name"`
	SHA256   string    `json:"sha256"`
	Received int64     `json:"received"` // bytes held from the start of the file
	Complete bool      `json:"complete"` // the whole file arrived and its SHA-256 matched
	HubTime  time.Time `json:"hub_time"`
}

// SignProofAck signs a proof ack with the hub's key.
func SignProofAck(key ed25519.PrivateKey, a ProofAck) (Signed, error) {
	a.HubTime = a.HubTime.UTC()
	return Sign(key, TypeProofAck, a)
}

// OpenProofAck verifies a proof ack and checks it answers part p.
func OpenProofAck(hubPub ed25519.PublicKey, s Signed, p ProofPart) (ProofAck, error) {
	var a ProofAck
	if err := Open(hubPub, s, TypeProofAck, &a); err != nil {
		return a, err
	}
	if a.Device != p.Device || a.Name != p.Name || a.SHA256 != p.SHA256 {
		return a, Errorf(CodeForeign, "the proof ack is for %s %s, not %s %s", a.Device, a.Name, p.Device, p.Name)
	}
	if a.Received < 0 || a.Received > p.Size || a.Complete != (a.Received == p.Size) {
		return a, Errorf(CodeBadHeader, "proof ack: received %d of %d, complete %v", a.Received, p.Size, a.Complete)
	}
	return a, nil
}

// String names a part in messages.
func (p ProofPart) String() string {
	return fmt.Sprintf("%s %s bytes %d–%d of %d", p.Device, p.Name, p.Offset, p.Offset+p.PartLen(), p.Size)
}

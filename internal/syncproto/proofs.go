package syncproto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
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
	if err1 != nil || err2 != nil {
		return p, Errorf(CodeBadRequest, "proof: size and offset must be whole numbers")
	}
	return p, p.check()
}

// check checks a part's fields.
func (p ProofPart) check() error {
	switch {
	case len(p.Name) > maxProofName || !proofName.MatchString(p.Name):
		return Errorf(CodeBadRequest, "proof: %q is not a proof file name (letters, digits, . _ -, ending .age)", p.Name)
	case p.Dossier == "" || len(p.Dossier) > 64:
		return Errorf(CodeBadRequest, "proof: the dossier is missing or too long")
	case !isHex64(p.SHA256):
		return Errorf(CodeBadRequest, "proof: sha256 must be 64 hex digits")
	case p.Size < 1 || p.Size > MaxProofSize:
		return Errorf(CodeTooLarge, "proof: size %d is not between 1 and %d bytes", p.Size, MaxProofSize)
	case p.Offset < 0 || p.Offset >= p.Size || p.Offset%ProofPartSize != 0:
		return Errorf(CodeBadRequest, "proof: offset %d is not a part's start within %d bytes", p.Offset, p.Size)
	}
	return nil
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

// Proof files in a USB batch file (docs/sync-protocol.md §9, §12): a device
// that syncs by USB puts, before its envelopes, the proofs the hub does not
// hold yet, each whole and as kept (still encrypted), up to ProofFileBudget
// bytes in one file (the rest goes in the next). Each is framed as
//
//	"PDPRF" | u32 header length | header | the file's bytes
//
// where the header is a Signed message of type proof_file, signed by the
// device, naming the device, dossier, file name, size and SHA-256. The hub
// checks every one before it stores the file's batches, and stores them
// after; its reply carries a signed proof_ack for each file it holds whole.
const (
	TypeProofFile   = "proof_file"
	ProofFileBudget = 64 << 20 // bytes of proof files in one batch file
)

var proofMagic = [5]byte{'P', 'D', 'P', 'R', 'F'}

// ProofFile is a proof file carried in a batch file.
type ProofFile struct {
	Part   ProofPart // Offset 0; Size and SHA256 are Data's
	Signed Signed    // the device's proof_file message
	Data   []byte
}

// proofFileHead is what a proof_file message says.
type proofFileHead struct {
	Device  string `json:"device"`
	Dossier string `json:"dossier"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
}

// NewProofFile signs a proof file for a batch file.
func NewProofFile(key ed25519.PrivateKey, device, dossier, name string, data []byte) (ProofFile, error) {
	sum := sha256.Sum256(data)
	p := ProofPart{Device: device, Dossier: dossier, Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	if err := p.check(); err != nil {
		return ProofFile{}, err
	}
	s, err := Sign(key, TypeProofFile, proofFileHead{p.Device, p.Dossier, p.Name, p.Size, p.SHA256})
	return ProofFile{Part: p, Signed: s, Data: data}, err
}

// Verify checks the proof file's signature with its device's public key.
func (f ProofFile) Verify(pub ed25519.PublicKey) error {
	var h proofFileHead
	if err := Open(pub, f.Signed, TypeProofFile, &h); err != nil {
		return fmt.Errorf("proof file %s: %w", f.Part.Name, err)
	}
	if (proofFileHead{f.Part.Device, f.Part.Dossier, f.Part.Name, f.Part.Size, f.Part.SHA256}) != h {
		return Errorf(CodeBadSignature, "proof file %s: its signed header does not name it", f.Part.Name)
	}
	return nil
}

// writeProofFile frames f into w.
func writeProofFile(w io.Writer, f ProofFile) error {
	head, err := json.Marshal(f.Signed)
	if err != nil {
		return err
	}
	frame := make([]byte, 9, 9+len(head))
	copy(frame, proofMagic[:])
	binary.BigEndian.PutUint32(frame[5:], uint32(len(head)))
	if _, err := w.Write(append(frame, head...)); err != nil {
		return err
	}
	_, err = w.Write(f.Data)
	return err
}

// readProofFile reads the rest of a proof file's frame (after its 9 bytes)
// and checks that its bytes are what its header says.
func readProofFile(r io.Reader, hl uint32) (ProofFile, error) {
	var f ProofFile
	if hl == 0 || hl > MaxHeaderBytes {
		return f, Errorf(CodeBadHeader, "a proof file's header has a bad length")
	}
	head := make([]byte, hl)
	if _, err := io.ReadFull(r, head); err != nil {
		return f, err
	}
	if err := json.Unmarshal(head, &f.Signed); err != nil {
		return f, Errorf(CodeBadHeader, "a proof file's header is not a signed message: %v", err)
	}
	var h proofFileHead
	data, err := base64.StdEncoding.Strict().DecodeString(f.Signed.Data)
	if err == nil {
		err = json.Unmarshal(data, &h)
	}
	if err != nil || f.Signed.Type != TypeProofFile {
		return f, Errorf(CodeBadHeader, "a proof file's header does not say which file it is")
	}
	f.Part = ProofPart{Device: h.Device, Dossier: h.Dossier, Name: h.Name, Size: h.Size, SHA256: h.SHA256}
	if err := f.Part.check(); err != nil {
		return f, err
	}
	f.Data = make([]byte, f.Part.Size)
	if _, err := io.ReadFull(r, f.Data); err != nil {
		return f, err
	}
	if sum := sha256.Sum256(f.Data); hex.EncodeToString(sum[:]) != f.Part.SHA256 {
		return f, Errorf(CodeCorruptBody, "proof file %s: its bytes do not match its SHA-256", f.Part.Name)
	}
	return f, nil
}

package syncproto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"filippo.io/age"
)

// Peer files (docs/sync-protocol.md §11.4): one device's events carried to
// another device of its post point on a USB stick or by any file transfer,
// when the hub cannot be reached.
//
//	"POSTDESK-PEER/1\n" then age v1, encrypted to the receiving device's
//	X25519 recipient, of:
//	4-byte length L, L bytes of a Signed message (type "peer_file",
//	signed by the sending device) of PeerFileHeader, then a peer stream
//	(EncodePeerStream) whose SHA-256 the header names.
//
// Each envelope in the stream stays signed by its own device, so the file
// adds nothing a receiver must trust beyond what it verifies.

// MagicPeerFile opens a peer file; ExtPeerFile ends its name.
const (
	MagicPeerFile = "POSTDESK-PEER/1\n"
	ExtPeerFile   = ".pdpeer"
)

// TypePeerFile is the signed header's type.
const TypePeerFile = "peer_file"

// PeerFileHeader names a peer file: who made it for whom, and its content.
type PeerFileHeader struct {
	Format       int       `json:"format"`
	FileID       string    `json:"file_id"` // 32 hex: the receiver imports a file once
	From         string    `json:"from"`    // the sending device
	To           string    `json:"to"`      // the receiving device
	CreatedAt    time.Time `json:"created_at"`
	Envelopes    int       `json:"envelopes"`
	StreamSHA256 string    `json:"stream_sha256"`
}

// WritePeerFile writes envelopes as a peer file from key's device to the
// device whose age recipient is to.
func WritePeerFile(w io.Writer, key ed25519.PrivateKey, h PeerFileHeader, toRecipient string, envs [][]byte) error {
	rcpt, err := age.ParseX25519Recipient(toRecipient)
	if err != nil {
		return fmt.Errorf("receiving device's recipient: %w", err)
	}
	stream := EncodePeerStream(envs, false)
	sum := sha256.Sum256(stream)
	h.Format, h.Envelopes, h.StreamSHA256 = Format, len(envs), hex.EncodeToString(sum[:])
	signed, err := Sign(key, TypePeerFile, h)
	if err != nil {
		return err
	}
	hb := signed.Marshal()
	if _, err := io.WriteString(w, MagicPeerFile); err != nil {
		return err
	}
	aw, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	if _, err := aw.Write(binary.BigEndian.AppendUint32(nil, uint32(len(hb)))); err != nil {
		return err
	}
	if _, err := aw.Write(hb); err != nil {
		return err
	}
	if _, err := aw.Write(stream); err != nil {
		return err
	}
	return aw.Close()
}

// PeerFile is a decrypted peer file whose header signature is still to be
// checked with the sender's key (OpenPeerFile).
type PeerFile struct {
	Header  PeerFileHeader
	signed  Signed
	Batches []*Batch
}

// ReadPeerFile decrypts a peer file with the receiving device's identity
// and parses it strictly: the magic, age (a cut, altered or truncated file
// fails whole; one for another device is `foreign`), the header, the stream
// and its hash. Verify the header with the sender's key (PeerFile.Verify) before using it.
func ReadPeerFile(r io.Reader, id age.Identity) (*PeerFile, error) {
	plain, err := openFile(r, MagicPeerFile, "", id)
	if err != nil {
		return nil, err
	}
	if len(plain) < 4 {
		return nil, Errorf(CodeBadHeader, "peer file: no header")
	}
	l := binary.BigEndian.Uint32(plain[:4])
	if l == 0 || l > MaxJSONBytes || uint64(l) > uint64(len(plain)-4) {
		return nil, Errorf(CodeBadHeader, "peer file: header length %d out of range", l)
	}
	s, err := ParseSigned(plain[4 : 4+l])
	if err != nil {
		return nil, err
	}
	var h PeerFileHeader
	data, err := s.payload()
	if err != nil {
		return nil, err
	}
	if err := strictJSON(data, &h); err != nil {
		return nil, Errorf(CodeBadHeader, "peer file header: %v", err)
	}
	stream := plain[4+l:]
	sum := sha256.Sum256(stream)
	if h.Format != Format || hex.EncodeToString(sum[:]) != h.StreamSHA256 {
		return nil, Errorf(CodeCorruptBody, "peer file: the content does not match its header")
	}
	if len(h.FileID) != 32 || !isHex(h.FileID) || h.From == "" || h.To == "" {
		return nil, Errorf(CodeBadHeader, "peer file header: file_id, from and to are required")
	}
	bs, more, err := DecodePeerStream(stream)
	if err != nil {
		return nil, err
	}
	if more || len(bs) != h.Envelopes {
		return nil, Errorf(CodeCorruptBody, "peer file: %d envelopes, the header says %d", len(bs), h.Envelopes)
	}
	return &PeerFile{Header: h, signed: s, Batches: bs}, nil
}

// Verify checks the header's signature with the sending device's key and
// that the file is for device to.
func (f *PeerFile) Verify(fromKey ed25519.PublicKey, to string) error {
	if f.signed.Type != TypePeerFile {
		return Errorf(CodeBadHeader, "a %q message where a peer file header was expected", f.signed.Type)
	}
	data, err := f.signed.payload()
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(f.signed.Sig)
	if err != nil || len(fromKey) != ed25519.PublicKeySize || !ed25519.Verify(fromKey, signedText(TypePeerFile, data), sig) {
		return Errorf(CodeBadSignature, "the peer file is not signed by device %s", f.Header.From)
	}
	if f.Header.To != to {
		return Errorf(CodeForeign, "the file was made for device %s, not %s", f.Header.To, to)
	}
	return nil
}

func isHex(s string) bool {
	_, err := hex.DecodeString(s)
	return err == nil
}

// payload is the signed message's data bytes, unverified.
func (s Signed) payload() ([]byte, error) {
	data, err := base64.StdEncoding.Strict().DecodeString(s.Data)
	if err != nil {
		return nil, Errorf(CodeBadHeader, "%s: data is not base64", s.Type)
	}
	return data, nil
}

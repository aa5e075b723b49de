package syncproto

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
)

// USB files. Each starts with a plain magic line naming what it is, then an
// age (filippo.io/age, format v1) encryption of its content:
//
//	batch file (.pdsync):  "POSTDESK-BATCH/1\n" + age(to the hub's X25519 recipient)
//	                       of the proof files the hub lacks (proofs.go), then
//	                       one or more envelopes back to back, consecutive
//	                       (same device, each first_seq = previous last_seq+1,
//	                       prev_hash = previous last_hash).
//	reply file (.pdreply): "POSTDESK-REPLY/1\n" + age(to the device's X25519 recipient)
//	                       of the Signed reply JSON.
//
// age authenticates every chunk and marks the last, so a truncated or
// altered file fails to decrypt as a whole; the signatures inside say who
// wrote it. A lost stick reveals nothing without the private keys.
const (
	MagicBatchFile = "POSTDESK-BATCH/1\n"
	MagicReplyFile = "POSTDESK-REPLY/1\n"
	ExtBatchFile   = ".pdsync"
	ExtReplyFile   = ".pdreply"
)

// WriteBatchFile writes batches (consecutive, as EncodeBatch made them) as
// one encrypted batch file to the hub's age recipient, with the proof files
// (NewProofFile; at most ProofFileBudget bytes of them) before them.
func WriteBatchFile(w io.Writer, hubRecipient string, batches []*Batch, proofs ...ProofFile) error {
	if len(batches) == 0 {
		return errors.New("a batch file needs at least one batch")
	}
	if err := checkConsecutive(batches); err != nil {
		return err
	}
	rcpt, err := age.ParseX25519Recipient(hubRecipient)
	if err != nil {
		return fmt.Errorf("hub recipient: %w", err)
	}
	if _, err := io.WriteString(w, MagicBatchFile); err != nil {
		return err
	}
	aw, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	var sum int64
	for _, f := range proofs {
		if sum += f.Part.Size; sum > ProofFileBudget {
			return fmt.Errorf("the proof files pass the %d bytes a batch file holds", ProofFileBudget)
		}
		if err := writeProofFile(aw, f); err != nil {
			return err
		}
	}
	for _, b := range batches {
		if _, err := aw.Write(b.Raw); err != nil {
			return err
		}
	}
	return aw.Close()
}

// ReadBatchFile decrypts a batch file with the hub's identity and parses
// every envelope (framing, header, consecutiveness; signatures are the
// caller's to Verify with the device's key). Any defect refuses the whole
// file. It holds the whole file: the hub streams it with OpenBatchFile.
func ReadBatchFile(r io.Reader, hub age.Identity) ([]*Batch, error) {
	fr, err := OpenBatchFile(r, hub)
	if err != nil {
		return nil, err
	}
	var out []*Batch
	for {
		b, err := fr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
}

// BatchFileReader reads a batch file one envelope at a time, so a file of
// any size is read holding one envelope (at most MaxEnvelopeBytes) and
// age's 64 KiB chunk. Next checks each envelope's framing and header and
// that it follows the one before. age authenticates every chunk and the
// end of the stream, so io.EOF from Next means the whole file was read
// and is intact; a caller that applies envelopes as they come must undo
// them all on any other error (the hub ingests them in one transaction).
type BatchFileReader struct {
	r      *bufio.Reader
	n      int // envelopes read
	read   int64
	prev   *Header
	proofs []ProofFile
}

// Proofs returns the proof files read before the first envelope (their
// bytes checked against their SHA-256; their signatures are the caller's to
// Verify with the device's key).
func (fr *BatchFileReader) Proofs() []ProofFile { return fr.proofs }

// OpenBatchFile checks a batch file's magic line and starts decrypting it.
func OpenBatchFile(r io.Reader, hub age.Identity) (*BatchFileReader, error) {
	ar, err := openStream(r, MagicBatchFile, MagicReplyFile, hub)
	if err != nil {
		return nil, err
	}
	return &BatchFileReader{r: bufio.NewReaderSize(ar, 64<<10)}, nil
}

// Next returns the next envelope, or io.EOF after the last one.
func (fr *BatchFileReader) Next() (*Batch, error) {
	var frame [9]byte
	for {
		n, err := io.ReadFull(fr.r, frame[:])
		if err == io.EOF {
			if fr.n == 0 {
				return nil, Errorf(CodeCorruptBody, "the batch file holds no batch")
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, fr.damaged(err, n)
		}
		if !bytes.Equal(frame[:5], proofMagic[:]) {
			break
		}
		if err := fr.proofFile(frame); err != nil {
			return nil, err
		}
	}
	if !bytes.Equal(frame[:5], magic[:]) {
		return nil, Errorf(CodeBadHeader, "batch %d of the file: not a PostDesk batch", fr.n+1)
	}
	hl := binary.BigEndian.Uint32(frame[5:9])
	if hl == 0 || hl > MaxHeaderBytes {
		return nil, Errorf(CodeBadHeader, "batch %d of the file: bad envelope framing", fr.n+1)
	}
	head := make([]byte, 9+int(hl)+4)
	copy(head, frame[:])
	if n, err := io.ReadFull(fr.r, head[9:]); err != nil {
		return nil, fr.damaged(err, n)
	}
	bl := binary.BigEndian.Uint32(head[9+hl:])
	if bl == 0 || bl > MaxBodyBytes {
		return nil, Errorf(CodeBadHeader, "batch %d of the file: bad envelope framing", fr.n+1)
	}
	env := make([]byte, len(head)+int(bl)+ed25519.SignatureSize)
	copy(env, head)
	if n, err := io.ReadFull(fr.r, env[len(head):]); err != nil {
		return nil, fr.damaged(err, n)
	}
	fr.read += int64(len(env))
	if fr.read > MaxFileBytes {
		return nil, Errorf(CodeTooLarge, "the file is larger than %d bytes", MaxFileBytes)
	}
	b, err := ParseBatch(env)
	if err != nil {
		return nil, fmt.Errorf("batch %d of the file: %w", fr.n+1, err)
	}
	if p := fr.prev; p != nil {
		h := &b.Header
		if h.Device != p.Device || h.FirstSeq != p.LastSeq+1 || h.PrevHash != p.LastHash {
			return nil, Errorf(CodeBadHeader, "batch %d does not follow batch %d", fr.n+1, fr.n)
		}
	}
	fr.n++
	fr.prev = &b.Header
	return b, nil
}

// proofFile reads the proof file whose frame starts with frame (proof
// files come before the first envelope).
func (fr *BatchFileReader) proofFile(frame [9]byte) error {
	if fr.n > 0 {
		return Errorf(CodeBadHeader, "a proof file after batch %d: proof files come first", fr.n)
	}
	f, err := readProofFile(fr.r, binary.BigEndian.Uint32(frame[5:9]))
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) {
			return err
		}
		return fr.damaged(err, 0)
	}
	if fr.read += int64(len(f.Data)); fr.read > ProofFileBudget {
		return Errorf(CodeTooLarge, "the proof files pass the %d bytes a batch file holds", ProofFileBudget)
	}
	fr.proofs = append(fr.proofs, f)
	return nil
}

// damaged names a read failure inside the file: cut short, or an age error.
func (fr *BatchFileReader) damaged(err error, n int) error {
	if err == io.ErrUnexpectedEOF || (err == io.EOF && n == 0) {
		return Errorf(CodeBadHeader, "truncated envelope in file (batch %d)", fr.n+1)
	}
	return Errorf(CodeCorruptBody, "the file is damaged or incomplete: %v", err)
}

func checkConsecutive(bs []*Batch) error {
	for i := 1; i < len(bs); i++ {
		p, h := &bs[i-1].Header, &bs[i].Header
		if h.Device != p.Device || h.FirstSeq != p.LastSeq+1 || h.PrevHash != p.LastHash {
			return Errorf(CodeBadHeader, "batch %d does not follow batch %d", i+1, i)
		}
	}
	return nil
}

// WriteReplyFile writes a signed reply encrypted to the device's age recipient.
func WriteReplyFile(w io.Writer, deviceRecipient string, reply Signed) error {
	if reply.Type != TypeReply {
		return errors.New("not a reply")
	}
	rcpt, err := age.ParseX25519Recipient(deviceRecipient)
	if err != nil {
		return fmt.Errorf("device recipient: %w", err)
	}
	if _, err := io.WriteString(w, MagicReplyFile); err != nil {
		return err
	}
	aw, err := age.Encrypt(w, rcpt)
	if err != nil {
		return err
	}
	if _, err := aw.Write(reply.Marshal()); err != nil {
		return err
	}
	return aw.Close()
}

// ReadReplyFile decrypts a reply file with the device's identity and
// verifies it (DecodeReply). after < 0 accepts any updates cursor.
func ReadReplyFile(r io.Reader, device age.Identity, hubPub ed25519.PublicKey, deviceID string, after int64) (ReplyContent, error) {
	plain, err := openFile(r, MagicReplyFile, MagicBatchFile, device)
	if err != nil {
		return ReplyContent{}, err
	}
	return DecodeReply(plain, hubPub, deviceID, after)
}

// openFile checks the magic line and decrypts the rest whole.
func openFile(r io.Reader, want, other string, id age.Identity) ([]byte, error) {
	ar, err := openStream(r, want, other, id)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(ar, MaxFileBytes+1))
	if err != nil {
		return nil, Errorf(CodeCorruptBody, "the file is damaged or incomplete: %v", err)
	}
	if n > MaxFileBytes {
		return nil, Errorf(CodeTooLarge, "the file is larger than %d bytes", MaxFileBytes)
	}
	return buf.Bytes(), nil
}

// openStream checks the magic line and returns the decrypting reader.
func openStream(r io.Reader, want, other string, id age.Identity) (io.Reader, error) {
	br := bufio.NewReader(io.LimitReader(r, MaxFileBytes+1))
	head := make([]byte, len(want))
	if _, err := io.ReadFull(br, head); err != nil {
		return nil, Errorf(CodeBadHeader, "the file is empty or too short to be a PostDesk sync file")
	}
	if string(head) != want {
		if len(other) == len(want) && string(head) == other {
			if want == MagicBatchFile {
				return nil, Errorf(CodeBadHeader, "this is a reply file (.pdreply), not a batch file")
			}
			return nil, Errorf(CodeBadHeader, "this is a batch file (.pdsync), not a reply file")
		}
		return nil, Errorf(CodeBadHeader, "not a PostDesk sync file")
	}
	ar, err := age.Decrypt(br, id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, Errorf(CodeForeign, "the file was encrypted for another %s", keyOwner(want))
		}
		return nil, Errorf(CodeCorruptBody, "the file is damaged: %v", err)
	}
	return ar, nil
}

func keyOwner(magic string) string {
	if magic == MagicBatchFile {
		return "hub"
	}
	return "device"
}

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
//	                       of one or more envelopes back to back, consecutive
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
// one encrypted batch file to the hub's age recipient.
func WriteBatchFile(w io.Writer, hubRecipient string, batches []*Batch) error {
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
	for _, b := range batches {
		if _, err := aw.Write(b.Raw); err != nil {
			return err
		}
	}
	return aw.Close()
}

// ReadBatchFile decrypts a batch file with the hub's identity and parses
// every envelope (framing, header, consecutiveness; signatures are the
// caller's to Verify with the device's key). Any defect refuses the whole file.
func ReadBatchFile(r io.Reader, hub age.Identity) ([]*Batch, error) {
	plain, err := openFile(r, MagicBatchFile, MagicReplyFile, hub)
	if err != nil {
		return nil, err
	}
	var out []*Batch
	for len(plain) > 0 {
		n, err := envelopeLen(plain)
		if err != nil {
			return nil, err
		}
		b, err := ParseBatch(plain[:n])
		if err != nil {
			return nil, fmt.Errorf("batch %d of the file: %w", len(out)+1, err)
		}
		out = append(out, b)
		plain = plain[n:]
	}
	if len(out) == 0 {
		return nil, Errorf(CodeCorruptBody, "the batch file holds no batch")
	}
	if err := checkConsecutive(out); err != nil {
		return nil, err
	}
	return out, nil
}

// envelopeLen reads the framing of the envelope at the start of data.
func envelopeLen(data []byte) (int, error) {
	if len(data) < 9 {
		return 0, Errorf(CodeBadHeader, "truncated envelope in file")
	}
	hl := uint64(binary.BigEndian.Uint32(data[5:9]))
	if hl > MaxHeaderBytes || uint64(len(data)) < 13+hl {
		return 0, Errorf(CodeBadHeader, "bad envelope framing in file")
	}
	bl := uint64(binary.BigEndian.Uint32(data[9+hl : 13+hl]))
	n := 13 + hl + bl + ed25519.SignatureSize
	if bl > MaxBodyBytes || uint64(len(data)) < n {
		return 0, Errorf(CodeBadHeader, "bad envelope framing in file")
	}
	return int(n), nil
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
	var buf bytes.Buffer
	n, err := buf.ReadFrom(ar)
	if err != nil {
		return nil, Errorf(CodeCorruptBody, "the file is damaged or incomplete: %v", err)
	}
	if n > MaxFileBytes {
		return nil, Errorf(CodeTooLarge, "the file is larger than %d bytes", MaxFileBytes)
	}
	return buf.Bytes(), nil
}

func keyOwner(magic string) string {
	if magic == MagicBatchFile {
		return "hub"
	}
	return "device"
}

package hubstore

// Delivery proofs at the hub (docs/sync-protocol.md §12): each arrives in
// parts, still encrypted, and is kept as the device sealed it.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"filippo.io/age"

	"postdesk/internal/syncproto"
	"postdesk/internal/vault"
)

// PutProofPart stores one part of a device's proof file and, when the last
// part is in, the whole file (its SHA-256 and age header checked) in one
// transaction. It returns how many bytes from the start the hub holds and
// whether the file is complete. A part sent again changes nothing; a file
// of the same name with other content is refused (conflict), never replaced.
func (s *Store) PutProofPart(ctx context.Context, p syncproto.ProofPart, data []byte) (received int64, complete bool, err error) {
	if int64(len(data)) != p.PartLen() {
		return 0, false, Refuse(syncproto.CodeBadRequest, "proof %s: the part holds %d bytes, not %d", p, len(data), p.PartLen())
	}
	dev, err := s.Device(ctx, p.Device)
	if errors.Is(err, ErrNotFound) {
		return 0, false, Refuse(syncproto.CodeUnknown, "device %s is not enrolled at this hub", p.Device)
	} else if err != nil {
		return 0, false, err
	}
	if !dev.RevokedAt.IsZero() {
		return 0, false, s.revokedError(dev)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		// A proof arriving for a dossier the hub's retention purged (a
		// device offline past it) is answered as held and not kept: the
		// purge would remove it, and the device stops sending it.
		var purged int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM hub_purges WHERE dossier = ?", p.Dossier).Scan(&purged); err != nil {
			return err
		}
		if purged > 0 {
			received, complete = p.Size, true
			_, err := tx.ExecContext(ctx, "DELETE FROM hub_proof_parts WHERE device = ? AND name = ?", p.Device, p.Name)
			return err
		}
		var have string
		err := tx.QueryRowContext(ctx, "SELECT sha256 FROM hub_proofs WHERE device = ? AND name = ?", p.Device, p.Name).Scan(&have)
		if err == nil {
			if have != p.SHA256 {
				return Refuse(syncproto.CodeConflict, "proof %s %s is held with other content", p.Device, p.Name)
			}
			received, complete = p.Size, true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_proof_parts(device, name, sha256, part_offset, data) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, p.Device, p.Name, p.SHA256, p.Offset, data); err != nil {
			return err
		}
		parts, err := proofParts(ctx, tx, p)
		if err != nil {
			return err
		}
		for received < p.Size {
			part, ok := parts[received]
			if !ok {
				return nil
			}
			received += int64(len(part))
		}
		whole := make([]byte, 0, p.Size)
		for off := int64(0); off < p.Size; off += syncproto.ProofPartSize {
			whole = append(whole, parts[off]...)
		}
		sum := sha256.Sum256(whole)
		if hex.EncodeToString(sum[:]) != p.SHA256 || !vault.IsSealed(whole) {
			if _, err := tx.ExecContext(ctx, "DELETE FROM hub_proof_parts WHERE device = ? AND name = ? AND sha256 = ?",
				p.Device, p.Name, p.SHA256); err != nil {
				return err
			}
			received = 0
			return Refuse(syncproto.CodeCorruptBody, "proof %s %s: the parts do not make an age file of SHA-256 %s; send it again",
				p.Device, p.Name, p.SHA256)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hub_proofs(device, name, dossier, size, sha256, data, received_at)
			VALUES(?, ?, ?, ?, ?, ?, ?)`, p.Device, p.Name, p.Dossier, p.Size, p.SHA256, whole, formatTime(s.Now())); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM hub_proof_parts WHERE device = ? AND name = ?", p.Device, p.Name); err != nil {
			return err
		}
		complete = true
		return nil
	})
	return received, complete, err
}

// putProofFiles stores the proof files a batch file carried (their
// signatures checked), part by part as PutProofPart stores them from the
// network, once the file's batches are stored, and returns a signed ack for
// each the hub now holds whole. A file refused (held with other content,
// not an age file) is noted among the refusals and not acked: the device
// keeps it and sends it again.
func (s *Store) putProofFiles(ctx context.Context, files []syncproto.ProofFile) ([]syncproto.Signed, error) {
	var acks []syncproto.Signed
	for _, f := range files {
		p, complete := f.Part, false
		var err error
		for p.Offset = 0; p.Offset < p.Size && err == nil; p.Offset += syncproto.ProofPartSize {
			_, complete, err = s.PutProofPart(ctx, p, f.Data[p.Offset:p.Offset+p.PartLen()])
		}
		if IsRefusal(err) {
			s.NoteRefusal(ctx, p.Device, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !complete {
			return nil, fmt.Errorf("proof file %s %s: every part stored but not complete", p.Device, p.Name)
		}
		ack, err := syncproto.SignProofAck(s.signKey, syncproto.ProofAck{Device: p.Device, Name: p.Name, SHA256: p.SHA256,
			Received: p.Size, Complete: true, HubTime: s.Now()})
		if err != nil {
			return nil, err
		}
		acks = append(acks, ack)
	}
	return acks, nil
}

func proofParts(ctx context.Context, tx *sql.Tx, p syncproto.ProofPart) (map[int64][]byte, error) {
	rows, err := tx.QueryContext(ctx, "SELECT part_offset, data FROM hub_proof_parts WHERE device = ? AND name = ? AND sha256 = ?",
		p.Device, p.Name, p.SHA256)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var off int64
		var data []byte
		if err := rows.Scan(&off, &data); err != nil {
			return nil, err
		}
		out[off] = data
	}
	return out, rows.Err()
}

// Proof is a delivery proof the hub holds.
type Proof struct {
	Device, Name, Dossier, SHA256 string
	Size                          int64
}

// Proofs lists the proofs the hub holds for a dossier (every one when dossier is "").
func (s *Store) Proofs(ctx context.Context, dossier string) ([]Proof, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT device, name, dossier, sha256, size FROM hub_proofs
		WHERE ? = '' OR dossier = ? ORDER BY dossier, device, name`, dossier, dossier)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Proof
	for rows.Next() {
		var p Proof
		if err := rows.Scan(&p.Device, &p.Name, &p.Dossier, &p.SHA256, &p.Size); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SealedProof returns a proof file as the hub holds it (still encrypted).
func (s *Store) SealedProof(ctx context.Context, device, name string) ([]byte, error) {
	var data []byte
	err := s.db.QueryRowContext(ctx, "SELECT data FROM hub_proofs WHERE device = ? AND name = ?", device, name).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return data, err
}

// OpenProof decrypts a proof with the hub's identity (for a supervisor's or
// a citizen's export at the hub).
func (s *Store) OpenProof(ctx context.Context, device, name string) ([]byte, error) {
	data, err := s.SealedProof(ctx, device, name)
	if err != nil {
		return nil, err
	}
	return vault.Open(data, []age.Identity{s.AgeIdentity()})
}

// checkProofs counts the proofs and names those whose bytes no longer
// match their SHA-256 or are not age files.
func checkProofs(ctx context.Context, q queryer) (n int, bad []string, err error) {
	rows, err := q.QueryContext(ctx, "SELECT device, name, sha256, data FROM hub_proofs ORDER BY device, name")
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var dev, name, sum string
		var data []byte
		if err := rows.Scan(&dev, &name, &sum, &data); err != nil {
			return 0, nil, err
		}
		n++
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sum || !bytes.HasPrefix(data, []byte(vault.Magic)) {
			bad = append(bad, dev+" "+name)
		}
	}
	return n, bad, rows.Err()
}

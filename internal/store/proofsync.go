package store

// Delivery proofs on their way to the hub (docs/sync-protocol.md §12): each
// sealed proof file is listed in proof_files with the hub recipient it was
// sealed to; devicesync sends the unsent ones, still encrypted, and marks
// each sent on the hub's signed, complete proof_ack.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"postdesk/internal/atomicfile"
	"postdesk/internal/vault"
)

// recordProofFile lists a proof file just sealed (to hub, "" when not enrolled).
func (s *Store) recordProofFile(ctx context.Context, name, hub string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO proof_files(name, dossier, hub_recipient) VALUES(?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET hub_recipient = excluded.hub_recipient, sent_sha256 = '', sent_at = ''`,
		name, proofDossier(name), hub)
	return err
}

// proofDossier is the receipt number a proof file's name starts with
// ("<dossier>-signature-<time>.png.age", "<dossier>-photo-…").
func proofDossier(name string) string {
	for _, kind := range []string{"-signature-", "-photo-"} {
		if i := strings.LastIndex(name, kind); i > 0 {
			return name[:i]
		}
	}
	return strings.TrimSuffix(name, filepath.Ext(name))
}

// UnsentProof is a proof file the hub does not hold yet.
type UnsentProof struct {
	Name, Dossier string
	HubRecipient  string // the hub it was sealed to ("" none)
}

// UnsentProofs lists the proof files the hub has not confirmed holding.
func (s *Store) UnsentProofs(ctx context.Context) ([]UnsentProof, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT name, dossier, hub_recipient FROM proof_files WHERE sent_at = '' ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UnsentProof
	for rows.Next() {
		var p UnsentProof
		if err := rows.Scan(&p.Name, &p.Dossier, &p.HubRecipient); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SealedProofFile returns a proof file's bytes as kept (encrypted) and
// their SHA-256, for sending.
func (s *Store) SealedProofFile(name string) (data []byte, sum string, err error) {
	p, err := s.proofFile("proofs/" + name)
	if err != nil {
		return nil, "", err
	}
	if data, err = os.ReadFile(p); err != nil {
		return nil, "", err
	}
	h := sha256.Sum256(data)
	return data, hex.EncodeToString(h[:]), nil
}

// ResealProof seals a proof again to the device's proof key and the hub it
// is now enrolled at (a proof kept before enrollment), atomically; it needs
// the proof key open (ErrProofLocked otherwise).
func (s *Store) ResealProof(ctx context.Context, name string) error {
	plain, err := s.ReadProof("proofs/" + name)
	if err != nil {
		return err
	}
	rcpts, hub, err := s.proofRecipients(ctx)
	if err != nil {
		return err
	}
	if err := s.writeSealed(name, plain, rcpts); err != nil {
		return err
	}
	return s.recordProofFile(ctx, name, hub)
}

func (s *Store) writeSealed(name string, plain []byte, rcpts []age.Recipient) error {
	data, err := vault.Seal(plain, rcpts)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(s.ProofsDir(), name), 0o600, data)
}

// MarkProofSent records that the hub holds the proof file of this SHA-256 whole.
func (s *Store) MarkProofSent(ctx context.Context, name, sum string) error {
	_, err := s.db.ExecContext(ctx, "UPDATE proof_files SET sent_sha256 = ?, sent_at = ? WHERE name = ?",
		sum, formatTime(s.Now()), name)
	return err
}

package store

// Delivery proofs encrypted at rest (README, Security: "Delivery proofs").
//
// Every proof file (a signature drawn on screen, a photo, an ID image) is
// written only as an age file, to two recipients: the device's proof key
// and, once the device is enrolled, the hub's key. The proof key is an age
// X25519 identity made at the first sign-in; its public recipient is meta
// 'proof_recipient', and its secret is kept only sealed, one copy per staff
// member, to that member's PIN or password (age scrypt, table
// proof_key_slots). A sign-in opens the member's copy and the running app
// keeps the key in memory until it quits; a member who has no copy yet gets
// one when they sign in while the key is open, or when a supervisor signed in
// here sets their PIN (ShareProofKey). Resetting a member's PIN drops their
// old copy (the old PIN must not open it any more).
//
// So a thief with the disk and no staff PIN finds ciphertext only; reading a
// proof goes through the app, by a signed-in member (desk.ReadProof).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"filippo.io/age"

	"postdesk/internal/auth"
	"postdesk/internal/domain"
	"postdesk/internal/vault"
)

const metaProofRecipient = "proof_recipient"

// ErrProofLocked is returned by ReadProof before a sign-in opened the proof key.
var ErrProofLocked = errors.New("the proof key is not open: sign in")

type proofKey struct {
	mu sync.Mutex
	id *age.X25519Identity
}

func (k *proofKey) get() *age.X25519Identity {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.id
}

func (k *proofKey) set(id *age.X25519Identity) {
	k.mu.Lock()
	k.id = id
	k.mu.Unlock()
}

// ProofRecipient is the device's proof key's public recipient ("" before
// the first sign-in made it).
func (s *Store) ProofRecipient(ctx context.Context) (string, error) {
	return s.Meta(ctx, metaProofRecipient, "")
}

// ProofsOpen reports whether a sign-in opened the proof key in this process.
func (s *Store) ProofsOpen() bool { return s.proofs.get() != nil }

// proofRecipients are who can read a proof: the device's proof key and the
// hub, when enrolled (hub is its recipient, "" before enrollment).
func (s *Store) proofRecipients(ctx context.Context) (rcpts []age.Recipient, hub string, err error) {
	rec, err := s.ProofRecipient(ctx)
	if err != nil {
		return nil, "", err
	}
	if rec == "" {
		return nil, "", &wrapped{ErrProofLocked, domain.Errf("proof", "err.proof.no_key",
			"this device has no proof key yet: a staff member signs in first")}
	}
	st, err := s.SyncState(ctx)
	if err != nil {
		return nil, "", err
	}
	rcpts, err = vault.Recipients(rec, st.HubAgeRecipient)
	return rcpts, st.HubAgeRecipient, err
}

// unlockProofs runs after a right PIN: it opens the member's copy of the
// proof key, or makes the key (first sign-in on this device), or gives the
// member a copy when the key is already open. Then it seals any plain proof
// an older PostDesk left.
func (s *Store) unlockProofs(ctx context.Context, username, secret string) error {
	rec, err := s.ProofRecipient(ctx)
	if err != nil {
		return err
	}
	if rec == "" {
		if err := s.makeProofKey(ctx, username, secret); err != nil {
			return err
		}
		_, err := s.SealPlainProofs(ctx)
		return err
	}
	var sealed []byte
	err = s.db.QueryRowContext(ctx, "SELECT sealed FROM proof_key_slots WHERE username = ?", username).Scan(&sealed)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err == nil && s.proofs.get() != nil {
		return nil // open already, and the member's copy is current (a PIN reset drops it): no scrypt on every unlock
	}
	if err == nil {
		if secretKey, err := vault.OpenWithPassphrase(sealed, secret); err == nil {
			if id, err := age.ParseX25519Identity(string(secretKey)); err == nil && id.Recipient().String() == rec {
				s.proofs.set(id)
				return nil
			}
		}
		// A copy the PIN does not open (changed elsewhere): replaced below when the key is open.
	}
	id := s.proofs.get()
	if id == nil {
		return nil // no copy yet and nobody opened the key: the member gets one at a later sign-in
	}
	return s.saveProofSlot(ctx, username, secret, id)
}

// makeProofKey makes the device's proof key with the first copy, for the
// member signing in; two processes racing keep the first one's key.
func (s *Store) makeProofKey(ctx context.Context, username, secret string) error {
	id, err := vault.NewKey()
	if err != nil {
		return err
	}
	sealed, err := vault.SealToPassphrase([]byte(id.String()), secret)
	if err != nil {
		return err
	}
	made := false
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO NOTHING",
			metaProofRecipient, id.Recipient().String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		made = true
		_, err = tx.ExecContext(ctx, `INSERT INTO proof_key_slots(username, sealed, made_at) VALUES(?, ?, ?)
			ON CONFLICT(username) DO UPDATE SET sealed = excluded.sealed, made_at = excluded.made_at`,
			username, sealed, formatTime(s.Now()))
		return err
	})
	if err != nil {
		return err
	}
	if !made { // another process made it first: open that one
		return s.unlockProofs(ctx, username, secret)
	}
	s.proofs.set(id)
	return nil
}

func (s *Store) saveProofSlot(ctx context.Context, username, secret string, id *age.X25519Identity) error {
	sealed, err := vault.SealToPassphrase([]byte(id.String()), secret)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO proof_key_slots(username, sealed, made_at) VALUES(?, ?, ?)
		ON CONFLICT(username) DO UPDATE SET sealed = excluded.sealed, made_at = excluded.made_at`,
		username, sealed, formatTime(s.Now()))
	return err
}

// ShareProofKey gives a member a copy of the open proof key sealed to their
// new PIN or password, when a supervisor sets it (desk.AddStaff,
// desk.ResetStaffSecret); secret must be the member's current one. With the
// key closed it does nothing: the member gets a copy at a later sign-in.
func (s *Store) ShareProofKey(ctx context.Context, username, secret string) error {
	id := s.proofs.get()
	if id == nil {
		return nil
	}
	rec, err := s.StaffMember(ctx, username)
	if err != nil {
		return err
	}
	if ok, err := auth.Verify(rec.SecretHash, secret); err != nil || !ok {
		return fmt.Errorf("proof key for %s: the PIN given is not the member's (%v)", username, err)
	}
	return s.saveProofSlot(ctx, rec.Username, secret, id)
}

// ProofKeyHolders lists the staff members holding a copy of the proof key.
func (s *Store) ProofKeyHolders(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT username FROM proof_key_slots ORDER BY username")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// proofFile checks a proof's path as an event holds it ("proofs/<name>")
// and returns the file's path.
func (s *Store) proofFile(rel string) (string, error) {
	name, ok := strings.CutPrefix(rel, "proofs/")
	if !ok || name == "" || path.Base(name) != name || strings.HasPrefix(name, ".") {
		return "", domain.Errf("proof", "err.proof.path", "%q is not a proof file of this device", rel).WithArgs("Path", rel)
	}
	return filepath.Join(s.ProofsDir(), name), nil
}

// ReadProof decrypts a proof file with the proof key a sign-in opened.
// Callers check who asks (desk.ReadProof).
func (s *Store) ReadProof(rel string) ([]byte, error) {
	p, err := s.proofFile(rel)
	if err != nil {
		return nil, err
	}
	id := s.proofs.get()
	if id == nil {
		return nil, &wrapped{ErrProofLocked, domain.Errf("proof", "err.proof.locked",
			"the proofs are encrypted and no signed-in staff member has opened their key on this device yet")}
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("proof %s: %w", rel, err)
	}
	if !vault.IsSealed(data) {
		return nil, domain.Errf("proof", "err.proof.plain", "the proof file %s is not encrypted", rel).WithArgs("Path", rel)
	}
	return vault.Open(data, []age.Identity{id})
}

// SealPlainProofs encrypts, once, the proof files an older PostDesk wrote in
// the clear: each is sealed to a temporary file, synced and renamed over the
// plain one (atomicfile), so a crash leaves the plain file or the sealed one,
// never both halves; a plain temporary file a crash left behind is removed.
// It waits for the proof key (the first sign-in) and returns how many it sealed.
func (s *Store) SealPlainProofs(ctx context.Context) (int, error) {
	entries, err := os.ReadDir(s.ProofsDir())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	rec, err := s.ProofRecipient(ctx)
	if err != nil || rec == "" {
		return 0, err
	}
	var rcpts []age.Recipient
	var hub string
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(s.ProofsDir(), e.Name())
		if strings.HasPrefix(e.Name(), ".") && strings.HasSuffix(e.Name(), ".tmp") {
			if err := os.Remove(p); err != nil { // half a write a crash left
				return n, err
			}
			continue
		}
		sealed, err := vault.IsSealedFile(p)
		if err != nil {
			return n, err
		}
		if sealed {
			continue
		}
		if rcpts == nil {
			if rcpts, hub, err = s.proofRecipients(ctx); err != nil {
				return n, err
			}
		}
		if err := vault.SealFile(p, p, rcpts); err != nil {
			return n, fmt.Errorf("encrypting proof %s: %w", e.Name(), err)
		}
		if err := s.recordProofFile(ctx, e.Name(), hub); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

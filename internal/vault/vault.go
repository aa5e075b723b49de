// Package vault is how PostDesk encrypts what must not be readable off the
// machine — backups, proof images — with age (filippo.io/age): X25519
// recipients, ChaCha20-Poly1305 in 64 KiB chunks, every chunk authenticated
// and the last one marked, so a flipped byte, a cut file or a wrong key is
// refused rather than half read.
//
// Keys are age X25519 identities ("AGE-SECRET-KEY-1…"). A post point's
// recovery key is printed once on its recovery sheet and only its public
// recipient ("age1…") is kept; the province hub has an identity of its own
// whose recipient devices learn at enrollment.
package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"filippo.io/age"

	"postdesk/internal/atomicfile"
	"postdesk/internal/domain"
)

// Magic opens every age file.
const Magic = "age-encryption.org/v1\n"

// Errors of Open, OpenFile and the key parsers; each comes wrapped with a
// *domain.FieldError that i18n.Message translates. Test with errors.Is.
var (
	ErrWrongKey = errors.New("no key given opens this file")
	ErrDamaged  = errors.New("the encrypted file is damaged, cut short or was changed")
	ErrBadKey   = errors.New("not an age secret key")
)

type codedError struct {
	code error
	fe   *domain.FieldError
}

func (e *codedError) Error() string   { return e.fe.Error() }
func (e *codedError) Unwrap() []error { return []error{e.code, e.fe} }

// IsSealed reports whether head (a file's first bytes) opens an age file.
func IsSealed(head []byte) bool { return bytes.HasPrefix(head, []byte(Magic)) }

// IsSealedFile reports whether the file at path is an age file.
func IsSealedFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(Magic))
	n, _ := io.ReadFull(f, head)
	return IsSealed(head[:n]), nil
}

// NewKey makes a new X25519 identity.
func NewKey() (*age.X25519Identity, error) { return age.GenerateX25519Identity() }

// ParseSecret reads one secret key as typed from a recovery sheet or scanned
// from its QR: spaces, line breaks and letter case do not matter.
func ParseSecret(text string) (*age.X25519Identity, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(text), ""))
	id, err := age.ParseX25519Identity(s)
	if err != nil {
		return nil, &codedError{ErrBadKey, domain.Errf("key", "err.vault.bad_key",
			"the key is not a PostDesk recovery key (AGE-SECRET-KEY-1 followed by 58 letters and digits): %v", err)}
	}
	return id, nil
}

// ReadIdentities reads a key file: a recovery key (typed or the sheet's QR
// text) or the hub's identity file. Lines starting with # are comments;
// every other non-empty line is one key.
func ReadIdentities(r io.Reader) ([]age.Identity, error) {
	var ids []age.Identity
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		id, err := ParseSecret(t)
		if err != nil {
			return nil, &codedError{ErrBadKey, domain.Errf(fmt.Sprintf("line %d", line), "err.vault.bad_key_line",
				"line %d is not an age secret key", line).WithArgs("Line", fmt.Sprint(line))}
		}
		ids = append(ids, id)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, &codedError{ErrBadKey, domain.Errf("key", "err.vault.no_key", "the key file holds no key")}
	}
	return ids, nil
}

// ReadIdentityFile is ReadIdentities of the file at path.
func ReadIdentityFile(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadIdentities(f)
}

// Recipients parses public recipients ("age1…"), skipping empty ones.
func Recipients(texts ...string) ([]age.Recipient, error) {
	var rs []age.Recipient
	for _, t := range texts {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		r, err := age.ParseX25519Recipient(t)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", t, err)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

// Seal encrypts data to the recipients.
func Seal(data []byte, rcpts []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	if err := seal(&buf, bytes.NewReader(data), rcpts); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Open decrypts a sealed file's bytes with one of the identities.
func Open(data []byte, ids []age.Identity) ([]byte, error) {
	var buf bytes.Buffer
	if err := open(&buf, bytes.NewReader(data), ids); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SealFile encrypts the file src to the recipients into dst, written under
// a temporary name, synced, then renamed: dst is whole or absent.
func SealFile(src, dst string, rcpts []age.Recipient) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, 0o600, func(w io.Writer) error { return seal(w, in, rcpts) })
}

// SealWith writes dst atomically as the encryption, to the recipients, of
// what write writes.
func SealWith(dst string, rcpts []age.Recipient, write func(w io.Writer) error) error {
	if len(rcpts) == 0 {
		return errors.New("vault: no recipient to encrypt to")
	}
	return atomicfile.Write(dst, 0o600, func(f io.Writer) error {
		enc, err := age.Encrypt(f, rcpts...)
		if err != nil {
			return err
		}
		if err := write(enc); err != nil {
			return err
		}
		return enc.Close()
	})
}

// OpenFile decrypts the sealed file src into dst (mode 0600), written
// under a temporary name and renamed only when the whole file decrypted and
// authenticated: a wrong key, a flipped byte or a cut file leaves nothing.
func OpenFile(src, dst string, ids []age.Identity) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return atomicfile.Write(dst, 0o600, func(w io.Writer) error {
		return open(w, bufio.NewReaderSize(in, 1<<20), ids)
	})
}

func seal(w io.Writer, r io.Reader, rcpts []age.Recipient) error {
	if len(rcpts) == 0 {
		return errors.New("vault: no recipient to encrypt to")
	}
	enc, err := age.Encrypt(w, rcpts...)
	if err != nil {
		return err
	}
	if _, err := io.Copy(enc, r); err != nil {
		return err
	}
	return enc.Close()
}

func open(w io.Writer, r io.Reader, ids []age.Identity) error {
	if len(ids) == 0 {
		return &codedError{ErrWrongKey, domain.Errf("key", "err.vault.need_key",
			"the file is encrypted: give the recovery key or the hub's identity")}
	}
	dec, err := age.Decrypt(r, ids...)
	if err == nil {
		_, err = io.Copy(w, dec)
	}
	if err == nil {
		return nil
	}
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return &codedError{ErrWrongKey, domain.Errf("key", "err.vault.wrong_key",
			"the key given does not open this file (it was encrypted to another recovery key or hub)")}
	}
	return &codedError{ErrDamaged, domain.Errf("file", "err.vault.damaged",
		"the encrypted file is damaged, cut short or was changed: %v", err).WithArgs("Reason", err.Error())}
}

// PassphraseWorkFactor is the scrypt work factor (log2 N) of SealToPassphrase:
// about 0.1 s and 32 MiB on a post office PC, paid once per sign-in.
const PassphraseWorkFactor = 15

// SealToPassphrase encrypts data to a passphrase (age's scrypt recipient):
// how a staff member's copy of the device's proof key is kept, opened with
// the PIN or password typed at sign-in.
func SealToPassphrase(data []byte, passphrase string) ([]byte, error) {
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, err
	}
	r.SetWorkFactor(PassphraseWorkFactor)
	return Seal(data, []age.Recipient{r})
}

// OpenWithPassphrase decrypts what SealToPassphrase sealed.
func OpenWithPassphrase(data []byte, passphrase string) ([]byte, error) {
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, err
	}
	return Open(data, []age.Identity{id})
}

package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"filippo.io/age"
)

func TestParseSecretAsTypedOrScanned(t *testing.T) {
	id, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	secret := id.String()
	var spaced strings.Builder
	for i, r := range strings.ToLower(secret) {
		if i > 0 && i%4 == 0 {
			spaced.WriteString(" ")
		}
		if i == 40 {
			spaced.WriteString("\n")
		}
		spaced.WriteRune(r)
	}
	for _, in := range []string{secret, spaced.String(), "  " + secret + "\r\n"} {
		got, err := ParseSecret(in)
		if err != nil || got.String() != secret {
			t.Fatalf("ParseSecret(%q) = %v, %v", in, got, err)
		}
	}
	// One character wrong: the bech32 checksum catches it.
	bad := secret[:30] + string(rune(secret[30])^1) + secret[31:]
	if _, err := ParseSecret(bad); !errors.Is(err, ErrBadKey) {
		t.Fatalf("a mistyped key: %v", err)
	}
}

func TestReadIdentitiesCommentsAndBadLines(t *testing.T) {
	a, _ := NewKey()
	b, _ := NewKey()
	ids, err := ReadIdentities(strings.NewReader("# hub key\n\n" + a.String() + "\n" + b.String() + "\n"))
	if err != nil || len(ids) != 2 {
		t.Fatalf("%d keys, %v", len(ids), err)
	}
	if _, err := ReadIdentities(strings.NewReader("# nothing\n")); !errors.Is(err, ErrBadKey) {
		t.Fatalf("no key: %v", err)
	}
	_, err = ReadIdentities(strings.NewReader(a.String() + "\nage1notasecret\n"))
	if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad second line: %v", err)
	}
}

func TestSealOpenRoundTripAndRefusals(t *testing.T) {
	a, _ := NewKey()
	b, _ := NewKey()
	other, _ := NewKey()
	msg := bytes.Repeat([]byte("Rơ Mah H'Bích 064301000045 "), 5000) // several chunks
	sealed, err := Seal(msg, []age.Recipient{a.Recipient(), b.Recipient()})
	if err != nil {
		t.Fatal(err)
	}
	if !IsSealed(sealed) || bytes.Contains(sealed, []byte("064301000045")) {
		t.Fatal("not sealed")
	}
	for _, id := range []age.Identity{a, b} {
		if got, err := Open(sealed, []age.Identity{id}); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("open: %v", err)
		}
	}
	if _, err := Open(sealed, []age.Identity{other}); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key: %v", err)
	}
	if _, err := Open(sealed[:len(sealed)-10], []age.Identity{a}); !errors.Is(err, ErrDamaged) {
		t.Fatalf("cut: %v", err)
	}
	if _, err := Seal(msg, nil); err == nil {
		t.Fatal("sealed to nobody")
	}
}

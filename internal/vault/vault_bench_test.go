package vault

import "testing"

// BenchmarkPassphraseSlot: opening a staff member's copy of the proof key
// with their PIN, paid at the first sign-in of each app start (README
// Performance; it is also what each guess costs a thief with the disk).
func BenchmarkPassphraseSlot(b *testing.B) {
	id, err := NewKey()
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := SealToPassphrase([]byte(id.String()), "2468")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := OpenWithPassphrase(sealed, "2468"); err != nil {
			b.Fatal(err)
		}
	}
}

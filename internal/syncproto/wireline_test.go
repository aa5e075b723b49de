package syncproto

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// The hand-written line is the canonical one: what encoding/json writes,
// byte for byte, for every field present or absent and every kind of
// character a string may hold.
func TestWireLineIsEncodingJSON(t *testing.T) {
	var strs []string
	for c := 0; c < 0x80; c++ { // every ASCII byte, control characters included
		strs = append(strs, "a"+string(rune(c))+"b")
	}
	strs = append(strs, "", "Nguyễn Thị Hằng", "đ\u2028x\u2029", "\xff\xfe bad", "tab\tquote\"back\\", "<html>&amp;", "😀 emoji", "\u007f\u0080\u00a0")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 { // random bytes, valid or not
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		strs = append(strs, string(b))
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	check := func(w WireEvent) {
		t.Helper()
		want.Reset()
		if err := enc.Encode(&w); err != nil {
			t.Fatal(err)
		}
		if got := appendWireLine(nil, &w); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("for %+v\n got %q\nwant %q", w, got, want.Bytes())
		}
	}
	for i, s := range strs {
		check(WireEvent{Seq: int64(i) - 3, Kind: s, Dossier: s, Staff: s, At: s, Hash: s})
		check(WireEvent{Seq: 1 << 62, Kind: "dossier.note", Staff: s, At: "2026-12-04T14:00:00.000000000Z",
			Payload: json.RawMessage(`{"text":"x","n":[1,2.5,null,true]}`), Hash: "ab"})
		check(WireEvent{Seq: 7, Kind: "k", Staff: "s", At: "t", PayloadB64: s, Hash: s})
	}
}

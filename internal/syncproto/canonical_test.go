package syncproto

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
)

// Every body line that decodes to the very same event but is not written
// the canonical way is refused with corrupt_body and a reason, as
// docs/sync-protocol.md §4.2 says: a lenient decoder reads such lines
// differently from a strict one, which is how two implementations come to
// disagree about a signed batch.
func TestNonCanonicalLinesRefused(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	events := chain("600900-A", 1, 4, "")
	b, _, _ := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	raw, _ := gunzip(b.Body)
	if _, _, err := DecodeBatch(sealRaw(key, raw, 4, events[3].Hash), pub); err != nil {
		t.Fatalf("the canonical body: %v", err)
	}
	// The first line is {"seq":1,"kind":"dossier.note","dossier":…,"staff":"gdv1","at":…,"payload":{"text":…},"hash":…}
	for name, c := range map[string]struct {
		old, new, reason string
	}{
		"duplicate key":        {`"staff":"gdv1",`, `"staff":"gdv2","staff":"gdv1",`, ReasonDuplicateKey},
		"key case":             {`"staff":"gdv1"`, `"Staff":"gdv1"`, ReasonKeyCase},
		"key case, all caps":   {`"seq":1,`, `"SEQ":1,`, ReasonKeyCase},
		"space after colon":    {`"staff":"gdv1"`, `"staff": "gdv1"`, ReasonWhitespace},
		"space after comma":    {`"seq":1,`, `"seq":1, `, ReasonWhitespace},
		"tab":                  {`"seq":1,`, "\"seq\":1,\t", ReasonWhitespace},
		"space in the payload": {`{"text":`, `{ "text":`, ReasonWhitespace},
		"\\u escape in value":  {`"staff":"gdv1"`, `"staff":"gd\u00761"`, ReasonEscape},
		"\\u escape in key":    {`"staff":"gdv1"`, `"st\u0061ff":"gdv1"`, ReasonEscape},
		"\\/ escape":           {`"kind":"dossier.note"`, `"kind":"dossier.note\/"`, ReasonEscape},
		"key order":            {`"seq":1,"kind":"dossier.note",`, `"kind":"dossier.note","seq":1,`, ReasonKeyOrder},
		"empty optional field": {`,"hash":`, `,"payload_b64":"","hash":`, ReasonNotCanonical},
	} {
		body := bytes.Replace(raw, []byte(c.old), []byte(c.new), 1)
		if bytes.Equal(body, raw) {
			t.Fatalf("%s: %q is not in the first line", name, c.old)
		}
		_, _, err := DecodeBatch(sealRaw(key, body, 4, events[3].Hash), pub)
		var pe *Error
		if !errors.As(err, &pe) || pe.Code != CodeCorruptBody {
			t.Errorf("%s: accepted or wrong code: %v", name, err)
			continue
		}
		if name == "\\/ escape" { // the kind changes, so the hash check may answer first
			continue
		}
		if pe.Reason != c.reason {
			t.Errorf("%s: reason %q, want %q (%s)", name, pe.Reason, c.reason, pe.Message)
		}
	}
}

// BenchmarkDecodeBody: the strict decoder's cost per event (100 000 events).
func BenchmarkDecodeBody(b *testing.B) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	events := chain("600900-A", 1, 5000, "")
	bt, _, err := EncodeBatch(key, "600900-A", "600900", "", 1, events, 0, t0, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := DecodeBatch(bt.Raw, pub); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
}

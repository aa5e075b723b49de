package main

import (
	"bytes"
	"image/png"
	"os"
	"testing"
)

// TestCommittedIconIsCurrent fails when assets/icon.png differs from what
// this generator draws; regenerate with `go run ./assets/gen -o assets/icon.png`.
func TestCommittedIconIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, draw()); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("../icon.png")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatal("assets/icon.png is stale: run `go run ./assets/gen -o assets/icon.png`")
	}
}

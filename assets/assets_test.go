package assets

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestIcon(t *testing.T) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || cfg.Width != 512 || cfg.Height != 512 {
		t.Fatalf("icon is %s %d×%d, want png 512×512", format, cfg.Width, cfg.Height)
	}
	img, err := png.Decode(bytes.NewReader(Icon))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
		t.Errorf("icon corner is not transparent (alpha %d)", a)
	}
	if _, _, _, a := img.At(256, 256).RGBA(); a != 0xffff {
		t.Errorf("icon centre is not opaque (alpha %d)", a)
	}
}

func TestFontLicense(t *testing.T) {
	for _, want := range []string{"SIL OPEN FONT LICENSE Version 1.1", "Google LLC"} {
		if !bytes.Contains(FontLicense, []byte(want)) {
			t.Errorf("OFL.txt lacks %q", want)
		}
	}
}

// vietnamese returns every letter Vietnamese writes (both cases), the dong
// sign, and the breve vowels Jrai and Bahnar names add, each precomposed
// (NFC) where Unicode has a precomposed form.
func vietnamese() []rune {
	var out []rune
	add := func(s string) {
		for _, r := range norm.NFC.String(s) {
			out = append(out, r)
		}
	}
	add("abcdđefghijklmnopqrstuvwxyz")
	add("ABCDĐEFGHIJKLMNOPQRSTUVWXYZ")
	// five tone marks: grave, acute, hook above, tilde, dot below
	tones := []string{"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
	for _, v := range []string{"a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y",
		"A", "Ă", "Â", "E", "Ê", "I", "O", "Ô", "Ơ", "U", "Ư", "Y"} {
		add(v)
		for _, tone := range tones {
			add(v + tone)
		}
	}
	add("ĭĬŏŎŭŬĕĔ₫")
	// NFD text (from some keyboards and imports) needs the combining marks.
	add("\u0300\u0301\u0303\u0306\u0309\u0323")
	return out
}

func TestFontsCoverVietnamese(t *testing.T) {
	letters := vietnamese()
	if len(letters) < 134+52 {
		t.Fatalf("only %d letters in the test set", len(letters))
	}
	for name, data := range map[string][]byte{"Regular": FontRegular, "Bold": FontBold, "Italic": FontItalic} {
		cmap, err := parseCmap(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, r := range letters {
			if cmap(r) == 0 {
				t.Errorf("%s: no glyph for %q (U+%04X)", name, r, r)
			}
		}
	}
}

// parseCmap returns a rune→glyph lookup from a TrueType font's Unicode
// character map (format 12 preferred, else format 4); glyph 0 means missing.
func parseCmap(font []byte) (func(rune) int, error) {
	be := binary.BigEndian
	if len(font) < 12 {
		return nil, fmt.Errorf("font too short")
	}
	if v := be.Uint32(font); v != 0x00010000 && v != 0x74727565 {
		return nil, fmt.Errorf("not a TrueType font (version %#x)", v)
	}
	var cmap []byte
	for i, n := 0, int(be.Uint16(font[4:])); i < n; i++ {
		rec := font[12+16*i:]
		if string(rec[:4]) == "cmap" {
			off, length := be.Uint32(rec[8:]), be.Uint32(rec[12:])
			cmap = font[off : off+length]
		}
	}
	if cmap == nil {
		return nil, fmt.Errorf("no cmap table")
	}
	var f4, f12 []byte
	for i, n := 0, int(be.Uint16(cmap[2:])); i < n; i++ {
		rec := cmap[4+8*i:]
		platform, encoding, off := be.Uint16(rec), be.Uint16(rec[2:]), be.Uint32(rec[4:])
		sub := cmap[off:]
		unicode := platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
		switch {
		case unicode && be.Uint16(sub) == 12:
			f12 = sub
		case unicode && be.Uint16(sub) == 4:
			f4 = sub
		}
	}
	if f12 != nil {
		groups := int(be.Uint32(f12[12:]))
		return func(r rune) int {
			for g := 0; g < groups; g++ {
				rec := f12[16+12*g:]
				start, end := rune(be.Uint32(rec)), rune(be.Uint32(rec[4:]))
				if r >= start && r <= end {
					return int(be.Uint32(rec[8:])) + int(r-start)
				}
			}
			return 0
		}, nil
	}
	if f4 != nil {
		segs := int(be.Uint16(f4[6:])) / 2
		ends, starts := 14, 16+2*segs
		deltas, ranges := starts+2*segs, starts+4*segs
		return func(r rune) int {
			if r > 0xFFFF {
				return 0
			}
			c := int(r)
			for i := 0; i < segs; i++ {
				end, start := int(be.Uint16(f4[ends+2*i:])), int(be.Uint16(f4[starts+2*i:]))
				if c > end || c < start {
					continue
				}
				delta := int(be.Uint16(f4[deltas+2*i:]))
				ro := int(be.Uint16(f4[ranges+2*i:]))
				if ro == 0 {
					return (c + delta) & 0xFFFF
				}
				g := int(be.Uint16(f4[ranges+2*i+ro+2*(c-start):]))
				if g == 0 {
					return 0
				}
				return (g + delta) & 0xFFFF
			}
			return 0
		}, nil
	}
	return nil, fmt.Errorf("no Unicode cmap subtable")
}

// Package assets holds the files PostDesk embeds in its binary: the
// application icon and the Noto Sans fonts used on screen and in printed
// documents. It exposes plain bytes and imports nothing from Fyne, so the
// PDF and report code can use it too.
//
// The fonts are Noto Sans 2.004 (Regular, Bold, Italic), copied unmodified
// from Debian's fonts-noto-core package; they cover every Vietnamese letter
// and tone mark. Their licence (SIL OFL 1.1) is FontLicense and must ship
// with any copy of the program. The icon is drawn by ./gen:
//
//	go run ./assets/gen -o assets/icon.png
package assets

import _ "embed"

// Icon is the 512×512 application icon, a PNG.
//
//go:embed icon.png
var Icon []byte

// FontRegular is Noto Sans Regular (TrueType).
//
//go:embed fonts/NotoSans-Regular.ttf
var FontRegular []byte

// FontBold is Noto Sans Bold (TrueType).
//
//go:embed fonts/NotoSans-Bold.ttf
var FontBold []byte

// FontItalic is Noto Sans Italic (TrueType).
//
//go:embed fonts/NotoSans-Italic.ttf
var FontItalic []byte

// FontLicense is the SIL Open Font License text covering the fonts.
//
//go:embed fonts/OFL.txt
var FontLicense []byte

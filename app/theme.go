package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"postdesk/assets"
)

// The embedded Noto Sans faces: every Vietnamese letter and tone mark, and
// the breve vowels of Jrai and Bahnar names, render whatever fonts the PC has.
var (
	fontRegular = fyne.NewStaticResource("NotoSans-Regular.ttf", assets.FontRegular)
	fontBold    = fyne.NewStaticResource("NotoSans-Bold.ttf", assets.FontBold)
	fontItalic  = fyne.NewStaticResource("NotoSans-Italic.ttf", assets.FontItalic)
	iconRes     = fyne.NewStaticResource("postdesk.png", assets.Icon)
)

func appIcon() fyne.Resource { return iconRes }

// deskTheme is Fyne's default theme with PostDesk's fonts and a light look
// (a counter PC in a bright room), slightly larger text for the counter.
type deskTheme struct{}

var _ fyne.Theme = deskTheme{}

// Theme returns the PostDesk theme.
func Theme() fyne.Theme { return deskTheme{} }

func (deskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary:
		return color.NRGBA{R: 0x00, G: 0x5b, B: 0xaa, A: 0xff} // post-office blue
	case theme.ColorNameSelection:
		return color.NRGBA{R: 0xd6, G: 0xe6, B: 0xf7, A: 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

func (deskTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace, s.Symbol:
		return theme.DefaultTheme().Font(s)
	case s.Bold:
		return fontBold
	case s.Italic:
		return fontItalic
	}
	return fontRegular
}

func (deskTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (deskTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameText {
		return 15
	}
	return theme.DefaultTheme().Size(n)
}

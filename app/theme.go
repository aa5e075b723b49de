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

// deskColors replace the default light theme's where its text is too pale
// to read on an old screen: every text colour has a contrast ratio of at
// least 4.5:1 (WCAG AA) on every background it is drawn on
// (theme_test.go checks it). The default's low-importance labels use the
// disabled colour #e3e3e3 (1.3:1 on white), its placeholder #888888 (3.5:1),
// and its error, warning and success colours are paler still.
var deskColors = map[fyne.ThemeColorName]color.Color{
	theme.ColorNamePrimary:     rgb(0x005baa), // post-office blue
	theme.ColorNameSelection:   rgb(0xd6e6f7),
	theme.ColorNameForeground:  rgb(0x1f1f1f),
	theme.ColorNameDisabled:    rgb(0x616161),
	theme.ColorNamePlaceHolder: rgb(0x666666),
	theme.ColorNameHyperlink:   rgb(0x0b57d0),
	theme.ColorNameError:       rgb(0xb71c1c),
	theme.ColorNameSuccess:     rgb(0x1b6e20),
	theme.ColorNameWarning:     rgb(0x9a4d00),
}

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

func (deskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if c, ok := deskColors[n]; ok {
		return c
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

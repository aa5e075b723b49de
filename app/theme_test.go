package app

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is WCAG 2's contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// over composes a (possibly translucent) colour over an opaque one.
func over(top, bottom color.Color) color.Color {
	tr, tg, tb, ta := top.RGBA() // premultiplied
	br, bg, bb, _ := bottom.RGBA()
	mix := func(t, b uint32) uint8 { return uint8((t + b*(0xffff-ta)/0xffff) >> 8) }
	return color.NRGBA{R: mix(tr, br), G: mix(tg, bg), B: mix(tb, bb), A: 0xff}
}

func TestContrastHelpers(t *testing.T) {
	if r := contrast(color.White, color.Black); math.Abs(r-21) > 0.01 {
		t.Errorf("white on black = %.2f, want 21", r)
	}
	if r := contrast(rgb(0x767676), color.White); r < 4.5 || r > 4.6 {
		t.Errorf("#767676 on white = %.2f, want 4.54", r)
	}
}

// TestThemeTextContrast: every colour text is drawn in has a contrast ratio
// of at least 4.5:1 on every background it appears on (labels of every
// importance, placeholders, links, disabled text; on the window, fields,
// dialogs, menus, table headers, buttons, hovered buttons and selected rows),
// and the text on coloured buttons has it on its button. The default theme
// fails (low-importance labels #e3e3e3 on white: 1.3:1).
func TestThemeTextContrast(t *testing.T) {
	th := Theme()
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantLight) }
	backgrounds := []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground,
		theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground,
		theme.ColorNameButton, theme.ColorNameSelection}
	texts := []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNameDisabled, theme.ColorNamePlaceHolder,
		theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameError, theme.ColorNameSuccess, theme.ColorNameWarning}
	for _, bg := range backgrounds {
		for _, fg := range texts {
			if r := contrast(c(fg), c(bg)); r < 4.5 {
				t.Errorf("%s text on %s: contrast %.2f:1, want at least 4.5:1", fg, bg, r)
			}
		}
	}
	hovered := over(c(theme.ColorNameHover), c(theme.ColorNameButton))
	if r := contrast(c(theme.ColorNameForeground), hovered); r < 4.5 {
		t.Errorf("text on a hovered button: %.2f:1", r)
	}
	for fg, bg := range map[fyne.ThemeColorName]fyne.ThemeColorName{
		theme.ColorNameForegroundOnPrimary: theme.ColorNamePrimary,
		theme.ColorNameForegroundOnError:   theme.ColorNameError,
		theme.ColorNameForegroundOnSuccess: theme.ColorNameSuccess,
		theme.ColorNameForegroundOnWarning: theme.ColorNameWarning,
	} {
		if r := contrast(c(fg), c(bg)); r < 4.5 {
			t.Errorf("%s on %s: contrast %.2f:1, want at least 4.5:1", fg, bg, r)
		}
	}
}

package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"postdesk/i18n"
)

// fyneLocales are the locales Fyne ships its own words in; PostDesk's
// chosen locale is registered under each of them (and its own name), so
// Fyne's dialog words (OK, Cancel, file dialogs, weekday names) follow the
// language chosen in settings whatever the operating system's locale is.
var fyneLocales = []fyne.Locale{"cs", "de", "el", "en", "es", "fr", "pl", "pt", "pt-BR", "ru", "sv", "ta", "uk", "zh-Hans"}

// useLocale switches PostDesk's texts and Fyne's own words to locale
// (falling back to Vietnamese when the locale is unknown).
func useLocale(locale string) {
	if err := i18n.SetLocale(locale); err != nil {
		fyne.LogError("locale "+locale, err)
		_ = i18n.SetLocale(i18n.Default)
	}
	data, ok := i18n.Bytes(i18n.Locale())
	if !ok {
		return
	}
	for _, l := range append([]fyne.Locale{fyne.Locale(i18n.Locale())}, fyneLocales...) {
		if err := lang.AddTranslationsForLocale(data, l); err != nil {
			fyne.LogError("fyne translations", err)
			return
		}
	}
}

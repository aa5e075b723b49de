package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"postdesk/i18n"
)

// Fyne picks its own words (OK, Cancel, file dialogs, weekday names) by the
// operating system's locale, falling back to English. PostDesk's chosen
// locale is registered under its own name, under English and under the
// system's language, so Fyne's words follow the language chosen in
// settings whatever the operating system says. (Three registrations, not
// one per Fyne locale: each parses the whole file, and start-up time counts.)
func fyneLocales() []fyne.Locale {
	out := []fyne.Locale{fyne.Locale(i18n.Locale()), "en"}
	if sys := lang.SystemLocale().LanguageString(); sys != "" && sys != "en" && sys != i18n.Locale() {
		out = append(out, fyne.Locale(sys))
	}
	return out
}

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
	for _, l := range fyneLocales() {
		if err := lang.AddTranslationsForLocale(data, l); err != nil {
			fyne.LogError("fyne translations", err)
			return
		}
	}
}

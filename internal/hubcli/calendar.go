package hubcli

import "postdesk/internal/cmdline"

// The hub keeps its own calendar files beside its database, for the
// service-quality figures (and, later, to send to the post points).
func init() {
	register("hub calendar show", cmdline.CalendarShowUsage, cmdline.CalendarShowHelp, cmdline.CalendarShow)
	register("hub calendar install", cmdline.CalendarInstallUsage, cmdline.CalendarInstallHelp, cmdline.CalendarInstall)
	register("hub calendar template", cmdline.CalendarTemplateUsage, cmdline.CalendarTemplateHelp, cmdline.CalendarTemplate)
}

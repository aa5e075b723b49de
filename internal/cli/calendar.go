package cli

import "postdesk/internal/cmdline"

func init() {
	register("calendar show", cmdline.CalendarShowUsage, cmdline.CalendarShowHelp, cmdline.CalendarShow)
	register("calendar install", cmdline.CalendarInstallUsage, cmdline.CalendarInstallHelp, cmdline.CalendarInstall)
	register("calendar template", cmdline.CalendarTemplateUsage, cmdline.CalendarTemplateHelp, cmdline.CalendarTemplate)
}

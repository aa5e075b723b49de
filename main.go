// PostDesk: receipt and return of administrative dossiers through the
// commune post office. With a command it runs on the command line; without
// one it opens the desktop app.
package main

import (
	"os"

	"boot.postdesk.local/initlog"

	"postdesk/app"
	"postdesk/internal/cli"
	"postdesk/internal/platform"
)

func main() {
	if cli.IsCommand(os.Args[1:]) {
		// A command prints only its own output: the toolkit's complaints
		// about the system locale at start (LANG=C.UTF-8) are dropped.
		initlog.Release(false)
		platform.AttachConsole() // Windows: print to the console it was started from
		os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
	}
	initlog.Release(true)
	os.Exit(app.Main(os.Args[1:]))
}

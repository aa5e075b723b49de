// PostDesk: receipt and return of administrative dossiers through the
// commune post office. With a command it runs on the command line; without
// one it opens the desktop app.
package main

import (
	"os"

	"postdesk/app"
	"postdesk/internal/cli"
)

func main() {
	if cli.IsCommand(os.Args[1:]) {
		os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(app.Main(os.Args[1:]))
}

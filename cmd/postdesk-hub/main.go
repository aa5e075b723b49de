// postdesk-hub is the province hub as its own program: device sync, agency
// outcomes, the staff web page and the province report (internal/hub), run
// from the command line (internal/hubcli). It links no desktop UI, OpenGL or
// X11, so it runs on a bare Linux or Windows server; `postdesk hub …` runs
// the same commands.
package main

import (
	"os"

	"postdesk/internal/hubcli"
)

func main() {
	os.Exit(hubcli.Run(os.Args[1:], os.Stdout, os.Stderr))
}

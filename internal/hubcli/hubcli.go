// Package hubcli is the province hub's command line: `postdesk-hub serve`,
// `token`, `import`, `report kpi`… (cmd/postdesk-hub), also reachable as
// `postdesk hub …`. It links no desktop UI.
package hubcli

import (
	"context"
	"flag"
	"io"

	"postdesk/internal/cmdline"
	"postdesk/internal/hub/hubstore"
)

// Env is what a command may touch: its output streams and context.
type Env = cmdline.Env

// hubFlags is a command's flags with its --db; onHub parses them, checks
// the arguments (check may be nil), opens the hub database, which must
// exist, and runs run on it; onNewHub creates the database when it does
// not exist (the commands that set a hub up).
func hubFlags(name string) (*flag.FlagSet, *string) {
	return cmdline.DBFlags(name, "hub database: a file (HUB.db), or PostgreSQL as postgres://user@host/db or \"host=… dbname=…\" (password from PGPASSWORD or ~/.pgpass, never here)")
}

func onHub(fs *flag.FlagSet, db *string, args []string, check func(pos []string) error, run func(s *hubstore.Store, pos []string) error) error {
	return cmdline.OnDB(fs, args, db, openHub, check, run)
}

func onNewHub(fs *flag.FlagSet, db *string, args []string, check func(pos []string) error, run func(s *hubstore.Store, pos []string) error) error {
	return cmdline.OnDB(fs, args, db, createHub, check, run)
}

var (
	usagef      = cmdline.Usagef
	withContext = cmdline.WithContext
)

// program is postdesk-hub on the command line: "serve" is "hub serve".
var program = cmdline.Program{
	Name: "postdesk-hub",
	About: []string{"PostDesk hub — the province's server: device sync, agency outcomes, the staff web page and the province report.",
		"`postdesk hub …` runs the same commands."},
	Commands: cmdline.NewSet(Commands()),
	Prefix:   "hub",
}

// Run runs postdesk-hub's command in args and returns the exit status:
// 0 success, 1 failure, 2 bad usage (or no command). Errors go to stderr.
func Run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		args = []string{"help"}
	}
	return program.Run(context.Background(), args, stdout, stderr)
}

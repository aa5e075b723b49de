// Package hubcli is the province hub's command line: `postdesk-hub serve`,
// `token`, `import`, `report kpi`… (cmd/postdesk-hub), also reachable as
// `postdesk hub …`. It links no desktop UI.
package hubcli

import (
	"context"
	"io"

	"postdesk/internal/cmdline"
)

// Env is what a command may touch: its output streams and context.
type Env = cmdline.Env

// commands are the hub's commands, every path starting with "hub".
var commands cmdline.Set

// Commands is the hub's set of commands ("hub serve", "hub report kpi"…).
func Commands() *cmdline.Set { return &commands }

// register adds a command; called from init in each command's file.
func register(path, usage, help string, run func(env *Env, args []string) error) {
	commands.Register(path, usage, help, run)
}

var (
	usagef      = cmdline.Usagef
	withContext = cmdline.WithContext
	flags       = cmdline.Flags
	parse       = cmdline.Parse
)

// program is postdesk-hub on the command line: "serve" is "hub serve".
var program = cmdline.Program{
	Name: "postdesk-hub",
	About: []string{"PostDesk hub — the province's server: device sync, agency outcomes, the staff web page and the province report.",
		"`postdesk hub …` runs the same commands."},
	Commands: &commands,
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

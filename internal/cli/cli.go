// Package cli is PostDesk's command line: the same binary that opens the
// desktop app runs these commands when given one. Each group of commands
// lives in its own file; commands.go is the one table of them all. The
// hub's commands live in internal/hubcli (the postdesk-hub program) and are
// here too as `postdesk hub …`.
package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"postdesk/i18n"
	"postdesk/internal/cmdline"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Version is set at build time with -ldflags "-X postdesk/internal/cli.Version=…".
var Version = "0.1.0-dev"

// Env is what a command may touch: its output streams and context.
type Env = cmdline.Env

// program is postdesk on the command line.
var program = cmdline.Program{
	Name: "postdesk",
	About: []string{"PostDesk — receipt and return of administrative dossiers by post.",
		"With no command, PostDesk opens the desktop app (--db PATH picks the database)."},
	Commands: cmdline.NewSet(commands()),
}

// dbFlags is a command's flags with its --db; onDB parses them, checks the
// arguments (check may be nil), opens the database, which must exist, and
// runs run on it; onNewDB creates the database when it does not exist.
func dbFlags(name string) (*flag.FlagSet, *string) { return cmdline.DBFlags(name, "database file") }

func onDB(fs *flag.FlagSet, db *string, args []string, check func(pos []string) error, run func(s *store.Store, pos []string) error) error {
	return cmdline.OnDB(fs, args, db, openDB, check, run)
}

func onNewDB(fs *flag.FlagSet, db *string, args []string, check func(pos []string) error, run func(s *store.Store, pos []string) error) error {
	return cmdline.OnDB(fs, args, db, createDB, check, run)
}

var (
	usagef      = cmdline.Usagef
	withContext = cmdline.WithContext
	flags       = cmdline.Flags
	parse       = cmdline.Parse
)

// IsCommand reports whether args ask for a command rather than the desktop app.
func IsCommand(args []string) bool { return program.IsCommand(args) }

// Run runs the command in args and returns the process exit status:
// 0 success, 1 failure, 2 bad usage. Errors go to stderr.
func Run(args []string, stdout, stderr io.Writer) int {
	notices = stderr
	return program.Run(context.Background(), args, stdout, stderr)
}

// openDB opens the --db database, which must exist: only the commands that
// set a database up (demo seed, catalog import) use createDB.
//
// A device the province ordered locked (a lost one, desk.ErrLocked) opens
// only for the commands that show no citizen's data: check, status, sync
// and erase (onAnyDB); every other command is refused until the erase.
func openDB(path string) (*store.Store, error) {
	s, err := openAnyDB(path)
	if err != nil {
		return nil, err
	}
	if lock, err := s.Lock(context.Background()); err != nil || (lock.Locked && !lock.Erased) {
		s.Close()
		if err == nil {
			err = desk.ErrLocked
		}
		return nil, err
	}
	return s, nil
}

// openAnyDB opens the --db database, which must exist, locked or not.
func openAnyDB(path string) (*store.Store, error) {
	if err := cmdline.DBPath(path, true); err != nil {
		return nil, err
	}
	s, err := store.Open(path)
	if err == nil && s.Upgraded != nil {
		fmt.Fprintln(notices, "postdesk:", UpgradeNotice(s.Upgraded))
	}
	return s, err
}

// onAnyDB is onDB for the commands a locked device still runs.
func onAnyDB(fs *flag.FlagSet, db *string, args []string, check func(pos []string) error, run func(s *store.Store, pos []string) error) error {
	return cmdline.OnDB(fs, args, db, openAnyDB, check, run)
}

// createDB opens the --db database, creating it when it does not exist.
func createDB(path string) (*store.Store, error) {
	if err := cmdline.DBPath(path, false); err != nil {
		return nil, err
	}
	return store.Open(path)
}

// cliActor is who a command acts as: the command line is run by whoever
// administers the machine and holds the database file, so it acts with a
// supervisor's role under the name given (recorded in the events).
func cliActor(name string) desk.Actor {
	return desk.Actor{Username: name, Role: domain.RoleSupervisor}
}

// notices is where openDB says it upgraded a file (Run sets it to stderr).
var notices io.Writer = os.Stderr

// UpgradeNotice says, in the user's language, that the file was upgraded
// and where the copy made first is.
func UpgradeNotice(u *store.Upgrade) string {
	return i18n.Tf("store.upgraded", map[string]string{"From": strconv.Itoa(u.From), "To": strconv.Itoa(u.To), "Backup": u.Backup})
}

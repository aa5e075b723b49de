// Package cli is PostDesk's command line: the same binary that opens the
// desktop app runs these commands when given one. Each command lives in its
// own file and registers itself, so adding one touches nothing else.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"postdesk/i18n"
	"postdesk/internal/store"
)

// Version is set at build time with -ldflags "-X postdesk/internal/cli.Version=…".
var Version = "0.1.0-dev"

// Env is what a command may touch: its output streams and context.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
}

type command struct {
	path  string // e.g. "catalog import"
	usage string // arguments, e.g. "--db PATH FILE…"
	help  string // one line
	run   func(env *Env, args []string) error
}

var commands = map[string]*command{}

// register adds a command; called from init in each command's file.
func register(path, usage, help string, run func(env *Env, args []string) error) {
	commands[path] = &command{path: path, usage: usage, help: help, run: run}
}

// usageError makes Run print the command's usage and exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// IsCommand reports whether args ask for a command rather than the desktop app.
func IsCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return true
	}
	if strings.HasPrefix(args[0], "-") {
		return false // e.g. --db PATH: the desktop app with options
	}
	for path := range commands {
		if strings.SplitN(path, " ", 2)[0] == args[0] {
			return true
		}
	}
	return true // an unknown word is a command typo, not a request for the app
}

// Run runs the command in args and returns the process exit status:
// 0 success, 1 failure, 2 bad usage. Errors go to stderr.
func Run(args []string, stdout, stderr io.Writer) int {
	env := &Env{Ctx: context.Background(), Stdout: stdout, Stderr: stderr}
	cmd, rest := find(args)
	if cmd == nil {
		if len(args) > 0 && args[0] != "help" && !strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(stderr, "postdesk: unknown command %q\n\n", strings.Join(args, " "))
			printUsage(stderr)
			return 2
		}
		printUsage(stdout)
		return 0
	}
	err := cmd.run(env, rest)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "postdesk %s: %s\n", cmd.path, ue.msg)
		}
		fmt.Fprintf(stderr, "usage: postdesk %s %s\n", cmd.path, cmd.usage)
		return 2
	}
	var ce *contextError
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "postdesk %s: %s:\n%s\n", cmd.path, ce.msg, i18n.Message(ce.err))
		return 1
	}
	fmt.Fprintf(stderr, "postdesk %s: %s\n", cmd.path, i18n.Message(err))
	return 1
}

// contextError puts a sentence before a (translated) list of errors,
// e.g. "nothing imported" before every bad line of a file.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *contextError) Unwrap() error { return e.err }

func withContext(msg string, err error) error { return &contextError{msg: msg, err: err} }

// find picks the longest registered path that prefixes args.
func find(args []string) (*command, []string) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "PostDesk — receipt and return of administrative dossiers by post.")
	fmt.Fprintln(w, "\nWith no command, PostDesk opens the desktop app (--db PATH picks the database).")
	fmt.Fprintln(w, "\nCommands:")
	paths := make([]string, 0, len(commands))
	for p := range commands {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		c := commands[p]
		fmt.Fprintf(w, "  postdesk %s %s\n      %s\n", c.path, c.usage, c.help)
	}
}

// flags makes a FlagSet that reports errors instead of exiting.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args allowing flags after positional arguments
// ("import --db X FILE" and "import FILE --db X" both work).
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// openDB opens the --db database, which must be given.
func openDB(path string) (*store.Store, error) {
	if path == "" {
		return nil, usagef("--db PATH is required")
	}
	return store.Open(path)
}

// DefaultDBPath is the database in the user's data folder.
func DefaultDBPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return dir + string(os.PathSeparator) + "postdesk" + string(os.PathSeparator) + "postdesk.db"
}

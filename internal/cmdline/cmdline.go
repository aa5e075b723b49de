// Package cmdline runs a program's commands: a set of command paths ("catalog
// import", "hub serve"), their usage and help lines, flag parsing that allows
// flags after positional arguments, and exit statuses (0 success, 1 failure,
// 2 bad usage). Both the post point's `postdesk` (internal/cli) and the
// province's `postdesk-hub` (internal/hubcli) are built on it.
package cmdline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"postdesk/i18n"
)

// Env is what a command may touch: its output streams and context.
type Env struct {
	Ctx    context.Context
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one command of a program.
type Command struct {
	Path  string // e.g. "catalog import"
	Usage string // arguments, e.g. "--db PATH FILE…"
	Help  string // one line
	Run   func(env *Env, args []string) error
}

// Set is a program's commands by path.
type Set struct{ m map[string]*Command }

// NewSet is the set of the commands of tables (each program builds its
// own in one place: internal/cli/commands.go, internal/hubcli/commands.go).
// A path given twice panics.
func NewSet(tables ...[]Command) *Set {
	s := &Set{m: map[string]*Command{}}
	for _, t := range tables {
		for _, c := range t {
			if _, dup := s.m[c.Path]; dup {
				panic("cmdline: command given twice: " + c.Path)
			}
			s.m[c.Path] = &c
		}
	}
	return s
}

// Paths lists the commands' paths in order.
func (s *Set) Paths() []string {
	paths := make([]string, 0, len(s.m))
	for p := range s.m {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

// find picks the longest command path that prefixes args.
func (s *Set) find(args []string) (*Command, []string) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := s.m[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

// Program is a command-line program made of a set of commands.
type Program struct {
	Name     string   // e.g. "postdesk"
	About    []string // paragraphs printed above the list of commands
	Commands *Set
	// Prefix, when set, is the first word of every command path, implied
	// when not given: postdesk-hub's "serve" is the set's "hub serve".
	Prefix string
}

// IsCommand reports whether args ask for a command rather than (for
// postdesk) the desktop app: no arguments, or a first one that is a flag
// such as --db PATH, are not a command; an unknown word is a command typo.
func (p *Program) IsCommand(args []string) bool {
	if len(args) == 0 {
		return false
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return true
	}
	return !strings.HasPrefix(args[0], "-")
}

// shown is a command's path as the user types it.
func (p *Program) shown(path string) string {
	if p.Prefix != "" {
		return strings.TrimPrefix(path, p.Prefix+" ")
	}
	return path
}

// Run runs the command in args and returns the process exit status:
// 0 success, 1 failure, 2 bad usage. Errors go to stderr.
func (p *Program) Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	env := &Env{Ctx: ctx, Stdout: stdout, Stderr: stderr}
	look := args
	if p.Prefix != "" && len(args) > 0 && args[0] != p.Prefix {
		look = append([]string{p.Prefix}, args...)
	}
	cmd, rest := p.Commands.find(look)
	if cmd == nil {
		if len(args) > 0 && args[0] != "help" && !strings.HasPrefix(args[0], "-") {
			fmt.Fprintf(stderr, "%s: unknown command %q\n\n", p.Name, strings.Join(args, " "))
			p.printUsage(stderr)
			return 2
		}
		p.printUsage(stdout)
		return 0
	}
	name := p.Name + " " + p.shown(cmd.Path)
	err := cmd.Run(env, rest)
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) || errors.Is(err, flag.ErrHelp) {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "%s: %s\n", name, ue.msg)
		}
		fmt.Fprintf(stderr, "usage: %s %s\n", name, cmd.Usage)
		return 2
	}
	var ce *contextError
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "%s: %s:\n%s\n", name, ce.msg, i18n.Message(ce.err))
		return 1
	}
	fmt.Fprintf(stderr, "%s: %s\n", name, i18n.Message(err))
	return 1
}

func (p *Program) printUsage(w io.Writer) {
	for i, a := range p.About {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, a)
	}
	fmt.Fprintln(w, "\nCommands:")
	for _, path := range p.Commands.Paths() {
		c := p.Commands.m[path]
		fmt.Fprintf(w, "  %s %s %s\n      %s\n", p.Name, p.shown(c.Path), c.Usage, c.Help)
	}
}

// usageError makes Run print the command's usage and exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Usagef is a bad-usage error: Run prints it with the command's usage and
// exits 2.
func Usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// contextError puts a sentence before a (translated) list of errors,
// e.g. "nothing imported" before every bad line of a file.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *contextError) Unwrap() error { return e.err }

// WithContext puts msg before err's translated lines when Run prints it.
func WithContext(msg string, err error) error { return &contextError{msg: msg, err: err} }

// Flags makes a FlagSet that reports errors instead of exiting.
func Flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// Parse parses args allowing flags after positional arguments
// ("import --db X FILE" and "import FILE --db X" both work).
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, Usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

package cmdline

import (
	"flag"
	"io"
)

// The shape most commands of both programs share: their flags with --db,
// the arguments checked before anything is opened (so a typo creates no
// file), then the database opened, used and closed.

// DBFlags is a command's flag set with its --db flag (help: what the file is).
func DBFlags(name, help string) (*flag.FlagSet, *string) {
	fs := Flags(name)
	return fs, fs.String("db", "", help)
}

// OnDB parses args with fs (flags after positional arguments allowed), runs
// check on the positional arguments (nil: none are looked at), opens the
// --db file with open and runs run on it, closing it after.
func OnDB[S io.Closer](fs *flag.FlagSet, args []string, db *string, open func(path string) (S, error),
	check func(pos []string) error, run func(s S, pos []string) error) error {
	pos, err := Parse(fs, args)
	if err != nil {
		return err
	}
	if check != nil {
		if err := check(pos); err != nil {
			return err
		}
	}
	s, err := open(*db)
	if err != nil {
		return err
	}
	defer s.Close()
	return run(s, pos)
}

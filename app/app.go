// Package app is PostDesk's desktop user interface (Fyne).
package app

import (
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/cli"
	"postdesk/internal/store"
)

// Main opens the desktop app on the database named by --db (default: the
// user's data folder) and returns the exit status when the window closes.
func Main(args []string) int {
	fs := flag.NewFlagSet("postdesk", flag.ContinueOnError)
	db := fs.String("db", cli.DefaultDBPath(), "database file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	s, err := store.Open(*db)
	if err != nil {
		fmt.Fprintln(os.Stderr, "postdesk:", i18n.Message(err))
		return 1
	}
	defer s.Close()
	a := fyneapp.NewWithID("vn.postdesk.app")
	w := a.NewWindow("PostDesk")
	w.SetContent(widget.NewLabel(*db))
	w.Resize(fyne.NewSize(1024, 700))
	w.ShowAndRun()
	return 0
}

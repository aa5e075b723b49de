package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Fatal tells the user that the app cannot start, and why: in a message box
// on Windows (a double-clicked app has no console), on stderr elsewhere;
// and in the log (LogPath) either way. title and msg are already in the
// user's language.
func Fatal(title, msg string) {
	Log(title + ": " + msg)
	fmt.Fprintf(os.Stderr, "postdesk: %s\n%s\n", title, msg)
	messageBox(title, msg)
}

// Log appends one timestamped line to the log, creating its folder; it
// never fails the caller.
func Log(line string) {
	path := LogPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %s\n", time.Now().Format("02/01/2006 15:04:05"), line)
}

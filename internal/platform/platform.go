// Package platform is what PostDesk does differently on each operating
// system: where its data lives, how a document opens in the user's viewer,
// how the command line finds its console and how a fatal start-up problem
// reaches a user who started the app by double-clicking (Windows has no
// terminal to print to).
package platform

import (
	"os"
	"path/filepath"
)

// DataDirEnv overrides the data folder (tests, a portable install).
const DataDirEnv = "POSTDESK_DATA"

// DataDir is the folder of the database, receipts, backups and logs.
//
// On Windows it is %PROGRAMDATA%\PostDesk (C:\ProgramData\PostDesk), not
// %LOCALAPPDATA%: a post point's PC is often shared by several Windows
// accounts (the clerk's, the supervisor's, a postal worker's), while the
// data belongs to the PC — one post point device with one event chain and
// one receipt numbering. Per-user folders would give every Windows account
// its own empty database. PostDesk's own sign-in (PIN, roles) separates the
// staff; the installer makes the folder writable by the PC's users.
//
// On Linux and macOS it is the user's configuration folder
// (~/.config/postdesk), as before.
func DataDir() string {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d
	}
	return defaultDataDir()
}

// DefaultDBPath is the database in DataDir.
func DefaultDBPath() string { return filepath.Join(DataDir(), "postdesk.db") }

// LogPath is the log of start-up problems in DataDir (logs\postdesk.log).
func LogPath() string { return filepath.Join(DataDir(), "logs", "postdesk.log") }

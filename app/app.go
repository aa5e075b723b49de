// Package app is PostDesk's desktop user interface (Fyne): the shell
// (shell.go: frame, keyboard; screens.go: the screens), first start (setup.go),
// sign-in and idle lock (signin.go), settings, staff and catalog screens,
// the status bar, the theme with the embedded Noto fonts, and the locale.
// Each other screen lives in its own file; screens.go lists them all.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"postdesk/i18n"
	"postdesk/internal/platform"
	"postdesk/internal/store"
)

// AppID is the Fyne application ID (preferences, single-instance data).
const AppID = "vn.postdesk.app"

// Main opens the desktop app on the database named by --db (default: the
// user's data folder) and returns the exit status when the window closes.
func Main(args []string) int {
	fs := flag.NewFlagSet("postdesk", flag.ContinueOnError)
	db := fs.String("db", store.DefaultPath(), "database file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !checkGraphics() { // no display or no OpenGL: say so (startup.go)
		return 1
	}
	s, err := store.Open(*db)
	if err != nil {
		platform.Fatal("PostDesk", i18n.Message(err))
		return 1
	}
	defer s.Close()
	a := fyneapp.NewWithID(AppID)
	u, err := Open(a, s)
	if err != nil {
		fmt.Fprintln(os.Stderr, "postdesk:", i18n.Message(err))
		return 1
	}
	defer u.Close()
	u.sayUpgrade()
	if fs.NArg() > 0 { // a .pdreply or .pdsync double-clicked in Explorer
		u.OpenFileLater(fs.Arg(0))
	}
	u.Win.ShowAndRun()
	return 0
}

// Open prepares the app on an open store: the locale chosen in settings
// (Vietnamese by default, whatever the OS says), the theme, the main
// window with its first screen (setup or sign-in), and the automatic
// backups. The caller shows the window.
func Open(a fyne.App, s *store.Store) (*UI, error) {
	ctx := context.Background()
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	useLocale(st.Language)
	a.Settings().SetTheme(Theme())
	a.SetIcon(appIcon())
	w := a.NewWindow("PostDesk")
	w.SetIcon(appIcon())
	// No larger than the smallest screens post points have (1024×768, with
	// a taskbar): every screen fits that width (fit_test.go).
	w.Resize(fyne.NewSize(startWidth, startHeight))
	w.SetMaster()
	u := NewUI(a, w, s)
	u.Settings = st
	if err := u.Start(); err != nil {
		return nil, err
	}
	if autoBackups {
		u.startBackups()
	}
	startSync(u) // background sync to the province (app/sync_loop.go)
	u.checkDisk()
	// store.Open checks small files for damage itself; a larger one is
	// checked here in the background, and a damage found is shown with the
	// way back (the backup folder and the restore command).
	go func() {
		if err := s.CheckDamage(ctx); errors.Is(err, store.ErrDamaged) {
			fyne.Do(func() { u.ShowError(err) })
		}
	}()
	return u, nil
}

// Close stops the UI's background work.
func (u *UI) Close() {
	stopSync(u)
	stopDesk(u)
	u.stopIdleTicker()
	if u.stopBackups != nil {
		close(u.stopBackups)
		u.stopBackups = nil
	}
}

// The window's size when it opens.
const startWidth, startHeight = 1000, 700

// autoBackups turns the automatic backup on (tests turn it off).
var autoBackups = true

// backupEvery is how often the automatic backup looks whether today's
// backup exists.
const backupEvery = time.Hour

// BackupDir is where automatic backups go: the folder in settings, or a
// "backups" folder beside the database.
func (u *UI) BackupDir() string {
	if u.Settings.BackupFolder != "" {
		return u.Settings.BackupFolder
	}
	return filepath.Join(filepath.Dir(u.Store.Path()), "backups")
}

// autoPurge runs the retention's purge at start and once a day
// (store.AutoPurge) and says in the message log what it removed or why it failed.
func (u *UI) autoPurge() {
	rep, ran, err := u.Store.AutoPurge(u.Ctx)
	msg := ""
	switch {
	case err != nil:
		msg = i18n.Tf("app.purge.failed", map[string]string{"Reason": i18n.Message(err)})
	case ran && len(rep.Dossiers) > 0:
		msg = i18n.Tf("app.purge.done", map[string]string{"N": strconv.Itoa(len(rep.Dossiers)), "Days": strconv.Itoa(rep.Days)})
	}
	if msg != "" {
		fyne.Do(func() { u.Notify(msg) })
	}
}

// startBackups makes today's backup now and checks again every hour, in
// the background; a failure shows in the status bar until one succeeds.
func (u *UI) startBackups() {
	if u.stopBackups != nil {
		return
	}
	stop := make(chan struct{})
	u.stopBackups = stop
	dir, keep := u.BackupDir(), u.Settings.BackupKeep
	go func() {
		t := time.NewTicker(backupEvery)
		defer t.Stop()
		for {
			u.autoPurge() // before the backup, so the day's backup no longer holds what the retention removed
			_, err := u.Store.AutoBackup(u.Ctx, dir, keep)
			msg := ""
			if err != nil {
				msg = i18n.Tf("app.backup.failed", map[string]string{"Reason": i18n.Message(err)})
			}
			fyne.Do(func() { u.setBackupError(msg) })
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.DoAndWait(func() { dir, keep = u.BackupDir(), u.Settings.BackupKeep })
			}
		}
	}()
}

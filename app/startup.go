package app

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"

	"postdesk/i18n"
	"postdesk/internal/devicesync"
	"postdesk/internal/platform"
	"postdesk/internal/syncproto"
)

// checkGraphics stops the start with a message the user can act on when
// there is no display or no usable OpenGL: a native message box on
// Windows, a clear line on stderr elsewhere, and the log either way. It
// reports whether the app can go on.
func checkGraphics() bool {
	err := probeGraphics()
	if err == nil {
		return true
	}
	key := "app.graphics.no_opengl"
	if runtime.GOOS != "windows" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		key = "app.graphics.no_display"
	}
	platform.Fatal(i18n.T("app.graphics.title"), i18n.Tf(key, map[string]string{
		"Reason": err.Error(), "Log": platform.LogPath()}))
	return false
}

// sayUpgrade tells the user, once the window is up, that this start
// upgraded the database and where the copy made first is.
func (u *UI) sayUpgrade() {
	up := u.Store.Upgraded
	if up == nil {
		return
	}
	msg := i18n.Tf("store.upgraded", map[string]string{"From": strconv.Itoa(up.From), "To": strconv.Itoa(up.To), "Backup": up.Backup})
	platform.Log(msg)
	u.Notify(msg)
}

// OpenFileLater takes a file given on the command line — a double-click on
// a .pdreply or .pdsync in Explorer starts `postdesk.exe FILE` — and opens
// it after the next sign-in (see openPendingFile).
func (u *UI) OpenFileLater(path string) { u.pendingFile = path }

// openPendingFile imports a province reply (.pdreply) when a supervisor has
// signed in — other staff are told that a supervisor must, and the file
// waits for the next sign-in. A device batch (.pdsync) is imported at the
// province hub, not at a post point: the app says so and names the command.
func (u *UI) openPendingFile() {
	path := u.pendingFile
	if path == "" {
		return
	}
	name := filepath.Base(path)
	switch strings.ToLower(filepath.Ext(path)) {
	case syncproto.ExtReplyFile:
		if !u.IsSupervisor() {
			u.Notify(i18n.Tf("app.file.supervisor_only", map[string]string{"File": name}))
			return
		}
		u.pendingFile = ""
		go func() {
			r, err := devicesync.ImportReply(u.Ctx, u.Store, path)
			fyne.Do(func() {
				if err != nil {
					u.ShowError(err)
					return
				}
				u.Notify(i18n.Tf("sync.usb.imported", map[string]string{"Acked": formatCount(int(r.AckedThrough)),
					"Applied": formatCount(r.UpdatesApplied), "Skipped": formatCount(r.UpdatesSkipped)}))
			})
		}()
	case syncproto.ExtBatchFile:
		u.pendingFile = ""
		u.Notify(i18n.Tf("app.file.batch_for_hub", map[string]string{"File": name}))
	default:
		u.pendingFile = ""
		u.Notify(i18n.Tf("app.file.unknown", map[string]string{"File": name}))
	}
}

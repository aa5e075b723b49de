package app

// A lost device (internal/desk erase.go): when the hub's signed order to
// lock and erase arrives (the sync loop reports the revocation) or is found
// at start, the window drops the session and every screen and dialog and
// shows only this screen: no sign-in, no data. A supervisor types their
// username and PIN and confirms; the personal data is erased and the
// screen says so.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// lostDeviceForm is the lock screen's fields (kept for tests).
type lostDeviceForm struct {
	username, secret *Entry
	err              *widget.Label
	erase            func()
}

// checkDeviceLock shows the lock screen when the province ordered this
// device locked; it reports whether it did. On the Fyne thread.
func (u *UI) checkDeviceLock() bool {
	lock, err := u.Desk.Lock(u.Ctx)
	if err != nil || !lock.Locked {
		return false
	}
	if lock.Cleanup { // an erase interrupted after its commit: finish it
		if err := u.Store.FinishErase(u.Ctx); err != nil {
			fyne.LogError("finishing the erase", err)
		}
	}
	u.showLostDevice(lock)
	return true
}

// showLostDevice replaces everything in the window with the lock screen.
func (u *UI) showLostDevice(lock store.LockState) {
	u.lostShown = true
	u.stopIdleTicker()
	u.dropOverlays()
	u.keptOverlays, u.keptDialogs = nil, nil
	u.shell, u.session, u.Staff, u.lockedAs, u.signIn = nil, session{}, domain.Staff{}, "", nil
	title := widget.NewLabelWithStyle(i18n.T("app.lost.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	box := container.NewVBox(title)
	text := func(s string) {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		box.Add(l)
	}
	text(i18n.Tf("app.lost.intro", map[string]string{"At": domain.FormatDateTime(lock.At)}))
	u.lost = nil
	if lock.Erased {
		text(i18n.Tf("app.lost.erased", map[string]string{"At": domain.FormatDateTime(lock.ErasedAt), "By": lock.ErasedBy}))
	} else {
		f := &lostDeviceForm{username: u.NewEntry(), secret: u.NewPasswordEntry(), err: errorLabel()}
		u.lost = f
		text(i18n.T("app.lost.confirm_help"))
		f.erase = func() {
			setFieldError(f.err, "")
			res, err := u.Desk.EraseLostDevice(u.Ctx, f.username.Text, f.secret.Text, u.Settings.BackupFolder, devicesync.KeepForHub)
			f.secret.SetText("")
			if err != nil {
				setFieldError(f.err, i18n.Message(err))
				u.Win.Canvas().Focus(f.secret)
				return
			}
			if res.UnsyncedFile != "" {
				u.Notify(i18n.Tf("app.lost.kept", map[string]string{"N": formatCount(res.UnsyncedEvents), "File": res.UnsyncedFile}))
			}
			if after, err := u.Desk.Lock(u.Ctx); err == nil {
				u.showLostDevice(after)
			}
		}
		btn := newButton(i18n.T("app.lost.erase"), func() {
			u.Confirm(i18n.T("app.lost.title"), i18n.T("app.lost.erase_confirm"), f.erase)
		})
		btn.Importance = widget.DangerImportance
		f.username.OnSubmitted = func(string) { u.Win.Canvas().Focus(f.secret) }
		f.secret.OnSubmitted = func(string) { u.Confirm(i18n.T("app.lost.title"), i18n.T("app.lost.erase_confirm"), f.erase) }
		box.Add(widget.NewLabel(i18n.T("app.signin.username")))
		box.Add(f.username)
		box.Add(widget.NewLabel(i18n.T("app.signin.secret")))
		box.Add(f.secret)
		box.Add(f.err)
		box.Add(btn)
	}
	u.Win.SetMainMenu(nil)
	u.Win.SetTitle(i18n.T("app.lost.title") + " — PostDesk")
	u.Win.SetContent(container.NewCenter(container.New(fixedWidth(480), box)))
	u.dumpLayoutLater("lostdevice")
	if u.lost != nil {
		u.Win.Canvas().Focus(u.lost.username)
	}
}

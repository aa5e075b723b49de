package app

import (
	"postdesk/i18n"
	"postdesk/internal/platform"
)

// diskEncryption tells whether the database's disk is encrypted (tests replace it).
var diskEncryption = platform.DiskEncryption

// checkDisk looks, in the background, whether the database's disk is
// encrypted by the system (BitLocker, LUKS, FileVault), which PostDesk
// requires for the live database (README, Security). When it is not, the
// status bar says so on every screen until it is; when it cannot tell, the
// log says why.
func (u *UI) checkDisk() {
	path := u.Store.Path()
	go func() {
		state, how := diskEncryption(path)
		platform.Log("disk encryption of " + path + ": " + how)
		msg := ""
		switch state {
		case platform.DiskPlain:
			msg = i18n.T("app.disk.plain")
		case platform.DiskUnknown:
			msg = i18n.T("app.disk.unknown")
		}
		deskDo(func() { u.setDiskWarning(msg) })
	}()
}

// setDiskWarning shows (or, with "", clears) the disk encryption warning.
func (u *UI) setDiskWarning(msg string) {
	u.diskWarning = msg
	if u.status == nil {
		return
	}
	u.status.disk.SetText(msg)
	if msg == "" {
		u.status.disk.Hide()
	} else {
		u.status.disk.Show()
	}
}

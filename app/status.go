package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// statusBar is the line at the bottom of the desk: post point, who is
// signed in, the link to the province, events waiting to sync, the last
// sync, and a short message (notifications, backup errors).
type statusBar struct {
	u        *UI
	place    *widget.Label
	link     *widget.Label
	waiting  *widget.Label
	lastSync *widget.Label
	message  *widget.Label
	// messageRow is the message and the message-log button, shown while
	// there is a message
	messageRow *fyne.Container
	backup     *widget.Label
	disk       *widget.Label // the data's disk is not encrypted (diskcheck.go)

	// What the sync engine reported; until it does, the bar says honestly
	// that this device has never been connected.
	syncFed    bool
	syncState  string
	syncWait   int
	syncLast   time.Time
	messageAt  time.Time
	clearTimer *time.Timer
	log        []loggedMessage
}

// notifyFor is how long a Notify message stays.
const notifyFor = 8 * time.Second

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u}
	mk := func() *widget.Label { return widget.NewLabel("") }
	b.place, b.link, b.waiting, b.lastSync = mk(), mk(), mk(), mk()
	// Messages are never cut: they wrap onto more lines, and the row is
	// hidden while there is none.
	b.message = mk()
	b.message.TextStyle.Italic = true
	b.message.Wrapping = fyne.TextWrapWord
	b.message.Hide()
	b.backup = mk()
	b.backup.Importance = widget.DangerImportance
	b.backup.Wrapping = fyne.TextWrapWord
	b.backup.Hide()
	b.disk = mk()
	b.disk.Importance = widget.WarningImportance
	b.disk.Wrapping = fyne.TextWrapWord
	b.disk.Hide()
	return b
}

// object is the bar: one line of facts (who is signed in is on the top
// bar), then the message and a backup failure, each on its own wrapping
// line when there is one.
func (b *statusBar) object() fyne.CanvasObject {
	facts := container.NewHBox(b.place, widget.NewSeparator(),
		b.link, widget.NewSeparator(), b.waiting, widget.NewSeparator(), b.lastSync)
	// Beside the message, the way to the whole log (also Ctrl+M and the
	// Desk menu): the facts row has no room left at 1024 px in English.
	logBtn := newButton(i18n.T("app.log.open"), b.u.ShowMessageLog)
	logBtn.Importance = widget.LowImportance
	b.messageRow = container.NewBorder(nil, nil, nil, logBtn, b.message)
	b.messageRow.Hide()
	return container.NewVBox(facts, b.messageRow, b.backup, b.disk)
}

// refresh rewrites every part from the UI's state and the store.
func (b *statusBar) refresh() {
	u := b.u
	b.place.SetText(u.PostPoint.Code + " · " + u.PostPoint.Name + " · " + i18n.Tf("app.status.device", map[string]string{"Letter": u.Device.Letter}))
	if !b.syncFed {
		// Nothing syncs yet: every event of this device is waiting.
		n, err := u.Store.LastSeq(u.Ctx, u.Device.ID())
		if err != nil {
			n = 0
		}
		b.link.SetText(i18n.T("app.status.never_connected"))
		b.waiting.SetText(i18n.Tf("app.status.waiting", map[string]string{"N": formatCount(int(n))}))
		b.lastSync.SetText(i18n.T("app.status.last_sync_never"))
		return
	}
	switch b.syncState {
	case "online":
		b.link.SetText(i18n.T("app.status.online"))
	case "offline":
		b.link.SetText(i18n.T("app.status.offline"))
	default:
		b.link.SetText(i18n.T("app.status.never_connected"))
	}
	b.waiting.SetText(i18n.Tf("app.status.waiting", map[string]string{"N": formatCount(b.syncWait)}))
	if b.syncLast.IsZero() {
		b.lastSync.SetText(i18n.T("app.status.last_sync_never"))
	} else {
		t := b.syncLast.In(domain.Zone)
		b.lastSync.SetText(i18n.Tf("app.status.last_sync", map[string]string{
			"Date": domain.FormatDate(t), "Time": t.Format("15:04")}))
	}
}

func (b *statusBar) notify(msg string, now time.Time) {
	b.setMessage(msg)
	if msg != "" {
		b.log = append(b.log, loggedMessage{at: now, text: msg})
		if len(b.log) > messageLogSize {
			b.log = b.log[len(b.log)-messageLogSize:]
		}
	}
	b.messageAt = now
	if b.clearTimer != nil {
		b.clearTimer.Stop()
	}
	b.clearTimer = time.AfterFunc(notifyFor, func() {
		fyne.Do(func() {
			if b.messageAt.Equal(now) {
				b.setMessage("")
			}
		})
	})
}

// setMessage shows msg on its own line, or hides the line when msg is "".
func (b *statusBar) setMessage(msg string) {
	b.message.SetText(msg)
	if msg == "" {
		b.message.Hide()
	} else {
		b.message.Show()
	}
	if b.messageRow != nil {
		b.messageRow.Hidden = msg == ""
		b.messageRow.Refresh()
	}
}

// messageLogSize is how many past messages the status bar keeps.
const messageLogSize = 50

// loggedMessage is a status-bar message kept after it went away.
type loggedMessage struct {
	at   time.Time
	text string
}

// MessageLog is the status bar's past messages, oldest first, as
// "15:04 text" lines; ShowMessageLog shows them (Ctrl+M, or the button at
// the end of the status bar).
func (u *UI) MessageLog() []string {
	if u.status == nil {
		return nil
	}
	var out []string
	for _, m := range u.status.log {
		out = append(out, m.at.In(domain.Zone).Format("15:04")+"  "+m.text)
	}
	return out
}

// Message is the status bar's current message (for tests).
func (u *UI) StatusMessage() string {
	if u.status == nil {
		return ""
	}
	return u.status.message.Text
}

// SetSyncStatus is how the sync engine feeds the status bar: state is
// "online", "offline" or "" (never connected), waiting the events not yet
// acknowledged by the province, last the time of the last good sync (zero:
// never). Call it on the Fyne thread (fyne.Do from a goroutine).
func (u *UI) SetSyncStatus(state string, waiting int, last time.Time) {
	if u.status == nil {
		return
	}
	b := u.status
	b.syncFed, b.syncState, b.syncWait, b.syncLast = true, state, waiting, last
	b.refresh()
}

// RefreshStatus rereads the status bar (e.g. after recording events).
func (u *UI) RefreshStatus() {
	if u.status != nil {
		u.status.refresh()
	}
}

// setBackupError shows (or, with "", clears) an automatic backup's failure.
func (u *UI) setBackupError(msg string) {
	u.backupErr = msg
	if u.status == nil {
		return
	}
	u.status.backup.SetText(msg)
	if msg == "" {
		u.status.backup.Hide()
	} else {
		u.status.backup.Show()
	}
}

// RoleName is a role's name on screen.
func RoleName(r domain.Role) string { return i18n.T("app.role." + string(r)) }

// formatCount writes a count the current language's way: 12.345 in
// Vietnamese, 12,345 in English.
func formatCount(n int) string { return i18n.Count(n) }

// ShowMessageLog shows the session's status-bar messages whole, newest
// first, in a dialog: a message cut or gone from the bar can be read
// there. Esc or Enter closes it.
func (u *UI) ShowMessageLog() {
	u.Touch()
	lines := u.MessageLog()
	box := container.NewVBox()
	if len(lines) == 0 {
		box.Add(wrapped(i18n.T("app.log.empty")))
	}
	for i := len(lines) - 1; i >= 0; i-- {
		box.Add(wrapped(lines[i]))
	}
	body := container.NewBorder(wrapped(i18n.Tf("app.log.help", map[string]string{"N": formatCount(messageLogSize)})),
		nil, nil, nil, container.NewVScroll(box))
	d := dialog.NewCustom(i18n.T("app.log.title"), i18n.T("app.log.close"), body, u.Win)
	d.Resize(fyne.NewSize(min(640, u.Win.Canvas().Size().Width-40), min(480, u.Win.Canvas().Size().Height-40)))
	u.showDialog(d, d.Hide)
}

// wrapped is a label that wraps at its column's width.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

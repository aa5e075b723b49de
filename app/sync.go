package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/devicesync"
	"postdesk/internal/domain"
	"postdesk/internal/store"
	"postdesk/internal/syncproto"
)

// The Sync screen: where this device stands with the province (state,
// events waiting, last success), "Sync now", the history of rounds with
// their errors and the updates waiting to apply; for a supervisor also the
// enrollment form and the USB files (export a batch file, import a reply).

type syncScreen struct {
	u      *UI
	runner *syncRunner

	state, waiting, last, hub, next, problem *widget.Label
	nowBtn                                   *deskButton
	rounds                                   []store.SyncRound
	table                                    *widget.Table
	skipped, peers                           *widget.Label
	noRounds                                 *widget.Label // why the history is empty

	enrollBox       *fyne.Container
	hubURL, token   *Entry
	enrollBtn       *deskButton
	exportBtn       *deskButton
	importBtn       *deskButton
	busy            bool
	lastUSBResult   *widget.Label
	supervisorCards fyne.CanvasObject
	lan             *lanCard // the local network (supervisors)
}

func buildSync(u *UI) fyne.CanvasObject {
	s := &syncScreen{u: u, runner: runnerOf(u)}
	u.session.sync = s
	mk := func() *widget.Label { l := widget.NewLabel(""); l.Wrapping = fyne.TextWrapWord; return l }
	s.state, s.waiting, s.last, s.hub, s.next, s.problem = mk(), mk(), mk(), mk(), mk(), mk()
	s.state.TextStyle.Bold = true
	s.problem.Importance = widget.DangerImportance
	s.nowBtn = newButton(i18n.T("sync.now"), s.syncNow)
	s.nowBtn.Importance = widget.HighImportance
	u.Shortcut("sync", "sync.now", &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierControl}, s.syncNow)

	summary := widget.NewCard(i18n.T("sync.title"), "", container.NewVBox(
		s.state, s.waiting, s.last, s.hub, s.next, s.problem, container.NewHBox(s.nowBtn)))

	s.table = widget.NewTable(func() (int, int) { return len(s.rounds) + 1, len(roundColumns) },
		func() fyne.CanvasObject { return newCutLabel(u, "") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*cutLabel).SetText(s.cell(id)) })
	for i, c := range roundColumns {
		s.table.SetColumnWidth(i, c.width)
	}
	s.table.OnSelected = func(id widget.TableCellID) {
		if id.Row > 0 && id.Row <= len(s.rounds) {
			s.showRound(s.rounds[id.Row-1])
		}
		s.table.UnselectAll()
	}
	s.skipped, s.peers = mk(), mk()
	s.peers.Importance = widget.DangerImportance
	var widths []float32
	for _, c := range roundColumns {
		widths = append(widths, c.width)
	}
	s.noRounds = emptyReason("sync.history.empty")
	if u.IsSupervisor() {
		s.noRounds.SetText(i18n.T("sync.history.empty_supervisor"))
	}
	s.noRounds.Hide()
	history := widget.NewCard(i18n.T("sync.history"), "", container.NewBorder(s.noRounds, container.NewVBox(s.skipped, s.peers), nil, nil,
		newFitColumns(s.table, widths, columnHeaders(roundColumnKeys()), false)))

	var top fyne.CanvasObject = summary
	if u.IsSupervisor() {
		s.supervisorCards = s.buildSupervisor()
		top = container.NewGridWithColumns(2, container.NewVBox(summary, s.buildLAN()), s.supervisorCards)
	}
	s.runner.mu.Lock()
	s.runner.onChange = s.refresh
	s.runner.mu.Unlock()
	s.refresh()
	return container.NewBorder(top, nil, nil, nil, history)
}

type roundColumn struct {
	key   string
	width float32
}

var roundColumns = []roundColumn{
	{"sync.col.time", 150}, {"sync.col.via", 130}, {"sync.col.pushed", 90}, {"sync.col.acked", 110},
	{"sync.col.applied", 100}, {"sync.col.skipped", 90}, {"sync.col.result", 420},
}

func (s *syncScreen) cell(id widget.TableCellID) string {
	if id.Row == 0 {
		return i18n.T(roundColumns[id.Col].key)
	}
	if id.Row > len(s.rounds) {
		return ""
	}
	r := s.rounds[id.Row-1]
	switch id.Col {
	case 0:
		return formatWhen(r.StartedAt)
	case 1:
		return i18n.T("sync.via." + r.Via)
	case 2:
		return formatCount(r.Pushed)
	case 3:
		return formatCount(int(r.AckedThrough))
	case 4:
		return formatCount(r.UpdatesApplied)
	case 5:
		return formatCount(r.UpdatesSkipped)
	default:
		return roundResult(r)
	}
}

func roundResult(r store.SyncRound) string {
	switch {
	case r.Error != "":
		return codeText(r.ErrorCode) + " — " + r.Error
	case r.FinishedAt.IsZero():
		return i18n.T("sync.result.unfinished")
	case r.PeerEvents > 0:
		return i18n.T("sync.result.ok") + " · " + i18n.Tf("sync.peer.received", map[string]string{"N": formatCount(r.PeerEvents)})
	default:
		return i18n.T("sync.result.ok")
	}
}

// codeText names an error code in the user's language.
func codeText(code string) string {
	if code == "" {
		code = "local"
	}
	if t := i18n.T("sync.code." + code); t != "sync.code."+code {
		return t
	}
	return i18n.T("sync.code.local")
}

// formatWhen writes a time as dd/mm/yyyy hh:mm:ss in Vietnam's time.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	l := t.In(domain.Zone)
	return domain.FormatDate(l) + " " + l.Format("15:04:05")
}

func (s *syncScreen) buildSupervisor() fyne.CanvasObject {
	u := s.u
	s.hubURL, s.token = u.NewEntry(), u.NewEntry()
	s.hubURL.SetPlaceHolder(i18n.T("sync.enroll.url_hint"))
	s.token.SetPlaceHolder(i18n.T("sync.enroll.token_hint"))
	s.enrollBtn = newButton(i18n.T("sync.enroll.submit"), func() { s.enroll(s.hubURL.Text, s.token.Text) })
	form := widget.NewForm(widget.NewFormItem(i18n.T("sync.enroll.url"), s.hubURL),
		widget.NewFormItem(i18n.T("sync.enroll.token"), s.token))
	s.enrollBox = container.NewVBox(widget.NewLabel(i18n.T("sync.enroll.help")), form, container.NewHBox(s.enrollBtn))
	enrollCard := widget.NewCard(i18n.T("sync.enroll.title"), "", s.enrollBox)

	s.exportBtn = newButton(i18n.T("sync.usb.export"), s.exportDialog)
	s.importBtn = newButton(i18n.T("sync.usb.import"), s.importDialog)
	// Keyboard first: the USB steps have keys too (only while the buttons are enabled).
	u.Shortcut("sync", "sync.usb.export", &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierControl}, func() {
		if !s.exportBtn.Disabled() {
			s.exportDialog()
		}
	})
	u.Shortcut("sync", "sync.usb.import", &desktop.CustomShortcut{KeyName: fyne.KeyI, Modifier: fyne.KeyModifierControl}, func() {
		if !s.importBtn.Disabled() {
			s.importDialog()
		}
	})
	s.lastUSBResult = widget.NewLabel("")
	s.lastUSBResult.Wrapping = fyne.TextWrapWord
	usbCard := widget.NewCard(i18n.T("sync.usb.title"), "", container.NewVBox(
		widget.NewLabel(i18n.T("sync.usb.help")), container.NewHBox(s.exportBtn, s.importBtn), s.lastUSBResult))
	return container.NewVBox(enrollCard, usbCard)
}

// refresh rereads the state from the store and the loop.
func (s *syncScreen) refresh() {
	u := s.u
	st, err := u.Store.SyncState(u.Ctx)
	if err != nil {
		s.problem.SetText(i18n.Message(err))
		return
	}
	waiting, _ := u.Store.EventsWaiting(u.Ctx)
	s.waiting.SetText(i18n.Tf("app.status.waiting", map[string]string{"N": formatCount(int(waiting))}))
	if st.LastSuccess.IsZero() {
		s.last.SetText(i18n.T("app.status.last_sync_never"))
	} else {
		t := st.LastSuccess.In(domain.Zone)
		s.last.SetText(i18n.Tf("app.status.last_sync", map[string]string{"Date": domain.FormatDate(t), "Time": t.Format("15:04")}))
	}
	status, has := s.runner.status()
	state := devicesync.StateNotEnrolled
	switch {
	case !st.Enrolled():
	case st.Revoked():
		state = devicesync.StateRevoked
	case has && status.State != devicesync.StateNotEnrolled:
		state = status.State
	default:
		state = "waiting"
	}
	if s.busy {
		state = devicesync.StateSyncing
	}
	s.state.SetText(i18n.T("sync.state." + string(state)))
	if st.Enrolled() {
		name := st.HubName
		if name == "" {
			name = st.HubURL
		}
		s.hub.SetText(i18n.Tf("sync.hub", map[string]string{"Hub": name, "URL": st.HubURL,
			"Date": domain.FormatDate(st.EnrolledAt.In(domain.Zone))}))
	} else {
		s.hub.SetText(i18n.T("sync.not_enrolled_help"))
	}
	s.next.SetText("")
	if has && !status.NextTry.IsZero() && state != devicesync.StateSynced {
		s.next.SetText(i18n.Tf("sync.next_try", map[string]string{"Time": status.NextTry.In(domain.Zone).Format("15:04:05")}))
	}
	s.problem.SetText("")
	switch {
	case st.Revoked():
		s.problem.SetText(i18n.Tf("sync.revoked", map[string]string{"Reason": st.RevokedReason}))
	case has && status.Err != nil && (state == devicesync.StateError || state == devicesync.StateOffline):
		s.problem.SetText(errorText(status.Err))
	}
	if st.Enrolled() && !st.Revoked() && !s.busy {
		s.nowBtn.Enable()
	} else {
		s.nowBtn.Disable()
	}
	if s.enrollBox != nil {
		if st.Enrolled() && !st.Revoked() {
			s.enrollBtn.SetText(i18n.T("sync.enroll.again"))
		} else {
			s.enrollBtn.SetText(i18n.T("sync.enroll.submit"))
		}
		if s.hubURL.Text == "" && st.HubURL != "" {
			s.hubURL.SetText(st.HubURL)
		}
		for _, b := range []*deskButton{s.exportBtn, s.importBtn} {
			if st.Enrolled() && !s.busy {
				b.Enable()
			} else {
				b.Disable()
			}
		}
	}
	if rounds, err := u.Store.SyncRounds(u.Ctx, 200); err == nil {
		s.rounds = rounds
		s.noRounds.Hidden = len(rounds) > 0
		s.noRounds.Refresh()
		s.table.Refresh()
	}
	if refs, err := u.Store.PeerRefusals(u.Ctx, 3); err == nil && len(refs) > 0 {
		s.peers.SetText(i18n.T("sync.peer.refused") + " " + peerRefusalSummary(refs))
	} else {
		s.peers.SetText("")
	}
	if sk, err := u.Store.SkippedUpdates(u.Ctx, 1000); err == nil && len(sk) > 0 {
		s.skipped.SetText(i18n.Tf("sync.skipped", map[string]string{"N": formatCount(len(sk))}) + " " + skippedSummary(sk))
	} else {
		s.skipped.SetText("")
	}
}

// peerRefusalSummary names the newest refused peer batches: when, which
// device from which seq, and why.
func peerRefusalSummary(refs []store.PeerRefusal) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = fmt.Sprintf("%s %s #%d: %s", formatWhen(r.At), r.Device, r.Seq, i18n.T("sync.peer.code."+r.Code))
	}
	return strings.Join(parts, " · ")
}

// skippedSummary lists the first updates waiting and why.
func skippedSummary(sk []store.SyncUpdate) string {
	var parts []string
	for i, x := range sk {
		if i == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, strings.TrimSpace(x.Dossier+" "+x.Reason))
	}
	return strings.Join(parts, " · ")
}

// errorText is a sync error in the user's language, with its detail.
func errorText(err error) string {
	var pe *syncproto.Error
	switch {
	case errors.As(err, &pe):
		return codeText(pe.Code) + " — " + pe.Message
	case devicesync.IsOffline(err):
		return codeText("offline") + " — " + err.Error()
	case errors.Is(err, devicesync.ErrRevoked):
		return codeText(syncproto.CodeRevoked)
	}
	return i18n.Message(err)
}

func (s *syncScreen) syncNow() {
	st, err := s.u.Store.SyncState(s.u.Ctx)
	if err != nil || !st.Enrolled() || st.Revoked() {
		s.u.Notify(i18n.T("sync.not_enrolled_help"))
		return
	}
	s.runner.loop.SyncNow()
	s.u.Notify(i18n.T("sync.started"))
}

// background runs fn off the Fyne thread with the buttons disabled, then
// done on the Fyne thread.
func (s *syncScreen) background(fn func() error, done func(error)) {
	s.busy = true
	s.refresh()
	go func() {
		err := fn()
		deskDo(func() {
			s.busy = false
			done(err)
			s.refresh()
			s.runner.feed(s.u)
		})
	}()
}

func (s *syncScreen) enroll(url, token string) {
	s.background(func() error {
		_, err := s.runner.client.Enroll(s.u.Ctx, url, token)
		return err
	}, func(err error) {
		if err != nil {
			s.u.ShowError(errors.New(errorText(err)))
			return
		}
		s.token.SetText("")
		s.u.Notify(i18n.T("sync.enroll.done"))
		s.runner.loop.SyncNow()
	})
}

// exportTo writes the USB batch file (the dialog's callback; tests call it).
func (s *syncScreen) exportTo(path string, done func(devicesync.ExportResult, error)) {
	var res devicesync.ExportResult
	s.background(func() error {
		var err error
		res, err = devicesync.ExportFile(s.u.Ctx, s.u.Store, path)
		return err
	}, func(err error) {
		s.showUSB(err, i18n.Tf("sync.usb.exported", map[string]string{"N": formatCount(res.Events),
			"File": filepath.Base(res.Path)}))
		if done != nil {
			done(res, err)
		}
	})
}

// importFrom applies a reply file (the dialog's callback; tests call it).
func (s *syncScreen) importFrom(path string, done func(store.SyncRound, error)) {
	var r store.SyncRound
	s.background(func() error {
		var err error
		r, err = devicesync.ImportReply(s.u.Ctx, s.u.Store, path)
		return err
	}, func(err error) {
		s.showUSB(err, i18n.Tf("sync.usb.imported", map[string]string{"Acked": formatCount(int(r.AckedThrough)),
			"Applied": formatCount(r.UpdatesApplied), "Skipped": formatCount(r.UpdatesSkipped)}))
		if done != nil {
			done(r, err)
		}
	})
}

// showUSB puts how a USB file went under its buttons: the error (also in a
// dialog), or done.
func (s *syncScreen) showUSB(err error, done string) {
	if err != nil {
		s.lastUSBResult.SetText(errorText(err))
		s.u.ShowError(errors.New(errorText(err)))
		return
	}
	s.lastUSBResult.SetText(done)
}

func (s *syncScreen) exportDialog() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close() // the export writes through a temporary file and a rename
		if !strings.HasSuffix(strings.ToLower(path), syncproto.ExtBatchFile) {
			path += syncproto.ExtBatchFile
		}
		s.exportTo(path, nil)
	}, s.u.Win)
	d.SetFileName(s.u.Device.ID() + "-" + s.u.Now().In(domain.Zone).Format("060102-1504") + syncproto.ExtBatchFile)
	d.SetFilter(storage.NewExtensionFileFilter([]string{syncproto.ExtBatchFile}))
	s.u.ShowDialog(d)
}

func (s *syncScreen) importDialog() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		s.importFrom(path, nil)
	}, s.u.Win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{syncproto.ExtReplyFile}))
	s.u.ShowDialog(d)
}

// showRound shows one round in full, with the updates it handled.
func (s *syncScreen) showRound(r store.SyncRound) {
	lines := []string{
		formatWhen(r.StartedAt) + " · " + i18n.T("sync.via."+r.Via),
		i18n.T("sync.col.pushed") + ": " + formatCount(r.Pushed) + " · " + i18n.T("sync.col.acked") + ": " + strconv.FormatInt(r.AckedThrough, 10),
		roundResult(r),
	}
	if ups, err := s.u.Store.RoundUpdates(s.u.Ctx, r.ID); err == nil {
		for _, x := range ups {
			line := fmt.Sprintf("#%d %s %s: %s", x.ID, i18n.T("sync.update."+x.Kind), x.Dossier, i18n.T("sync.update_status."+x.Status))
			if x.Reason != "" {
				line += " — " + x.Reason
			}
			lines = append(lines, line)
		}
	}
	l := widget.NewLabel(strings.Join(lines, "\n"))
	l.Wrapping = fyne.TextWrapWord
	sc := container.NewVScroll(l)
	sc.SetMinSize(fyne.NewSize(640, 320))
	d := dialog.NewCustom(i18n.T("sync.round"), i18n.T("sync.close"), sc, s.u.Win)
	s.u.ShowDialog(d)
}

func roundColumnKeys() []string {
	var keys []string
	for _, c := range roundColumns {
		keys = append(keys, c.key)
	}
	return keys
}

package app

// The shell: the main window's frame (top bar with the scan box, the
// navigation, the screen area, the status bar), keyboard and dialogs.
//
// Screens are put together in one place, Screens() in screens.go: each entry
// names the screen's ID, title, roles, Build (called once per sign-in) and
// optional Focus (called each time it is shown), which live in the screen's
// own file. The known IDs get F1…F12 (ShortcutFor), and every screen also
// answers Alt+<its position in the navigation> (Alt+1…Alt+9). Screens are
// built lazily on first show and kept while the same staff member is signed
// in (an idle lock keeps them); a different staff member signing in gets
// freshly built screens and a new session (screens.go).
//
// What a screen may use on *UI:
//
//	u.App, u.Win, u.Store, u.Ctx         the Fyne app and window, the open store (for reading), a context
//	u.Desk, u.Actor()                    every operation staff do (internal/desk), and who does it
//	u.Staff                              the signed-in staff member
//	u.Device, u.PostPoint, u.Settings    this device, its post point, the current settings
//	u.Now()                              the clock (tests inject one)
//	u.Show(id)                           switch screen (role-checked; refused screens do nothing)
//	u.ShowError(err)                     error dialog with i18n.Message(err) (FieldErrors in Vietnamese)
//	u.Notify(msg)                        a short message in the status bar (cleared after a while)
//	u.OpenDossier(id)                    opens a dossier's detail: calls u.OnOpenDossier (set by the dossiers screen)
//	u.OnScan = func(text string)         set by the scan lookup: Enter in the global scan box (F2) calls it
//	u.OnOpenDossier = func(id string)    set by the dossiers screen
//	u.NewEntry(), u.NewPasswordEntry()   widget.Entry that also passes the global keys (F2…F10, Esc) to the shell:
//	                                     use them for text fields so F-keys work while the cursor is in a field
//	u.Shortcut(screenID, titleKey, sc, fn) a Ctrl/Alt shortcut (desktop.CustomShortcut) active only while that
//	                                     screen is shown, listed in the "Thao tác" menu; works whatever has focus.
//	                                     e.g. u.Shortcut("intake", "intake.save", &desktop.CustomShortcut{
//	                                     KeyName: fyne.KeyS, Modifier: fyne.KeyModifierControl}, save)
//	u.ShowDialog(d)                      show a dialog so Esc closes it (Hide) wherever focus is
//	u.Confirm(title, msg, onYes)         a yes/no dialog: Enter = yes, Esc = no
//	u.Touch()                            counts as user activity for the idle lock (typing in u.NewEntry fields,
//	                                     shortcuts and clicks on the frame already count)
//	u.session                            the session's built screens and what one screen asks another to open
//	u.SetSyncStatus(state, waiting, last) the sync engine feeds the status bar (state "online"/"offline"/"")
//	u.IsSupervisor()                     role check helper
//
// Everything on *UI must be called on the Fyne thread; from a goroutine wrap
// UI work in fyne.Do(func(){ … }).
//
// Keyboard map (global): F1 What needs doing · F2 or Ctrl+F scan box · F3 Intake ·
// F4 Delivery · F5 Dossiers · F6 Sync · F7 Reports · F8 Settings · F9 Staff ·
// F10 Catalog · F11 Handover · F12 Feedback · Alt+1…9 the
// navigation in order · Ctrl+L lock now · Ctrl+M the message log · Esc closes the top dialog. The
// Ctrl/Alt shortcuts work whatever has the focus (they live in the main
// menu); the F-keys work when the focus is nowhere or in a u.NewEntry field.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
	"postdesk/internal/store"
)

// Screen is one page of the main window.
type Screen struct {
	ID       string
	TitleKey string
	// Shortcut is an F-key; empty takes ShortcutFor(ID).
	Shortcut fyne.KeyName
	// Roles that see the screen; nil means everyone.
	Roles []domain.Role
	// Build makes the screen's content; called once per signed-in session.
	Build func(u *UI) fyne.CanvasObject
	// Focus is called each time the screen is shown (optional), e.g. to put
	// the cursor in its first field or reload its data.
	Focus func(u *UI)
	// Back is Esc when no dialog is open (optional): the screen backs out
	// one step without saving (a detail back to its list, a search
	// cleared, a form asked to be cleared); false when there was nothing
	// to back out of.
	Back func(u *UI) bool
}

var defaultShortcuts = map[string]fyne.KeyName{
	"home": fyne.KeyF1, "intake": fyne.KeyF3, "delivery": fyne.KeyF4, "dossiers": fyne.KeyF5, "sync": fyne.KeyF6,
	"reports": fyne.KeyF7, "settings": fyne.KeyF8, "staff": fyne.KeyF9, "catalog": fyne.KeyF10,
	"handover": fyne.KeyF11, "feedback": fyne.KeyF12,
}

// ShortcutFor is the F-key of a known screen ID, or "".
func ShortcutFor(id string) fyne.KeyName { return defaultShortcuts[id] }

// ScanKey puts the cursor in the scan box from anywhere.
const ScanKey = fyne.KeyF2

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// UI is the running desktop app: what every screen gets.
type UI struct {
	App       fyne.App
	Win       fyne.Window
	Store     *store.Store
	Desk      *desk.Desk // every operation staff do, role-checked
	Ctx       context.Context
	Staff     domain.Staff
	Device    domain.Device
	PostPoint domain.PostPoint
	Settings  domain.Settings
	// Now is the clock; tests inject one.
	Now func() time.Time

	// OnScan is called with the scan box's text when Enter is pressed in it.
	OnScan func(text string)
	// OnOpenDossier opens a dossier's detail (set by the dossiers screen).
	OnOpenDossier func(id string)

	screens      []Screen
	built        map[string]fyne.CanvasObject
	current      string
	shell        fyne.CanvasObject // the main frame, kept while locked
	area         *fyne.Container   // where screens go
	areaScroll   *container.Scroll // the screen area's scroll (up and down)
	tips         *tipLayer         // the whole text of a cut cell, on hover
	dumpSeq      int               // the layout dump's records (layoutdump.go)
	dumpLines    []byte
	nav          map[string]*navItem
	scanBox      *Entry
	status       *statusBar
	shortcuts    map[string]map[string]func() // shortcut name → screen ID ("" = global) → action
	dialogs      []openDialog
	actions      map[string][]action // screen ID → its shortcuts, for the menu
	globalsDone  bool
	session      session             // the signed-in session's screens and requests
	lost         *lostDeviceForm     // the lock screen's erase form, while shown
	lostShown    bool                // the lock screen of a lost device is shown (for good)
	setup        *setupForm          // the first-start form while shown
	signIn       *signInForm         // the sign-in screen while shown
	keptOverlays []fyne.CanvasObject // dialogs hidden by an idle lock
	keptDialogs  []openDialog
	idle         *idleWatch
	lockedAs     string // username the app was locked as, "" when not locked
	stopIdle     chan struct{}
	stopBackups  chan struct{}
	backupErr    string
	diskWarning  string
	pendingFile  string // a file from the command line, opened after sign-in (startup.go)
}

// NewUI makes the UI on a window; Start shows the first screen.
func NewUI(a fyne.App, w fyne.Window, s *store.Store) *UI {
	u := &UI{App: a, Win: w, Store: s, Ctx: context.Background(), Now: time.Now,
		built: map[string]fyne.CanvasObject{}, nav: map[string]*navItem{},
		shortcuts: map[string]map[string]func(){}, actions: map[string][]action{}}
	u.Desk = desk.New(s)
	u.Desk.Now = func() time.Time { return u.Now() }
	u.idle = newIdleWatch(func() time.Time { return u.Now() })
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { u.Touch(); u.HandleKey(ev) })
	return u
}

// Start shows first-start setup when the database has no post point yet,
// else the sign-in screen.
func (u *UI) Start() error {
	dev, pp, err := u.Store.Device(u.Ctx)
	if errors.Is(err, store.ErrNotSetUp) {
		u.showSetup()
		return nil
	}
	if err != nil {
		return err
	}
	u.Device, u.PostPoint = dev, pp
	if u.Settings, err = u.Store.Settings(u.Ctx); err != nil {
		return err
	}
	if u.checkDeviceLock() { // a lost device: no sign-in (lostdevice.go)
		return nil
	}
	u.showSignIn("")
	return nil
}

// Actor is the signed-in staff member as the desk sees them.
func (u *UI) Actor() desk.Actor { return desk.StaffActor(u.Staff) }

// IsSupervisor reports whether the signed-in staff member is a supervisor.
func (u *UI) IsSupervisor() bool { return u.Staff.Role == domain.RoleSupervisor }

// allowed reports whether the signed-in staff member may see s.
func (u *UI) allowed(s Screen) bool {
	return s.Roles == nil || contains(s.Roles, u.Staff.Role)
}

// visibleScreens are the screens the signed-in staff member may use.
func (u *UI) visibleScreens() []Screen {
	var out []Screen
	for _, s := range u.screens {
		if u.allowed(s) {
			out = append(out, s)
		}
	}
	return out
}

// Current is the ID of the screen shown.
func (u *UI) Current() string { return u.current }

// ScreenIDs are the IDs in the signed-in staff member's navigation, in order.
func (u *UI) ScreenIDs() []string {
	var out []string
	for _, s := range u.visibleScreens() {
		out = append(out, s.ID)
	}
	return out
}

// Show switches to a screen; a screen the staff member may not use, or an
// unknown one, is refused with a status message.
func (u *UI) Show(id string) {
	if u.area == nil {
		return
	}
	var scr *Screen
	for _, s := range u.visibleScreens() {
		if s.ID == id {
			s := s
			scr = &s
		}
	}
	if scr == nil {
		u.Notify(i18n.T("app.not_allowed"))
		return
	}
	obj, ok := u.built[id]
	if !ok {
		obj = u.buildScreen(*scr)
		u.built[id] = obj
	}
	u.current = id
	wrapLongTexts(obj)
	u.area.Objects = []fyne.CanvasObject{obj}
	u.area.Refresh()
	for sid, n := range u.nav {
		n.SetSelected(sid == id)
	}
	u.Win.SetTitle(i18n.T(scr.TitleKey) + " — PostDesk")
	u.installMenu()
	u.RefreshStatus()
	if scr.Focus != nil {
		scr.Focus(u)
	}
	u.dumpLayoutLater(id)
}

// buildScreen builds a screen, turning a panic in its Build into an error
// page so one broken screen never takes the desk down.
func (u *UI) buildScreen(s Screen) (obj fyne.CanvasObject) {
	defer func() {
		if r := recover(); r != nil {
			fyne.LogError("screen "+s.ID, fmt.Errorf("%v", r))
			obj = container.NewCenter(widget.NewLabel(i18n.T("app.screen_failed")))
		}
	}()
	obj = s.Build(u)
	if obj == nil {
		obj = widget.NewLabel("")
	}
	return obj
}

// ShowError shows err in a dialog, translated (field errors name the field).
func (u *UI) ShowError(err error) {
	if err == nil {
		return
	}
	d := dialog.NewError(errors.New(i18n.Message(err)), u.Win)
	u.showDialog(d, d.Hide) // Enter or Esc dismisses it
}

// Notify shows a short message in the status bar.
func (u *UI) Notify(msg string) {
	if u.status != nil {
		u.status.notify(msg, u.Now())
	}
}

// OpenDossier opens a dossier's detail through the dossiers screen's hook.
func (u *UI) OpenDossier(id string) {
	if u.OnOpenDossier == nil {
		u.Notify(i18n.Tf("app.open_dossier_unavailable", map[string]string{"ID": id}))
		return
	}
	u.OnOpenDossier(id)
}

// openDialog is a dialog the shell can close with Esc (and answer with
// Enter, when it has a default action). overlay is its pop-up on the
// canvas: the dialog is open while the overlay is there.
type openDialog struct {
	d       dialog.Dialog
	yes     func()
	overlay fyne.CanvasObject
}

// ShowDialog shows d and remembers it so Esc can close it (Hide: a confirm
// dialog answers no). The dialog's own OnClosed is kept.
func (u *UI) ShowDialog(d dialog.Dialog) { u.showDialog(d, nil) }

func (u *UI) showDialog(d dialog.Dialog, yes func()) {
	d.Show()
	u.dialogs = append(u.dialogs, openDialog{d: d, yes: yes, overlay: u.Win.Canvas().Overlays().Top()})
	u.dumpLayoutLater("dialog")
}

// topDialog is the newest dialog still on screen; closed ones are dropped.
func (u *UI) topDialog() *openDialog {
	ov := u.Win.Canvas().Overlays().List()
	for len(u.dialogs) > 0 {
		top := &u.dialogs[len(u.dialogs)-1]
		if top.overlay != nil && contains(ov, top.overlay) {
			return top
		}
		u.dialogs = u.dialogs[:len(u.dialogs)-1]
	}
	return nil
}

// Confirm asks a yes/no question; Enter answers yes, Esc no.
func (u *UI) Confirm(title, msg string, onYes func()) {
	label := widget.NewLabel(msg)
	label.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomConfirm(title, i18n.T("Yes"), i18n.T("No"), label, func(ok bool) {
		if ok && onYes != nil {
			onYes()
		}
	}, u.Win)
	d.Resize(fyne.NewSize(420, d.MinSize().Height))
	u.showDialog(d, func() { d.Confirm() })
}

// closeTopDialog hides the newest dialog; false when none is open.
func (u *UI) closeTopDialog() bool {
	top := u.topDialog()
	if top == nil {
		return false
	}
	top.d.Hide()
	u.topDialog()
	return true
}

// answerTopDialog runs the newest dialog's default action (Enter).
func (u *UI) answerTopDialog() bool {
	top := u.topDialog()
	if top == nil || top.yes == nil {
		return false
	}
	yes := top.yes
	yes()
	u.topDialog()
	return true
}

// HandleKey runs a global key (F2…F10, Esc); true when it was one.
// Widgets that take the focus may call it from TypedKey (u.NewEntry does).
func (u *UI) HandleKey(ev *fyne.KeyEvent) bool {
	switch ev.Name {
	case fyne.KeyEscape:
		return u.closeTopDialog() || u.backOut()
	case fyne.KeyReturn, fyne.KeyEnter:
		return u.answerTopDialog()
	}
	if u.area == nil || u.lockedAs != "" {
		return false // sign-in, setup or lock screen: no navigation
	}
	if ev.Name == ScanKey {
		u.FocusScan()
		return true
	}
	for _, s := range u.visibleScreens() {
		if s.Shortcut != "" && s.Shortcut == ev.Name {
			u.Show(s.ID)
			return true
		}
	}
	return false
}

// backOut runs the current screen's Back (Esc with no dialog open).
func (u *UI) backOut() bool {
	if u.area == nil || u.lockedAs != "" || u.current == "" {
		return false
	}
	for _, s := range u.visibleScreens() {
		if s.ID == u.current && s.Back != nil {
			return s.Back(u)
		}
	}
	return false
}

// FocusScan puts the cursor in the scan box, its text selected.
func (u *UI) FocusScan() {
	if u.scanBox == nil || u.area == nil {
		return
	}
	u.Win.Canvas().Focus(u.scanBox)
	u.scanBox.TypedShortcut(&fyne.ShortcutSelectAll{})
}

// Shortcut registers a Ctrl/Alt shortcut active only while screen is shown
// ("" = always), listed under titleKey in the window's "Actions" menu while
// that screen is shown. Register it from the screen's Build. Menu shortcuts
// are the only ones Fyne delivers whatever widget has the focus.
func (u *UI) Shortcut(screen, titleKey string, sc fyne.Shortcut, fn func()) {
	name := sc.ShortcutName()
	m, ok := u.shortcuts[name]
	if !ok {
		m = map[string]func(){}
		u.shortcuts[name] = m
		u.Win.Canvas().AddShortcut(sc, func(fyne.Shortcut) { u.runShortcut(name) })
	}
	m[screen] = fn
	if screen != "" {
		u.actions[screen] = append(u.actions[screen], action{titleKey: titleKey, sc: sc})
		if screen == u.current {
			u.installMenu()
		}
	}
}

// action is a screen's shortcut as listed in the menu.
type action struct {
	titleKey string
	sc       fyne.Shortcut
}

// runShortcut runs the shortcut's action for the current screen, or its
// global action; false when it has none now.
func (u *UI) runShortcut(name string) bool {
	m := u.shortcuts[name]
	if m == nil {
		return false
	}
	u.Touch()
	if fn := m[u.current]; fn != nil && u.lockedAs == "" && u.area != nil {
		fn()
		return true
	}
	if fn := m[""]; fn != nil {
		fn()
		return true
	}
	return false
}

// Entry is a widget.Entry that hands the global keys to the shell and
// counts typing as activity. Make one with u.NewEntry.
type Entry struct {
	widget.Entry
	ui *UI
}

// NewEntry makes a one-line entry that knows the global keys.
func (u *UI) NewEntry() *Entry {
	e := &Entry{ui: u}
	e.ExtendBaseWidget(e)
	return e
}

// NewPasswordEntry makes a hidden-text entry that knows the global keys.
func (u *UI) NewPasswordEntry() *Entry {
	e := u.NewEntry()
	e.Password = true
	return e
}

// TypedKey passes F-keys and Esc to the shell first.
func (e *Entry) TypedKey(ev *fyne.KeyEvent) {
	if e.ui != nil {
		e.ui.Touch()
		if e.ui.HandleKey(ev) {
			return
		}
	}
	e.Entry.TypedKey(ev)
}

// TypedRune counts typing as activity.
func (e *Entry) TypedRune(r rune) {
	if e.ui != nil {
		e.ui.Touch()
	}
	e.Entry.TypedRune(r)
}

// TypedShortcut passes the shell's shortcuts on; the entry keeps its own
// (copy, paste, undo…).
func (e *Entry) TypedShortcut(sc fyne.Shortcut) {
	if e.ui != nil && e.ui.runShortcut(sc.ShortcutName()) {
		return
	}
	e.Entry.TypedShortcut(sc)
}

// navItem is a navigation entry: tapped with the mouse, reached by its key;
// deliberately not focusable so Tab stays inside the screen's form.
type navItem struct {
	widget.BaseWidget
	text     string
	key      string
	onTap    func()
	selected bool
	bg       *canvas.Rectangle
	label    *widget.Label
	keyLabel *widget.Label
}

func newNavItem(text, key string, onTap func()) *navItem {
	n := &navItem{text: text, key: key, onTap: onTap}
	n.ExtendBaseWidget(n)
	return n
}

func (n *navItem) CreateRenderer() fyne.WidgetRenderer {
	n.bg = canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	n.bg.CornerRadius = theme.InputRadiusSize()
	n.label = widget.NewLabel(n.text)
	n.keyLabel = widget.NewLabelWithStyle(n.key, fyne.TextAlignTrailing, fyne.TextStyle{Monospace: true})
	n.bg.Hidden = !n.selected
	n.label.TextStyle.Bold = n.selected
	return widget.NewSimpleRenderer(container.NewStack(n.bg, container.NewBorder(nil, nil, nil, n.keyLabel, n.label)))
}

// SetSelected marks the item of the screen shown.
func (n *navItem) SetSelected(sel bool) {
	n.selected = sel
	if n.bg != nil {
		n.bg.Hidden = !sel
		n.label.TextStyle.Bold = sel
		n.label.Refresh()
		n.bg.Refresh()
	}
}

func (n *navItem) Tapped(*fyne.PointEvent) {
	if n.onTap != nil {
		n.onTap()
	}
}

func (n *navItem) Cursor() desktop.Cursor { return desktop.PointerCursor }

// buildShell makes the main frame for the signed-in staff member.
func (u *UI) buildShell() fyne.CanvasObject {
	u.screens = screenList()
	u.built = map[string]fyne.CanvasObject{}
	u.nav = map[string]*navItem{}
	u.current = ""
	u.area = container.NewStack()

	nav := container.NewVBox()
	for i, s := range u.visibleScreens() {
		id := s.ID
		// The F-key only, so the navigation stays narrow on a 1024 px
		// screen; Alt+1…9 are listed in the Desk menu.
		key := string(s.Shortcut)
		if key == "" && i < 9 {
			key = "Alt+" + strconv.Itoa(i+1)
		}
		n := newNavItem(i18n.T(s.TitleKey), key, func() { u.Touch(); u.Show(id) })
		u.nav[id] = n
		nav.Add(n)
	}

	u.scanBox = u.NewEntry()
	u.scanBox.SetPlaceHolder(i18n.T("app.scan.placeholder"))
	u.scanBox.OnSubmitted = func(text string) { u.scan(text) }
	lock := newNavItem(i18n.T("app.lock"), "Ctrl+L", func() { u.Lock() })
	who := widget.NewLabelWithStyle(u.Staff.FullName+" ("+RoleName(u.Staff.Role)+")", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	scanLabel := widget.NewLabelWithStyle(i18n.T("app.scan.label"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	top := container.NewBorder(nil, nil, scanLabel, container.NewHBox(who, lock), u.scanBox)

	u.status = newStatusBar(u)
	defer u.setBackupError(u.backupErr)
	defer u.setDiskWarning(u.diskWarning)
	left := container.NewBorder(nil, nil, nil, widget.NewSeparator(), container.NewVScroll(container.NewPadded(nav)))
	u.areaScroll = container.NewVScroll(container.NewPadded(u.area))
	body := container.NewBorder(container.NewVBox(container.NewPadded(top), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), u.status.object()), left, nil, u.areaScroll)
	// The screen area scrolls up and down, never sideways: every screen fits
	// the width of a 1024 px display (fit_test.go), and a taller one scrolls
	// rather than growing the window past the screen.
	u.installMenu()
	u.tips = newTipLayer()
	return newActivityFrame(u, container.NewStack(body, u.tips.box))
}

// installMenu puts the screens, the global shortcuts and the current
// screen's actions in the main menu: menu shortcuts are the only ones Fyne
// delivers whatever widget has the focus.
func (u *UI) installMenu() {
	if u.area == nil || u.lockedAs != "" {
		return
	}
	var screenItems []*fyne.MenuItem
	for i, s := range u.visibleScreens() {
		id := s.ID
		item := fyne.NewMenuItem(i18n.T(s.TitleKey), func() { u.Touch(); u.Show(id) })
		if i < 9 {
			item.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierAlt}
		}
		screenItems = append(screenItems, item)
	}
	scan := fyne.NewMenuItem(i18n.T("app.menu.scan"), func() { u.Touch(); u.FocusScan() })
	scan.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierControl}
	lock := fyne.NewMenuItem(i18n.T("app.lock"), func() { u.Lock() })
	lock.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierControl}
	msgLog := fyne.NewMenuItem(i18n.T("app.log.title"), func() { u.ShowMessageLog() })
	msgLog.Shortcut = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierControl}
	if !u.globalsDone {
		// The same shortcuts on the canvas, for when no widget has the
		// focus (and for the test driver, which has no menu bar).
		for _, it := range append(append([]*fyne.MenuItem{}, screenItems...), scan, lock, msgLog) {
			if it.Shortcut != nil {
				act := it.Action
				u.Shortcut("", "", it.Shortcut, act)
			}
		}
		u.globalsDone = true
	}
	menus := []*fyne.Menu{fyne.NewMenu(i18n.T("app.menu.desk"),
		append([]*fyne.MenuItem{scan, lock, msgLog, fyne.NewMenuItemSeparator()}, screenItems...)...)}
	if acts := u.actions[u.current]; len(acts) > 0 {
		var items []*fyne.MenuItem
		for _, a := range acts {
			name := a.sc.ShortcutName()
			it := fyne.NewMenuItem(i18n.T(a.titleKey), func() { u.runShortcut(name) })
			it.Shortcut = a.sc
			items = append(items, it)
		}
		menus = append(menus, fyne.NewMenu(i18n.T("app.menu.actions"), items...))
	}
	u.Win.SetMainMenu(fyne.NewMainMenu(menus...))
}

// scan hands the scan box's text to the lookup.
func (u *UI) scan(text string) {
	u.Touch()
	text = domain.Clean(text)
	if text == "" {
		return
	}
	if u.OnScan == nil {
		u.Notify(i18n.T("app.scan.unavailable"))
		return
	}
	u.OnScan(text)
}

// ScanBox is the global scan entry (for tests and the scan lookup).
func (u *UI) ScanBox() *Entry { return u.scanBox }

// enterShell shows the main frame after a sign-in: a new frame for a new
// staff member, the kept one after an idle lock by the same person.
func (u *UI) enterShell(st domain.Staff) {
	restore := u.shell != nil && u.lockedAs == st.Username
	u.Staff = st
	u.lockedAs = ""
	u.Touch()
	if restore {
		u.Win.SetContent(u.shell)
		u.restoreOverlays()
		if s := u.current; s != "" {
			u.Show(s)
		}
		u.startIdle()
		return
	}
	u.dropOverlays()
	u.session = session{}
	u.OnScan, u.OnOpenDossier = nil, nil
	u.shortcuts = map[string]map[string]func(){}
	u.actions = map[string][]action{}
	u.globalsDone = false
	u.shell = u.buildShell()
	u.Win.SetContent(u.shell)
	ids := u.ScreenIDs()
	if len(ids) > 0 {
		// The day starts on "what needs doing" (issue 4), else on intake.
		first := ids[0]
		if contains(ids, "home") {
			first = "home"
		} else if contains(ids, "intake") {
			first = "intake"
		}
		u.Show(first)
	}
	u.status.refresh()
	u.startIdle()
	u.openPendingFile() // a .pdreply double-clicked in Explorer (startup.go)
}

package app

import (
	"encoding/binary"
	"errors"
	"hash/fnv"
	"reflect"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/demo"
	"postdesk/internal/desk"
	"postdesk/internal/domain"
)

// signInForm is the sign-in screen's widgets (kept for tests).
type signInForm struct {
	username *Entry
	secret   *Entry
	errUser  *widget.Label
	errPIN   *widget.Label
	button   *deskButton
}

// showSignIn shows the sign-in screen; username is prefilled after an idle
// lock (the person who was working) and may be changed.
func (u *UI) showSignIn(username string) {
	f := &signInForm{username: u.NewEntry(), secret: u.NewPasswordEntry(),
		errUser: errorLabel(), errPIN: errorLabel()}
	f.username.SetPlaceHolder(i18n.T("app.signin.username_hint"))
	f.secret.SetPlaceHolder(i18n.T("app.signin.secret_hint"))
	f.username.SetText(username)
	submit := func() { u.submitSignIn(f) }
	f.username.OnSubmitted = func(string) { u.Win.Canvas().Focus(f.secret) }
	f.secret.OnSubmitted = func(string) { submit() }
	f.button = newButton(i18n.T("app.signin.submit"), submit)
	f.button.Importance = widget.HighImportance

	logo := canvas.NewImageFromResource(appIcon())
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSize(64, 64))
	title := widget.NewLabelWithStyle(i18n.T("app.signin.title"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	where := widget.NewLabelWithStyle(u.PostPoint.Name, fyne.TextAlignCenter, fyne.TextStyle{})
	note := container.NewVBox()
	if u.lockedAs != "" {
		l := widget.NewLabelWithStyle(i18n.T("app.signin.locked_note"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		l.Wrapping = fyne.TextWrapWord
		note.Add(l)
	}
	if u.PostPoint == desk.DemoPostPoint {
		var names []string
		for _, st := range demo.Staff {
			names = append(names, st.Username)
		}
		l := widget.NewLabelWithStyle(i18n.Tf("app.signin.demo_hint", map[string]string{
			"Users": strings.Join(names, ", "), "PIN": desk.DemoPIN}), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
		l.Wrapping = fyne.TextWrapWord
		note.Add(l)
	}
	form := container.NewVBox(
		container.NewCenter(logo), title, where, note,
		widget.NewLabel(i18n.T("app.signin.username")), f.username, f.errUser,
		widget.NewLabel(i18n.T("app.signin.secret")), f.secret, f.errPIN,
		f.button,
	)
	box := container.New(fixedWidth(400), form)
	u.Win.SetMainMenu(nil)
	u.Win.SetTitle(i18n.T("app.signin.title") + " — PostDesk")
	u.Win.SetContent(container.NewCenter(box))
	u.signIn = f
	u.dumpLayoutLater("signin")
	if username != "" {
		u.Win.Canvas().Focus(f.secret)
	} else {
		u.Win.Canvas().Focus(f.username)
	}
}

// errorLabel is the red line under a field that says what is wrong with it.
func errorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

func setFieldError(l *widget.Label, msg string) {
	l.SetText(msg)
	if msg == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// submitSignIn checks the PIN and opens the desk, or says what is wrong next
// to the field it concerns.
func (u *UI) submitSignIn(f *signInForm) {
	setFieldError(f.errUser, "")
	setFieldError(f.errPIN, "")
	if u.checkDeviceLock() {
		return
	}
	st, err := u.Store.SignIn(u.Ctx, f.username.Text, f.secret.Text)
	if err != nil {
		f.secret.SetText("")
		shown := false
		for _, fe := range fieldErrors(err) {
			switch fe.Field {
			case "signin.username":
				setFieldError(f.errUser, i18n.Current().Message(fe.In("")))
				shown = true
			case "signin.secret":
				setFieldError(f.errPIN, i18n.Current().Message(fe.In("")))
				shown = true
			}
		}
		if !shown {
			u.ShowError(err)
		}
		u.Win.Canvas().Focus(f.secret)
		return
	}
	u.signIn = nil
	u.enterShell(st)
}

// Lock hides the desk behind the sign-in screen, keeping every screen's
// state for when the same person signs in again.
func (u *UI) Lock() {
	if u.shell == nil || u.lockedAs != "" {
		return
	}
	u.lockedAs = u.Staff.Username
	u.stopIdleTicker()
	u.hideOverlays()
	u.showSignIn(u.Staff.Username)
}

// Locked reports whether the desk is behind the sign-in screen.
func (u *UI) Locked() bool { return u.lockedAs != "" || u.shell == nil }

// hideOverlays takes open dialogs off the canvas while locked; they come
// back on unlock by the same person (restoreOverlays) or are dropped.
func (u *UI) hideOverlays() {
	ov := u.Win.Canvas().Overlays()
	u.keptOverlays = append([]fyne.CanvasObject(nil), ov.List()...)
	u.keptDialogs, u.dialogs = u.dialogs, nil
	for _, o := range u.keptOverlays {
		ov.Remove(o)
	}
}

func (u *UI) restoreOverlays() {
	for _, o := range u.keptOverlays {
		u.Win.Canvas().Overlays().Add(o)
	}
	u.dialogs = append(u.keptDialogs, u.dialogs...)
	u.keptOverlays, u.keptDialogs = nil, nil
}

func (u *UI) dropOverlays() {
	for _, o := range u.Win.Canvas().Overlays().List() {
		u.Win.Canvas().Overlays().Remove(o)
	}
	u.keptOverlays, u.keptDialogs = nil, nil
	u.dialogs = nil
}

// Touch records user activity for the idle lock.
func (u *UI) Touch() {
	if u.idle != nil {
		u.idle.touch()
	}
}

// idleWatch decides when the desk has been idle long enough to lock. It
// sees activity through Touch and through a fingerprint of what is on
// screen (focus, texts typed, choices made), which catches typing in any
// widget, not only in u.NewEntry fields.
type idleWatch struct {
	now    func() time.Time
	last   time.Time
	lastFP uint64
}

func newIdleWatch(now func() time.Time) *idleWatch {
	return &idleWatch{now: now, last: now()}
}

func (w *idleWatch) touch() { w.last = w.now() }

// idle reports whether nothing happened for limit, given the current
// screen fingerprint (a changed fingerprint counts as activity).
func (w *idleWatch) idle(limit time.Duration, fp uint64) bool {
	if fp != w.lastFP {
		w.lastFP = fp
		w.touch()
		return false
	}
	return limit > 0 && w.now().Sub(w.last) >= limit
}

// idleTick is how often the idle lock looks; a variable for tests.
var idleTick = 15 * time.Second

// CheckIdle locks the desk when it has been idle for the configured
// minutes; the ticker calls it, tests call it with an injected clock.
func (u *UI) CheckIdle() bool {
	if u.Locked() {
		return false
	}
	limit := time.Duration(u.Settings.IdleLockMinutes) * time.Minute
	if u.idle.idle(limit, u.fingerprint()) {
		u.Lock()
		return true
	}
	return false
}

func (u *UI) startIdle() {
	u.stopIdleTicker()
	stop := make(chan struct{})
	u.stopIdle = stop
	go func() {
		t := time.NewTicker(idleTick)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(func() {
					if !u.CheckIdle() && !u.Locked() {
						u.RefreshStatus() // events recorded meanwhile wait to sync
					}
				})
			}
		}
	}()
}

func (u *UI) stopIdleTicker() {
	if u.stopIdle != nil {
		close(u.stopIdle)
		u.stopIdle = nil
	}
}

// fingerprint hashes what the user can change on screen: the focused
// widget, entry texts and cursors, selections, checks and overlays.
func (u *UI) fingerprint() uint64 {
	h := fnv.New64a()
	c := u.Win.Canvas()
	if f := c.Focused(); f != nil {
		h.Write([]byte(reflect.TypeOf(f).String()))
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(reflect.ValueOf(f).Pointer())))
	}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch w := o.(type) {
		case *Entry:
			h.Write([]byte(w.Text))
			h.Write([]byte{byte(w.CursorColumn), byte(w.CursorRow)})
		case *widget.Entry:
			h.Write([]byte(w.Text))
			h.Write([]byte{byte(w.CursorColumn), byte(w.CursorRow)})
		case *widget.SelectEntry:
			h.Write([]byte(w.Text))
		case *widget.Select:
			h.Write([]byte(w.Selected))
		case *widget.Check:
			if w.Checked {
				h.Write([]byte{1})
			}
		case *widget.RadioGroup:
			h.Write([]byte(w.Selected))
		}
		for _, ch := range children(o) {
			walk(ch)
		}
	}
	walk(c.Content())
	for _, o := range c.Overlays().List() {
		h.Write([]byte{7})
		walk(o)
	}
	return h.Sum64()
}

// activityFrame wraps the desk: taps and mouse moves over it (where no
// widget takes them) count as activity.
type activityFrame struct {
	widget.BaseWidget
	u       *UI
	content fyne.CanvasObject
}

func newActivityFrame(u *UI, content fyne.CanvasObject) *activityFrame {
	f := &activityFrame{u: u, content: content}
	f.ExtendBaseWidget(f)
	return f
}

func (f *activityFrame) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(f.content)
}

// Tapped counts a click on the frame as activity.
func (f *activityFrame) Tapped(*fyne.PointEvent) { f.u.Touch() }

// MouseIn counts the mouse entering as activity.
func (f *activityFrame) MouseIn(*desktop.MouseEvent) { f.u.Touch() }

// MouseMoved counts a mouse move as activity.
func (f *activityFrame) MouseMoved(*desktop.MouseEvent) { f.u.Touch() }

// MouseOut does nothing.
func (f *activityFrame) MouseOut() {}

// children lists the objects inside o that the fingerprint and the i18n
// test can reach without Fyne's internal renderer cache: containers and the
// widgets that hold other objects in exported fields.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch w := o.(type) {
	case *fyne.Container:
		return w.Objects
	case *activityFrame:
		return []fyne.CanvasObject{w.content}
	case *container.Scroll:
		return []fyne.CanvasObject{w.Content}
	case *container.Split:
		return []fyne.CanvasObject{w.Leading, w.Trailing}
	case *container.AppTabs:
		var out []fyne.CanvasObject
		for _, it := range w.Items {
			out = append(out, it.Content)
		}
		return out
	case *container.DocTabs:
		var out []fyne.CanvasObject
		for _, it := range w.Items {
			out = append(out, it.Content)
		}
		return out
	case *widget.Card:
		return []fyne.CanvasObject{w.Content}
	case *widget.Form:
		var out []fyne.CanvasObject
		for _, it := range w.Items {
			out = append(out, it.Widget)
		}
		return out
	case *widget.PopUp:
		return []fyne.CanvasObject{w.Content}
	}
	return nil
}

// fieldErrors flattens err into its field errors.
func fieldErrors(err error) []*domain.FieldError {
	var es domain.Errors
	if errors.As(err, &es) {
		return es
	}
	var fe *domain.FieldError
	if errors.As(err, &fe) {
		return []*domain.FieldError{fe}
	}
	return nil
}

// SignInAs signs in without the form (tests, and the first start after
// setup); it checks the PIN like the form does.
func (u *UI) SignInAs(username, secret string) error {
	if u.checkDeviceLock() {
		return desk.ErrLocked
	}
	st, err := u.Store.SignIn(u.Ctx, username, secret)
	if err != nil {
		return err
	}
	u.signIn = nil
	u.enterShell(st)
	return nil
}

// fixedWidth lays its objects out at a fixed width, as tall as they need:
// forms with wrapping error lines keep their column.
type fixedWidth float32

func (w fixedWidth) MinSize(objects []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objects {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(float32(w), h)
}

func (w fixedWidth) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(float32(w), size.Height))
	}
}

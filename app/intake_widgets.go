package app

// Form widgets of the clerk's desk (intake and dossiers): an entry, a
// select and a check that pass the shell's global keys on (F2…F10, Esc for
// dialogs), and let the form act on Enter (save) and Esc (clear), so the
// whole slip can be filled and saved without the mouse.

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/domain"
)

// formEntry is a one-line entry of a desk form.
type formEntry struct {
	Entry
	// onKey sees every key first; true means handled.
	onKey       func(ev *fyne.KeyEvent) bool
	onFocusLost func()
	onFocus     func(o fyne.CanvasObject)
}

func (e *formEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(e)
	}
}

func newFormEntry(u *UI) *formEntry {
	e := &formEntry{}
	e.ui = u
	e.ExtendBaseWidget(e)
	return e
}

func (e *formEntry) TypedKey(ev *fyne.KeyEvent) {
	if e.onKey != nil && e.onKey(ev) {
		return
	}
	e.Entry.TypedKey(ev)
}

func (e *formEntry) FocusLost() {
	e.Entry.FocusLost()
	if e.onFocusLost != nil {
		e.onFocusLost()
	}
}

// formKeys is what a form does on Enter and Esc.
type formKeys struct {
	onEnter func()
	onEsc   func()
}

// handle runs a form key after the shell's global keys; true when used.
func (k *formKeys) handle(u *UI, ev *fyne.KeyEvent) bool {
	if u != nil {
		u.Touch()
		if u.HandleKey(ev) {
			return true
		}
	}
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.onEnter != nil {
			k.onEnter()
			return true
		}
	case fyne.KeyEscape:
		if k.onEsc != nil {
			k.onEsc()
			return true
		}
	}
	return false
}

// entryKeys wires Enter and Esc of a formEntry to a form: Enter submits
// (OnSubmitted), Esc asks to clear. A dialog open on top takes both first.
func entryKeys(e *formEntry, u *UI, k *formKeys) {
	prev := e.onKey
	e.onKey = func(ev *fyne.KeyEvent) bool {
		if prev != nil && prev(ev) {
			return true
		}
		if ev.Name == fyne.KeyEscape {
			return k.handle(u, ev)
		}
		return false
	}
	e.OnSubmitted = func(string) {
		if k.onEnter != nil {
			k.onEnter()
		}
	}
}

// formSelect is a Select whose options are labels of fixed values.
// Left and Right change the choice without opening the list (Fyne's own
// keys), Space or Down opens it; Enter and Esc go to the form.
type formSelect struct {
	widget.Select
	u       *UI
	values  []string
	keys    *formKeys
	onFocus func(o fyne.CanvasObject)
}

func (s *formSelect) FocusGained() {
	s.Select.FocusGained()
	if s.onFocus != nil {
		s.onFocus(s)
	}
}

// newFormSelect makes a select of values shown as the i18n texts of
// keyPrefix+value; onChange gets the value.
func newFormSelect(u *UI, keys *formKeys, keyPrefix string, values []string, onChange func(string)) *formSelect {
	labels := make([]string, len(values))
	for i, v := range values {
		labels[i] = i18n.T(keyPrefix + v)
	}
	return newFormSelectLabels(u, keys, values, labels, onChange)
}

// newFormSelectLabels makes a select of values with their own labels (data, such as commune names).
func newFormSelectLabels(u *UI, keys *formKeys, values, labels []string, onChange func(string)) *formSelect {
	s := &formSelect{u: u, values: values, keys: keys}
	s.Options = labels
	s.PlaceHolder = i18n.T("intake.select.hint")
	s.OnChanged = func(string) {
		if onChange != nil {
			onChange(s.Value())
		}
	}
	s.ExtendBaseWidget(s)
	return s
}

// Value is the chosen value, "" when none.
func (s *formSelect) Value() string {
	i := s.SelectedIndex()
	if i < 0 || i >= len(s.values) {
		return ""
	}
	return s.values[i]
}

// SetValue chooses v; an unknown v clears the choice.
func (s *formSelect) SetValue(v string) {
	for i, x := range s.values {
		if x == v {
			s.SetSelectedIndex(i)
			return
		}
	}
	s.ClearSelected()
}

func (s *formSelect) TypedKey(ev *fyne.KeyEvent) {
	if s.keys != nil && s.keys.handle(s.u, ev) {
		return
	}
	if s.u != nil && s.keys == nil && s.u.HandleKey(ev) {
		return
	}
	s.Select.TypedKey(ev)
}

// formCheck is a Check (Space toggles) that passes Enter and Esc to the form.
type formCheck struct {
	widget.Check
	u       *UI
	keys    *formKeys
	onFocus func(o fyne.CanvasObject)
}

func (c *formCheck) FocusGained() {
	c.Check.FocusGained()
	if c.onFocus != nil {
		c.onFocus(c)
	}
}

func newFormCheck(u *UI, keys *formKeys, label string, onChange func(bool)) *formCheck {
	c := &formCheck{u: u, keys: keys}
	c.Text = label
	c.OnChanged = onChange
	c.ExtendBaseWidget(c)
	return c
}

func (c *formCheck) TypedKey(ev *fyne.KeyEvent) {
	if c.keys != nil && c.keys.handle(c.u, ev) {
		return
	}
	if c.u != nil && c.keys == nil && c.u.HandleKey(ev) {
		return
	}
	c.Check.TypedKey(ev)
}

func (c *formCheck) TypedRune(r rune) {
	if c.u != nil {
		c.u.Touch()
	}
	c.Check.TypedRune(r)
}

// revealer scrolls a form so the widget that gets the focus is in view:
// Tab walks the whole slip, and Fyne's scroll does not follow the focus.
type revealer struct{ scroll *container.Scroll }

func (r *revealer) reveal(o fyne.CanvasObject) {
	if r == nil || r.scroll == nil || r.scroll.Content == nil {
		return
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(r.scroll.Content).Y
	y := d.AbsolutePositionForObject(o).Y - top // within the content
	h, view := o.Size().Height, r.scroll.Size().Height
	const margin = 48 // room for the label above and the error below
	switch {
	case y-margin < r.scroll.Offset.Y:
		r.scroll.ScrollToOffset(fyne.NewPos(0, max(0, y-margin)))
	case y+h+margin > r.scroll.Offset.Y+view:
		r.scroll.ScrollToOffset(fyne.NewPos(0, y+h+margin-view))
	}
}

// hook sets the reveal hook on every desk widget under o.
func (r *revealer) hook(o fyne.CanvasObject) {
	switch w := o.(type) {
	case *formEntry:
		w.onFocus = r.reveal
	case *formSelect:
		w.onFocus = r.reveal
	case *formCheck:
		w.onFocus = r.reveal
	case *deskButton:
		w.onFocus = r.reveal
	}
	for _, c := range children(o) {
		r.hook(c)
	}
}

// fieldMessage is the text shown next to a field for its error: the
// reason alone, the field being obvious from where it stands.
func fieldMessage(fe *domain.FieldError) string {
	return i18n.Current().Message(fe.In(""))
}

// deskButton is a Button that passes the shell's global keys on (F2…F10,
// Esc), so the scan box and the screen keys work while a button has the focus.
type deskButton struct {
	widget.Button
	u       *UI
	onFocus func(o fyne.CanvasObject)
}

func (b *deskButton) FocusGained() {
	b.Button.FocusGained()
	if b.onFocus != nil {
		b.onFocus(b)
	}
}

func newDeskButton(u *UI, label string, tapped func()) *deskButton {
	b := &deskButton{u: u}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey: the global keys first, then Enter presses the button as
// Space does (a clerk who tabbed to a button presses Enter).
func (b *deskButton) TypedKey(ev *fyne.KeyEvent) {
	if b.u != nil && b.u.HandleKey(ev) {
		return
	}
	if (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter) && !b.Disabled() {
		b.Tapped(nil)
		return
	}
	b.Button.TypedKey(ev)
}

// newButton is a button Enter presses too (widget.NewButton's answers
// only Space).
func newButton(label string, tapped func()) *deskButton { return newDeskButton(nil, label, tapped) }

// newButtonWithIcon is newButton with an icon.
func newButtonWithIcon(label string, icon fyne.Resource, tapped func()) *deskButton {
	b := newDeskButton(nil, label, tapped)
	b.Icon = icon
	return b
}

// deskSelect is a widget.Select that passes the shell's keys on (Esc
// closes the dialog it stands in, F-keys switch screens).
type deskSelect struct {
	widget.Select
	u *UI
}

func newDeskSelect(u *UI, options []string, changed func(string)) *deskSelect {
	s := &deskSelect{u: u}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

func (s *deskSelect) TypedKey(ev *fyne.KeyEvent) {
	if s.u != nil && s.u.HandleKey(ev) {
		return
	}
	s.Select.TypedKey(ev)
}

package app

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestEnterPressesAFocusedButton: a button reached with Tab answers Enter
// (and the keypad's Enter) as it answers Space; a disabled one does not.
func TestEnterPressesAFocusedButton(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	pressed := 0
	b := newButton("Lưu", func() { pressed++ })
	u.Win.SetContent(container.NewVBox(b))
	c := u.Win.Canvas()
	c.Focus(b)
	for _, k := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeySpace} {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: k})
	}
	if pressed != 3 {
		t.Fatalf("Enter, keypad Enter and Space pressed the button %d times, want 3", pressed)
	}
	b.Disable()
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if pressed != 3 {
		t.Error("Enter pressed a disabled button")
	}
	test.Tap(b)
}

// TestScreenButtonsAnswerEnter: the buttons of the screens are the desk's
// (every one built with newButton answers Enter), e.g. the handover screen's.
func TestScreenButtonsAnswerEnter(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.Show("handover")
	n := 0
	for _, o := range test.LaidOutObjects(u.Win.Content()) {
		if _, ok := o.(*deskButton); ok && o.Visible() {
			n++
		}
		if b := asButton(o); b != nil && o.Visible() {
			if _, desk := o.(*deskButton); !desk {
				t.Errorf("button %q answers Space only", b.Text)
			}
		}
	}
	if n == 0 {
		t.Fatal("no button on the handover screen answers Enter")
	}
}

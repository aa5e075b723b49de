package app

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// logLines is every label's text in the message log dialog, in order.
func logLines(u *UI) []string {
	top := u.Win.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	var out []string
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Visible() {
			out = append(out, l.Text)
		}
	}
	return out
}

// TestMessageLogShowsWholeMessages: Ctrl+M shows the session's messages
// whole, newest first, also once gone from the status bar; Esc closes it.
func TestMessageLogShowsWholeMessages(t *testing.T) {
	u, clock := newTestUI(t, "gdv1")
	long := "Đã lưu hồ sơ 600900A-260310-0001 của Rơ Mah H'Bích; biên nhận ở /home/giao-dich-vien/.local/share/postdesk/receipts/600900A-260310-0001.pdf"
	u.Notify("Tin thứ nhất")
	clock.Add(60e9)
	u.Notify(long)
	u.status.setMessage("") // gone from the bar
	ctrlM := (&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierControl}).ShortcutName()
	if !u.runShortcut(ctrlM) {
		t.Fatal("Ctrl+M does nothing")
	}
	texts := logLines(u)
	first, second := -1, -1
	for i, s := range texts {
		if strings.HasSuffix(s, long) {
			second = i
		}
		if strings.HasSuffix(s, "Tin thứ nhất") {
			first = i
		}
	}
	if first < 0 || second < 0 || second > first {
		t.Fatalf("the log dialog shows %q; want both messages whole, the newest first", texts)
	}
	if !strings.HasPrefix(texts[second], "09:01") {
		t.Errorf("the newest message %q does not start with its time 09:01", texts[second])
	}
	pressAnywhere(u, fyne.KeyEscape)
	if u.Win.Canvas().Overlays().Top() != nil {
		t.Error("Esc did not close the message log")
	}
}

// TestMessageLogEmptySaysWhy: with no message yet the log says so.
func TestMessageLogEmptySaysWhy(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	u.status.log = nil
	u.ShowMessageLog()
	if texts := logLines(u); !containsText(texts, "Chưa có thông báo nào") {
		t.Errorf("an empty message log shows %q", texts)
	}
}

func containsText(texts []string, part string) bool {
	for _, s := range texts {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

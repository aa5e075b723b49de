package app

import (
	"testing"

	"postdesk/i18n"
	"postdesk/internal/platform"
)

// TestDiskWarning: a database on a disk the system does not encrypt is
// said so in the status bar (on every screen); one it cannot tell about too.
func TestDiskWarning(t *testing.T) {
	for _, c := range []struct {
		state platform.DiskState
		want  string
	}{{platform.DiskPlain, i18n.T("app.disk.plain")}, {platform.DiskUnknown, i18n.T("app.disk.unknown")}} {
		saved := diskEncryption
		diskEncryption = func(string) (platform.DiskState, string) { return c.state, "test" }
		u, _ := newTestUI(t, "truong")
		diskEncryption = saved
		waitFor(t, "the disk check", func() bool { return u.diskWarning == c.want && (c.want == "" || u.status.disk.Visible()) })
		if u.status.disk.Visible() != (c.want != "") || u.status.disk.Text != c.want {
			t.Errorf("%v: status bar shows %q (visible %v)", c.state, u.status.disk.Text, u.status.disk.Visible())
		}
	}
}

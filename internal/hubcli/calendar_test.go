package hubcli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestHubCalendarShow: the hub reads the same calendar (shipped year files
// and those beside its database) as the post points.
func TestHubCalendarShow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "hub.db")
	var out, errb bytes.Buffer
	if code := Run([]string{"calendar", "show", "--db", db, "2026"}, &out, &errb); code != 0 {
		t.Fatalf("%d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "year file embedded") || !strings.Contains(out.String(), "27/04/2026  Nghỉ bù Giỗ Tổ Hùng Vương") {
		t.Errorf("hub calendar show 2026:\n%s", out.String())
	}
}

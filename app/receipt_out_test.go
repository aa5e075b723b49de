package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"postdesk/i18n"
	"postdesk/internal/store"
	"postdesk/internal/testtool"
)

// overlayTexts is every label and entry text in the window's dialogs.
func overlayTexts(u *UI) string {
	var b strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Entry:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString("[" + w.Text + "]\n")
		case *deskButton:
			b.WriteString("[" + w.Text + "]\n")
		case *fyne.Container:
			for _, k := range w.Objects {
				walk(k)
			}
			return
		}
		if wid, ok := o.(fyne.Widget); ok {
			for _, k := range test.WidgetRenderer(wid).Objects() {
				walk(k)
			}
		}
	}
	for _, ov := range u.Win.Canvas().Overlays().List() {
		walk(ov)
	}
	return b.String()
}

// savedReceipt takes in a dossier at the counter and returns the path of
// its receipt, as the intake's save does before it sends it to paper.
func savedReceipt(t *testing.T, u *UI) string {
	t.Helper()
	rows, err := u.Store.ListDossiers(context.Background(), store.Filter{}, 0, 1)
	if err != nil || len(rows) == 0 {
		t.Fatalf("no dossier to print: %v", err)
	}
	saved := openInViewer
	openInViewer = func(string) error { return nil }
	path, err := printReceipt(u, rows[0].ID, true)
	openInViewer = saved
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// systemWays puts the system's own viewer and folder opener back for one
// test (TestMain replaces them so other tests open nothing).
func systemWays(t *testing.T) {
	v, f := openInViewer, openFolder
	openInViewer, openFolder = systemOpen, systemOpen
	t.Cleanup(func() { openInViewer, openFolder = v, f })
}

// TestReceiptWithoutViewer: with no xdg-open on the PATH, and with an
// xdg-open that finds no program for PDF files, the clerk is told plainly
// that the receipt could not be opened, sees its path, and is offered the
// folder and direct printing; the status bar says it too.
func TestReceiptWithoutViewer(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	path := savedReceipt(t, u)
	systemWays(t)
	abs, _ := filepath.Abs(path)
	fails := filepath.Join(t.TempDir(), "fails")
	os.MkdirAll(fails, 0o755)
	os.WriteFile(filepath.Join(fails, "xdg-open"), []byte("#!/bin/sh\necho 'xdg-open: no method available for opening' >&2\nexit 3\n"), 0o755)
	os.WriteFile(filepath.Join(fails, "lp"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	for name, dir := range map[string]string{"no xdg-open": t.TempDir(), "xdg-open fails": fails} {
		t.Setenv("PATH", dir)
		for _, ov := range u.Win.Canvas().Overlays().List() {
			u.Win.Canvas().Overlays().Remove(ov)
		}
		u.deliverReceipt(path)
		text := overlayTexts(u)
		for _, want := range []string{i18n.Tf("receipt.out.viewer_failed", map[string]string{"Reason": i18n.T("receipt.out.no_viewer")}),
			abs, "[" + i18n.T("receipt.out.open_folder") + "]"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the dialog does not show %q:\n%s", name, want, text)
			}
		}
		if strings.Contains(text, "["+i18n.T("receipt.out.print_direct")+"]") != (name == "xdg-open fails") {
			t.Errorf("%s: direct printing offered = %v, want it only where lp exists:\n%s", name, !(name == "xdg-open fails"), text)
		}
		if !strings.Contains(u.StatusMessage(), abs) {
			t.Errorf("%s: the status bar does not say where the receipt is: %q", name, u.StatusMessage())
		}
	}
}

// TestReceiptOpensInViewer: a viewer that opens says where the file is.
func TestReceiptOpensInViewer(t *testing.T) {
	u, _ := newTestUI(t, "gdv1")
	path := savedReceipt(t, u)
	systemWays(t)
	dir := t.TempDir()
	log := filepath.Join(dir, "opened")
	os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\necho \"$1\" >"+log+"\n"), 0o755)
	t.Setenv("PATH", dir)
	u.deliverReceipt(path)
	abs, _ := filepath.Abs(path)
	if got, _ := os.ReadFile(log); strings.TrimSpace(string(got)) != abs {
		t.Errorf("xdg-open got %q, want %q", got, abs)
	}
	if len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Error("a dialog opened although the viewer did")
	}
	if !strings.Contains(u.StatusMessage(), abs) {
		t.Errorf("status %q does not name the receipt", u.StatusMessage())
	}
}

// cupsQueue starts a CUPS scheduler of the test's own (a socket in a
// temporary folder, nothing of the system's touched) with one raw queue
// whose backend writes each job to a file, points lp at it (CUPS_SERVER)
// and returns the file a job lands in. It stops the scheduler at the end.
func cupsQueue(t *testing.T, queue string) string {
	t.Helper()
	cupsd, err := exec.LookPath("cupsd")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/cupsd"); e == nil {
			cupsd = "/usr/sbin/cupsd"
		} else {
			cupsd = testtool.Need(t, "cupsd")
		}
	}
	testtool.Need(t, "lp")
	testtool.Need(t, "lpadmin")
	if os.Geteuid() != 0 && !testtool.CI() {
		t.Skip("a private CUPS scheduler needs root here")
	}
	dir := t.TempDir()
	for _, d := range []string{"state", "cache", "spool", "tmp", "out", "serverbin/backend"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"daemon", "notifier", "monitor"} {
		if _, err := os.Stat("/usr/lib/cups/" + d); err == nil {
			os.Symlink("/usr/lib/cups/"+d, filepath.Join(dir, "serverbin", d))
		}
	}
	sock := filepath.Join(dir, "cups.sock")
	write := func(name, text string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("cupsd.conf", "Listen "+sock+"\nLogLevel warn\nDefaultAuthType None\nWebInterface No\n"+
		"<Location />\n  Order allow,deny\n  Allow all\n</Location>\n<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>\n"+
		"<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>\n", 0o644)
	write("cups-files.conf", fmt.Sprintf("ServerRoot %[1]s\nStateDir %[1]s/state\nCacheDir %[1]s/cache\nRequestRoot %[1]s/spool\n"+
		"TempDir %[1]s/tmp\nServerBin %[1]s/serverbin\nDataDir /usr/share/cups\nAccessLog %[1]s/access_log\n"+
		"ErrorLog %[1]s/error_log\nPageLog %[1]s/page_log\n", dir), 0o644)
	// The backend copies the job to the file its URI names, whole or not at all.
	write("serverbin/backend/capture", "#!/bin/sh\n"+
		"if [ $# -eq 0 ]; then echo 'direct capture \"Unknown\" \"File capture\"'; exit 0; fi\n"+
		"out=${DEVICE_URI#capture:}\n"+
		"if [ -n \"$6\" ]; then cat \"$6\" >\"$out.tmp\"; else cat >\"$out.tmp\"; fi\n"+
		"mv \"$out.tmp\" \"$out\"\n", 0o700)
	cmd := exec.Command(cupsd, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &errb, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	t.Setenv("CUPS_SERVER", sock)
	out := filepath.Join(dir, "out", queue+".prn")
	deadline := time.Now().Add(15 * time.Second)
	for {
		o, err := exec.Command("lpadmin", "-p", queue, "-E", "-v", "capture:"+out, "-m", "raw").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			logText, _ := os.ReadFile(filepath.Join(dir, "error_log"))
			t.Fatalf("lpadmin: %v %s\ncupsd: %s\n%s", err, o, errb.String(), logText)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return out
}

// TestReceiptDirectToCUPSPrinter: with a printer chosen in Settings the
// receipt goes straight to it (an 80 mm roll queue here), no viewer; the
// queue receives the PDF itself. The dialog's "print directly" does the
// same when the viewer fails.
func TestReceiptDirectToCUPSPrinter(t *testing.T) {
	out := cupsQueue(t, "roll80")
	u, _ := newTestUI(t, "gdv1")
	u.Settings.ReceiptLayout = "80mm"
	path := savedReceipt(t, u)
	u.Settings.Printer = "roll80"
	viewer := false
	saved := openInViewer
	openInViewer = func(string) error { viewer = true; return nil }
	defer func() { openInViewer = saved }()
	u.deliverReceipt(path)
	if viewer {
		t.Error("the viewer was opened although a printer is set")
	}
	want, _ := os.ReadFile(path)
	var got []byte
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if got, _ = os.ReadFile(out); len(got) > 0 {
			break
		}
	}
	if !bytes.Equal(got, want) || !bytes.HasPrefix(got, []byte("%PDF")) {
		t.Fatalf("the queue received %d bytes, want the receipt's %d", len(got), len(want))
	}
	if len(u.Win.Canvas().Overlays().List()) != 0 {
		t.Errorf("a dialog opened although the receipt printed: %s", overlayTexts(u))
	}
	if msg := u.StatusMessage(); !strings.Contains(msg, "roll80") {
		t.Errorf("status %q does not name the printer", msg)
	}

	// A queue that does not exist: said plainly, with the path.
	u.Settings.Printer = "no-such-queue"
	u.deliverReceipt(path)
	abs, _ := filepath.Abs(path)
	if text := overlayTexts(u); !strings.Contains(text, "no-such-queue") || !strings.Contains(text, abs) {
		t.Errorf("a failed print does not name the printer and the path:\n%s", text)
	}
}

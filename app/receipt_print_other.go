//go:build !windows

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// viewerWait is how long xdg-open is given to say it failed; a viewer that
// is still starting after that is taken as opened.
const viewerWait = 5 * time.Second

// systemOpen opens path (a file or a folder) with xdg-open, the desktop's
// default program, and reports its failure: missing, or no program for
// PDF files (xdg-open's exit status 3 or 4).
func systemOpen(path string) error {
	bin, err := exec.LookPath("xdg-open")
	if err != nil {
		return errNoViewer
	}
	cmd := exec.Command(bin, path)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) && (ee.ExitCode() == 3 || ee.ExitCode() == 4) {
			return errNoViewer
		}
		if msg := strings.TrimSpace(errb.String()); msg != "" {
			return fmt.Errorf("xdg-open: %s", msg)
		}
		return fmt.Errorf("xdg-open: %v", err)
	case <-time.After(viewerWait):
		return nil
	}
}

// systemCanPrint: CUPS's lp is there.
func systemCanPrint() bool {
	_, err := exec.LookPath("lp")
	return err == nil
}

// systemPrint sends path to printer ("" = the default) with CUPS's lp; an
// 80 mm receipt asks for the roll's paper width.
func systemPrint(path, printer, layout string) error {
	args := []string{}
	if printer != "" {
		args = append(args, "-d", printer)
	}
	if layout == "80mm" {
		args = append(args, "-o", "media=Custom.80x200mm", "-o", "fit-to-page")
	}
	args = append(args, "--", path)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "lp", args...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return fmt.Errorf("lp: %s", msg)
	}
	return nil
}

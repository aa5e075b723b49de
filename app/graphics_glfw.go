//go:build !ci

package app

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// probeGraphics opens and closes a hidden OpenGL 2.1 window, as Fyne's
// driver will, and returns the reason when it cannot: no display (Linux
// without DISPLAY), no OpenGL driver, or one older than 2.1 (old Intel
// graphics, a virtual machine without a driver). Left to Fyne, the first
// leaves GLFW uninitialised and the app panics; the others make Fyne log
// and quit, and a double-clicked app just vanishes.
//
// go-gl/glfw only logs GLFW's platform errors (with the standard logger) and
// panics on the next call when Init failed, so the probe catches both.
func probeGraphics() (err error) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer func() {
		log.SetOutput(os.Stderr)
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
		if err != nil {
			if msg := strings.TrimSpace(logged.String()); msg != "" {
				err = errors.New(lastLine(msg)) // GLFW's own reason, e.g. "X11: The DISPLAY environment variable is missing"
			}
		}
	}()
	if err := glfw.Init(); err != nil {
		return err
	}
	defer glfw.Terminate()
	glfw.DefaultWindowHints() // panics when Init failed
	glfw.WindowHint(glfw.Visible, glfw.False)
	glfw.WindowHint(glfw.ContextVersionMajor, 2)
	glfw.WindowHint(glfw.ContextVersionMinor, 1)
	w, err := glfw.CreateWindow(64, 64, "PostDesk", nil, nil)
	if err != nil {
		return err
	}
	w.Destroy()
	glfw.DefaultWindowHints()
	return nil
}

// lastLine is the text of the last log line, without the logger's date.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	l := lines[len(lines)-1]
	if f := strings.SplitN(l, " ", 3); len(f) == 3 && strings.Count(f[0], "/") == 2 {
		return f[2]
	}
	return l
}

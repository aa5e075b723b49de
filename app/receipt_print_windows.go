//go:build windows

package app

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// shellExecute runs a verb of the Windows shell on path (ShellExecuteW):
// "open" opens it with its program, "print" prints it on the default
// printer, "printto" on the named one.
func shellExecute(verb, path, args string) error {
	v, err := windows.UTF16PtrFromString(verb)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	var a *uint16
	if args != "" {
		if a, err = windows.UTF16PtrFromString(args); err != nil {
			return err
		}
	}
	if err := windows.ShellExecute(0, v, p, a, nil, windows.SW_SHOWNORMAL); err != nil {
		if err == windows.ERROR_NO_ASSOCIATION {
			return errNoViewer
		}
		return fmt.Errorf("%s: %v", verb, err)
	}
	return nil
}

// systemOpen opens a file with its program or a folder in Explorer.
func systemOpen(path string) error { return shellExecute("open", path, "") }

// systemCanPrint: the shell's print verb is always there (it fails, and
// says so, when no program can print PDF files).
func systemCanPrint() bool { return true }

// systemPrint prints path with the "print" verb (the default printer) or
// "printto" with the printer's name; the layout is the PDF's own page.
func systemPrint(path, printer, _ string) error {
	if printer == "" {
		return shellExecute("print", path, "")
	}
	return shellExecute("printto", path, `"`+printer+`"`)
}

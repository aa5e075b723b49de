package platform

import (
	"os"
	"syscall"
	"unsafe"
)

var (
	user32            = syscall.NewLazyDLL("user32.dll")
	kernel32          = syscall.NewLazyDLL("kernel32.dll")
	shell32           = syscall.NewLazyDLL("shell32.dll")
	procMessageBox    = user32.NewProc("MessageBoxW")
	procAttachConsole = kernel32.NewProc("AttachConsole")
)

const (
	mbIconError         = 0x10
	mbSetForeground     = 0x10000
	attachParentProcess = ^uintptr(0) // (DWORD)-1
)

func messageBox(title, msg string) {
	t, _ := syscall.UTF16PtrFromString(title)
	m, _ := syscall.UTF16PtrFromString(msg)
	procMessageBox.Call(0, uintptr(unsafe.Pointer(m)), uintptr(unsafe.Pointer(t)), mbIconError|mbSetForeground)
}

// AttachConsole gives the command line somewhere to print. postdesk.exe is
// a GUI-subsystem program (so a double-click opens no black window), and
// such a program starts without standard handles when run from cmd.exe or
// PowerShell. When they are missing it attaches to the console of the
// process that started it and writes there. Handles that are already set —
// output redirected to a file or a pipe, or Wine run from a terminal — are
// kept.
func AttachConsole() {
	if validHandle(os.Stdout) && validHandle(os.Stderr) {
		return
	}
	if r, _, _ := procAttachConsole.Call(attachParentProcess); r == 0 {
		return // started without a console (Explorer): nothing to print to
	}
	if !validHandle(os.Stdout) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stdout = f
		}
	}
	if !validHandle(os.Stderr) {
		if f, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
			os.Stderr = f
		}
	}
	if !validHandle(os.Stdin) {
		if f, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
			os.Stdin = f
		}
	}
}

func validHandle(f *os.File) bool {
	if f == nil {
		return false
	}
	h := syscall.Handle(f.Fd())
	if h == syscall.InvalidHandle || h == 0 {
		return false
	}
	_, err := syscall.GetFileType(h)
	return err == nil
}

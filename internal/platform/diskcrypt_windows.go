package platform

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// diskEncryption asks the Windows shell for the volume's BitLocker
// protection (System.Volume.BitLockerProtection: 1 on, 2 off, 3 encrypting,
// 5 suspended…), which needs no administrator rights, unlike manage-bde
// and WMI's Win32_EncryptableVolume.
func diskEncryption(path string) (DiskState, string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return DiskUnknown, err.Error()
	}
	vol := filepath.VolumeName(abs)
	if len(vol) != 2 || vol[1] != ':' {
		return DiskUnknown, "not on a lettered drive: " + vol
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	script := "(New-Object -ComObject Shell.Application).NameSpace('" + vol + "').Self.ExtendedProperty('System.Volume.BitLockerProtection')"
	cmd := exec.CommandContext(ctx, "powershell.exe", "-NoProfile", "-NonInteractive", "-Command", script)
	// No console window: it would flash on screen and take the keyboard from the sign-in.
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: 0x08000000} // CREATE_NO_WINDOW
	out, err := cmd.Output()
	if err != nil {
		return DiskUnknown, "powershell: " + err.Error()
	}
	switch v := strings.TrimSpace(string(out)); v {
	case "1", "3":
		return DiskEncrypted, vol + " BitLocker protection " + v
	case "2", "0", "":
		return DiskPlain, vol + " BitLocker protection " + v + " (off)"
	default:
		return DiskUnknown, vol + " BitLocker protection " + v
	}
}

package platform

import (
	"os/exec"
	"strings"
)

// diskEncryption asks fdesetup whether FileVault is on (the system volume).
func diskEncryption(string) (DiskState, string) {
	out, err := exec.Command("fdesetup", "status").Output()
	if err != nil {
		return DiskUnknown, "fdesetup: " + err.Error()
	}
	s := strings.TrimSpace(string(out))
	switch {
	case strings.Contains(s, "FileVault is On"):
		return DiskEncrypted, s
	case strings.Contains(s, "FileVault is Off"):
		return DiskPlain, s
	}
	return DiskUnknown, s
}

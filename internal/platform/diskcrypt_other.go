//go:build !linux && !windows && !darwin

package platform

func diskEncryption(string) (DiskState, string) { return DiskUnknown, "no check on this system" }

package platform

// DiskState is whether the disk that holds a file is encrypted by the
// operating system (BitLocker, LUKS/dm-crypt, FileVault).
type DiskState int

const (
	DiskUnknown   DiskState = iota // could not tell (no tool, not a plain disk, not allowed)
	DiskEncrypted                  // the file's volume is encrypted
	DiskPlain                      // the file's volume is not encrypted
)

// DiskEncryption reports whether the volume holding path is encrypted, and
// how it was told (the device, the tool's answer) for the log.
func DiskEncryption(path string) (DiskState, string) { return diskEncryption(path) }

package platform

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// sysBlock is where the kernel lists block devices by number (tests replace it).
var sysBlock = "/sys/dev/block"

// diskEncryption follows the file's device (st_dev) through /sys: a
// device-mapper device whose dm/uuid starts "CRYPT-" is dm-crypt (LUKS);
// the device itself or any device under it (LVM on LUKS) counts.
func diskEncryption(path string) (DiskState, string) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return DiskUnknown, err.Error()
	}
	major, minor := unixMajor(st.Dev), unixMinor(st.Dev)
	if major == 0 { // tmpfs, overlay, btrfs subvolumes: no block device to look at
		return DiskUnknown, fmt.Sprintf("device %d:%d is not a block device", major, minor)
	}
	return cryptChain(filepath.Join(sysBlock, fmt.Sprintf("%d:%d", major, minor)), 0)
}

func cryptChain(dev string, depth int) (DiskState, string) {
	real, err := filepath.EvalSymlinks(dev)
	if err != nil {
		return DiskUnknown, err.Error()
	}
	if uuid, err := os.ReadFile(filepath.Join(real, "dm", "uuid")); err == nil && strings.HasPrefix(string(uuid), "CRYPT-") {
		return DiskEncrypted, filepath.Base(real) + " is dm-crypt (" + strings.TrimSpace(string(uuid)) + ")"
	}
	// A partition's holder is its disk; look under the device (slaves).
	slaves, _ := os.ReadDir(filepath.Join(real, "slaves"))
	for _, s := range slaves {
		if depth > 8 {
			break
		}
		if state, how := cryptChain(filepath.Join(real, "slaves", s.Name()), depth+1); state == DiskEncrypted {
			return state, how
		}
	}
	return DiskPlain, filepath.Base(real) + " is not on a dm-crypt device"
}

func unixMajor(dev uint64) uint32 { return uint32((dev>>8)&0xfff) | uint32((dev>>32)&^0xfff) }
func unixMinor(dev uint64) uint32 { return uint32(dev&0xff) | uint32((dev>>12)&^0xff) }

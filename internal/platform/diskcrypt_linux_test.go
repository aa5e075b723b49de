package platform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeSys builds /sys/dev/block-like links to devices with dm/uuid files.
func fakeSys(t *testing.T, devs map[string]string, slaves map[string][]string) string {
	t.Helper()
	root := t.TempDir()
	byNum := filepath.Join(root, "dev", "block")
	os.MkdirAll(byNum, 0o755)
	for name, uuid := range devs {
		dir := filepath.Join(root, "devices", name)
		os.MkdirAll(filepath.Join(dir, "slaves"), 0o755)
		if uuid != "" {
			os.MkdirAll(filepath.Join(dir, "dm"), 0o755)
			os.WriteFile(filepath.Join(dir, "dm", "uuid"), []byte(uuid+"\n"), 0o644)
		}
		os.Symlink(dir, filepath.Join(byNum, name))
	}
	for name, under := range slaves {
		for _, s := range under {
			os.Symlink(filepath.Join(root, "devices", s), filepath.Join(root, "devices", name, "slaves", s))
		}
	}
	return byNum
}

func TestCryptChain(t *testing.T) {
	sys := fakeSys(t, map[string]string{
		"vda1": "", "dm-0": "CRYPT-LUKS2-0123abcd-luks", "dm-1": "LVM-abc", "dm-2": "LVM-plain", "vdb1": "",
	}, map[string][]string{"dm-0": {"vda1"}, "dm-1": {"dm-0"}, "dm-2": {"vdb1"}})
	for dev, want := range map[string]DiskState{
		"dm-0": DiskEncrypted, // LUKS straight under the filesystem
		"dm-1": DiskEncrypted, // LVM on LUKS
		"dm-2": DiskPlain,     // LVM on a plain partition
		"vda1": DiskPlain,
	} {
		got, how := cryptChain(filepath.Join(sys, dev), 0)
		if got != want {
			t.Errorf("%s: %v (%s), want %v", dev, got, how, want)
		}
	}
	if got, _ := cryptChain(filepath.Join(sys, "missing"), 0); got != DiskUnknown {
		t.Errorf("a missing device: %v", got)
	}
}

// TestDiskEncryptionHere runs the real check on this machine's temp folder:
// it must give an answer with its reason (CI's disk is not encrypted).
func TestDiskEncryptionHere(t *testing.T) {
	state, how := DiskEncryption(t.TempDir())
	if how == "" {
		t.Fatal("no reason given")
	}
	if state == DiskEncrypted && !strings.Contains(how, "CRYPT-") {
		t.Fatalf("encrypted without a dm-crypt device: %s", how)
	}
	t.Logf("%v: %s", state, how)
}

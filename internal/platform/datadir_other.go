//go:build !windows

package platform

import (
	"os"
	"path/filepath"
)

func defaultDataDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "postdesk")
}

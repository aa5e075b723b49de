package platform

import (
	"os"
	"path/filepath"
)

func defaultDataDir() string {
	dir := os.Getenv("PROGRAMDATA")
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "PostDesk")
}

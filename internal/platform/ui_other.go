//go:build !windows

package platform

func messageBox(title, msg string) {}

// AttachConsole does nothing outside Windows: the terminal is there.
func AttachConsole() {}

// Package initlog holds back what the standard logger writes while the
// program's packages initialise, so a command-line run prints only its own
// output.
//
// Fyne's lang package parses the system locale in its init function and
// logs three "Fyne error … parsing user locale C" lines when LANG is
// C.UTF-8 or unset, the default on Debian servers and containers. Nothing
// in package main runs before that init, so this package lives in a module
// of its own whose path ("boot.postdesk.local/…") sorts before "fyne.io":
// Go initialises packages in import-path order among those whose imports
// are ready (the language specification, "Package initialization"), and
// this one needs only the standard logger, which every Fyne package needs
// too. It is required by postdesk's go.mod with a replace directive
// pointing at this folder.
package initlog

import (
	"log"
	"os"
	"sync"
)

type held struct {
	mu   sync.Mutex
	data []byte
}

func (h *held) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.data = append(h.data, p...)
	return len(p), nil
}

var during held

func init() { log.SetOutput(&during) }

// Release gives the standard logger back to standard error. With replay,
// whatever was logged during initialisation is written there first (the
// desktop app keeps the toolkit's messages); without it, it is dropped (a
// command prints only its own output). It returns what was held.
func Release(replay bool) []byte {
	during.mu.Lock()
	out := during.data
	during.data = nil
	during.mu.Unlock()
	if replay && len(out) > 0 {
		os.Stderr.Write(out)
	}
	log.SetOutput(os.Stderr)
	return out
}

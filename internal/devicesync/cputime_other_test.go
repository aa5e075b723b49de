//go:build !unix

package devicesync

import (
	"testing"
	"time"
)

// cpuTime is not measured here: the benchmark reports 0 CPU seconds.
func cpuTime(*testing.B) time.Duration { return 0 }

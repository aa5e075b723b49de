//go:build !unix

package hubstore_test

import "time"

// cpuTime is not read here (the benchmark reports 0 CPU).
func cpuTime() time.Duration { return 0 }

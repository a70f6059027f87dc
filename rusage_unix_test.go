//go:build unix

package tago

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used, for
// benchmarks that report CPU per operation: on a machine shared with other work it
// varies far less than wall-clock throughput.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

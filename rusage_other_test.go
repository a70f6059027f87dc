//go:build !unix

package tago

import "time"

// processCPU is not available here: benchmarks report no CPU per operation.
func processCPU() (time.Duration, bool) { return 0, false }

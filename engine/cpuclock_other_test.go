//go:build !linux

package engine

import "time"

// threadCPUTime is only available on Linux; see cpuclock_linux_test.go.
func threadCPUTime() (time.Duration, bool) { return 0, false }

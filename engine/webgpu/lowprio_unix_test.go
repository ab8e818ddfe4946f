//go:build unix

package webgpu

import "syscall"

// lowerPriority renices the browser's process group (the browser and the
// GPU process that runs SwiftShader; later children inherit it), so the
// timing-sensitive browser tests of packages go test runs in parallel keep
// the CPU first. Failure is harmless and ignored.
func lowerPriority(pid int) {
	if pgid, err := syscall.Getpgid(pid); err == nil {
		syscall.Setpriority(syscall.PRIO_PGRP, pgid, 10)
	}
}

//go:build !linux

package main

import "time"

// threadCPUClock is only available on Linux; see cpuclock_linux.go.
type threadCPUClock struct{}

func (threadCPUClock) Now() time.Duration { panic("helpwasm: no thread CPU clock on this system") }

func cpuClock() (threadCPUClock, bool) { return threadCPUClock{}, false }

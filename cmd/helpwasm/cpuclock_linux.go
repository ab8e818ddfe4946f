package main

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPUClock reads the calling thread's CPU time
// (CLOCK_THREAD_CPUTIME_ID). Unlike the wall clock it does not advance
// while the thread waits for a core, so timings taken on a busy machine
// stay close to what an idle one would measure. The caller must keep the
// goroutine on one thread (runtime.LockOSThread) between readings.
type threadCPUClock struct{}

const clockThreadCPUTimeID = 3 // linux/time.h

func (threadCPUClock) Now() time.Duration {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		panic("clock_gettime(CLOCK_THREAD_CPUTIME_ID): " + errno.Error())
	}
	return time.Duration(ts.Nano())
}

// cpuClock returns the thread CPU-time clock if this system has one.
func cpuClock() (threadCPUClock, bool) {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return threadCPUClock{}, errno == 0
}

package engine

import (
	"syscall"
	"time"
	"unsafe"
)

// clockThreadCPUTimeID is CLOCK_THREAD_CPUTIME_ID from linux/time.h.
const clockThreadCPUTimeID = 3

// threadCPUTime returns the calling thread's CPU time. Unlike the wall clock
// it does not advance while the thread waits for a core, so benchmarks on a
// loaded machine stay close to what an idle one measures. Callers lock the
// goroutine to its thread between readings.
func threadCPUTime() (time.Duration, bool) {
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano()), errno == 0
}

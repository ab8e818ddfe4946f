//go:build !linux && !(js && wasm)

package engine

import "time"

// threadCPUTime is only available on Linux and under Node; see
// cpuclock_linux_test.go and cpuclock_js_test.go.
func threadCPUTime() (time.Duration, bool) { return 0, false }

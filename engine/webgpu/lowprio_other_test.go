//go:build !unix && !js

package webgpu

// lowerPriority does nothing where there is no process-group priority.
func lowerPriority(pid int) {}

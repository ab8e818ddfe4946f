package webgpu

import "errors"

// AdapterInfo is what the adapter says about itself (GPUAdapterInfo); any
// field may be empty, browsers withhold some.
type AdapterInfo struct {
	Vendor       string `json:"vendor"`
	Architecture string `json:"architecture"`
	Device       string `json:"device"`
	Description  string `json:"description"`
}

// Why Open can fail, for the page to say so (errors.Is). Open wraps them
// with the browser's own message where there is one.
var (
	// ErrNoWebGPU: navigator.gpu is undefined (the browser has no WebGPU,
	// it is switched off, or the page is not a secure context).
	ErrNoWebGPU = errors.New("webgpu: this browser does not offer WebGPU (navigator.gpu is undefined)")
	// ErrNoAdapter: requestAdapter resolved to null (no usable GPU, or the
	// browser blocks it).
	ErrNoAdapter = errors.New("webgpu: the browser offers WebGPU but no GPU adapter (requestAdapter returned null)")
	// ErrDevice: the adapter refused a device.
	ErrDevice = errors.New("webgpu: the GPU adapter refused a device (requestDevice failed)")
)

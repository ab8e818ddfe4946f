//go:build js && wasm

package webgpu

import (
	"errors"
	"fmt"
	"sync"
	"syscall/js"
	"unsafe"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// GPUBufferUsage and GPUMapMode flags (WebGPU spec constants).
const (
	usageMapRead  = 0x0001
	usageCopySrc  = 0x0004
	usageCopyDst  = 0x0008
	usageUniform  = 0x0040
	usageStorage  = 0x0080
	mapModeRead   = 0x0001
	uniformAlignB = 16
)

// Device is one GPUDevice with its queue. It caches compiled pipelines by
// WGSL text, so networks built after the first reuse them. Its methods may
// be called from several goroutines, but never from a js.FuncOf callback
// (see the package comment).
type Device struct {
	adapter, device, queue js.Value
	info                   AdapterInfo

	mu    sync.Mutex
	pipes map[string]js.Value // WGSL → GPUComputePipeline
	lost  string              // device.lost's message, once lost
}

// await blocks until p settles and returns its value or its rejection as
// an error. It must not run on a js.FuncOf callback's goroutine: the
// callback holds the event loop, so p could never settle.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	then := js.FuncOf(func(_ js.Value, args []js.Value) any {
		v := js.Undefined()
		if len(args) > 0 {
			v = args[0]
		}
		ch <- result{v: v}
		return nil
	})
	catch := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "promise rejected"
		if len(args) > 0 {
			msg = jsMessage(args[0])
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	p.Call("then", then, catch)
	r := <-ch
	then.Release()
	catch.Release()
	return r.v, r.err
}

// jsMessage is an Error's message, or the value as a string.
func jsMessage(v js.Value) string {
	if v.Type() == js.TypeObject {
		if m := v.Get("message"); m.Type() == js.TypeString && m.String() != "" {
			return m.String()
		}
	}
	return v.Call("toString").String()
}

// Open requests a GPU adapter and device. The error says why not:
// ErrNoWebGPU, ErrNoAdapter or ErrDevice (errors.Is), with the browser's
// message where it gave one.
func Open() (*Device, error) {
	gpu := js.Global().Get("navigator").Get("gpu")
	if gpu.IsUndefined() || gpu.IsNull() {
		return nil, ErrNoWebGPU
	}
	adapter, err := await(gpu.Call("requestAdapter"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoAdapter, err)
	}
	if adapter.IsNull() || adapter.IsUndefined() {
		return nil, ErrNoAdapter
	}
	device, err := await(adapter.Call("requestDevice"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrDevice, err)
	}
	d := &Device{adapter: adapter, device: device, queue: device.Get("queue"), pipes: map[string]js.Value{}}
	info := adapter.Get("info")
	if info.IsUndefined() && adapter.Get("requestAdapterInfo").Type() == js.TypeFunction {
		// Browsers before GPUAdapter.info (Chrome < 127) had a promise.
		if v, err := await(adapter.Call("requestAdapterInfo")); err == nil {
			info = v
		}
	}
	if info.Type() == js.TypeObject {
		str := func(k string) string {
			if v := info.Get(k); v.Type() == js.TypeString {
				return v.String()
			}
			return ""
		}
		d.info = AdapterInfo{Vendor: str("vendor"), Architecture: str("architecture"), Device: str("device"), Description: str("description")}
	}
	var onLost js.Func
	onLost = js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "device lost"
		if len(args) > 0 {
			msg = "device lost: " + jsMessage(args[0])
		}
		d.mu.Lock()
		d.lost = msg
		d.mu.Unlock()
		onLost.Release()
		return nil
	})
	device.Get("lost").Call("then", onLost)
	return d, nil
}

// Info is the adapter's description of itself.
func (d *Device) Info() AdapterInfo { return d.info }

// Lost is the device-lost message, or "" while the device works.
func (d *Device) Lost() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lost
}

// Close destroys the device; its nets stop working.
func (d *Device) Close() { d.device.Call("destroy") }

// pipeline compiles k once per device.
func (d *Device) pipeline(k *Kernel) (js.Value, error) {
	d.mu.Lock()
	p, ok := d.pipes[k.WGSL]
	d.mu.Unlock()
	if ok {
		return p, nil
	}
	mod := d.device.Call("createShaderModule", map[string]any{"label": k.Name, "code": k.WGSL})
	if ci, err := await(mod.Call("getCompilationInfo")); err == nil {
		msgs := ci.Get("messages")
		for i := 0; i < msgs.Length(); i++ {
			m := msgs.Index(i)
			if m.Get("type").String() == "error" {
				return js.Value{}, fmt.Errorf("webgpu: kernel %s: WGSL line %d: %s", k.Name, m.Get("lineNum").Int(), m.Get("message").String())
			}
		}
	}
	p, err := await(d.device.Call("createComputePipelineAsync", map[string]any{
		"label":   k.Name,
		"layout":  "auto",
		"compute": map[string]any{"module": mod, "entryPoint": "main"},
	}))
	if err != nil {
		return js.Value{}, fmt.Errorf("webgpu: kernel %s: pipeline: %w", k.Name, err)
	}
	d.mu.Lock()
	d.pipes[k.WGSL] = p
	d.mu.Unlock()
	return p, nil
}

// Net is one plan on the device: every buffer, pipeline and bind group
// created once. It implements engine.Net. Not safe for concurrent use.
type Net struct {
	dev    *Device
	plan   *Plan
	bufs   []js.Value
	pipes  []js.Value // per plan kernel
	groups []js.Value // per dispatch

	input   []float32
	inBytes []byte   // input's bytes (same memory)
	inJS    js.Value // Uint8Array the input is copied through
	out     []float32
	staging js.Value // MAP_READ buffer for the output
	err     error
}

// NewNASBench201 builds arch's network with weights from seed (the
// function engine.New(arch, seed) computes) on the device.
func (d *Device) NewNASBench201(a nasbench201.Arch, seed uint64) (*Net, error) {
	p, err := BuildNASBench201(a, seed)
	if err != nil {
		return nil, err
	}
	return d.NewPlan(p)
}

// floatBytes views v's memory as bytes (for copies to JavaScript).
func floatBytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

func wordBytes(v []uint32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// NewPlan validates p and creates it on the device: buffers (weights and
// uniforms uploaded, activations zeroed or set from their Floats),
// pipelines (cached per device) and one bind group per dispatch.
func (d *Device) NewPlan(p *Plan) (*Net, error) {
	if err := Validate(p); err != nil {
		return nil, err
	}
	if l := d.Lost(); l != "" {
		return nil, errors.New("webgpu: " + l)
	}
	n := &Net{dev: d, plan: p}
	d.device.Call("pushErrorScope", "validation")
	d.device.Call("pushErrorScope", "out-of-memory")
	u8 := js.Global().Get("Uint8Array")
	upload := func(buf js.Value, b []byte) {
		a := u8.New(len(b))
		js.CopyBytesToJS(a, b)
		d.queue.Call("writeBuffer", buf, 0, a)
	}
	for i := range p.Buffers {
		b := &p.Buffers[i]
		size, usage := b.Bytes(), usageStorage|usageCopyDst|usageCopySrc
		if b.Kind == Uniform {
			size, usage = (size+uniformAlignB-1)/uniformAlignB*uniformAlignB, usageUniform|usageCopyDst
		}
		buf := d.device.Call("createBuffer", map[string]any{"label": b.Name, "size": size, "usage": usage})
		n.bufs = append(n.bufs, buf)
		switch {
		case len(b.Words) > 0:
			upload(buf, wordBytes(b.Words))
		case len(b.Floats) > 0:
			upload(buf, floatBytes(b.Floats))
		}
	}
	fail := func(err error) (*Net, error) {
		d.device.Call("popErrorScope")
		d.device.Call("popErrorScope")
		n.Close()
		return nil, err
	}
	for i := range p.Kernels {
		pipe, err := d.pipeline(&p.Kernels[i])
		if err != nil {
			return fail(err)
		}
		n.pipes = append(n.pipes, pipe)
	}
	for i, disp := range p.Dispatches {
		entries := make([]any, len(disp.Buffers))
		for j, bi := range disp.Buffers {
			entries[j] = map[string]any{"binding": j, "resource": map[string]any{"buffer": n.bufs[bi]}}
		}
		n.groups = append(n.groups, d.device.Call("createBindGroup", map[string]any{
			"label":   fmt.Sprintf("dispatch %d", i),
			"layout":  n.pipes[disp.Kernel].Call("getBindGroupLayout", 0),
			"entries": entries,
		}))
	}
	outBytes := p.Buffers[p.Output].Bytes()
	n.staging = d.device.Call("createBuffer", map[string]any{"label": "readback", "size": outBytes, "usage": usageMapRead | usageCopyDst})
	for _, scope := range []string{"out-of-memory", "validation"} {
		e, err := await(d.device.Call("popErrorScope"))
		if err == nil && !e.IsNull() && !e.IsUndefined() {
			err = fmt.Errorf("webgpu: creating the plan: %s error: %s", scope, jsMessage(e))
		}
		if err != nil {
			if scope == "out-of-memory" {
				await(d.device.Call("popErrorScope"))
			}
			n.Close()
			return nil, err
		}
	}
	n.input = make([]float32, p.Buffers[p.Input].Len)
	copy(n.input, p.Buffers[p.Input].Floats)
	n.inBytes = floatBytes(n.input)
	n.inJS = u8.New(len(n.inBytes))
	n.out = make([]float32, p.Buffers[p.Output].Len)
	return n, nil
}

// Plan is the net's plan.
func (n *Net) Plan() *Plan { return n.plan }

// Input is the input buffer (CHW); Forward uploads it, so callers may
// overwrite it between forwards.
func (n *Net) Input() []float32 { return n.input }

// MACs counts one forward's multiply-accumulates as engine.Network does.
func (n *Net) MACs() int64 { return n.plan.MACs }

// Err is the first error a Forward met (engine.Net's Forward returns
// none), or nil.
func (n *Net) Err() error { return n.err }

// Forward uploads Input, encodes every dispatch in one compute pass of one
// command buffer, submits it and blocks until queue.onSubmittedWorkDone
// resolves. It does not read the result back (ReadOutput does). An error
// is kept for Err.
func (n *Net) Forward() {
	if err := n.forward(); err != nil && n.err == nil {
		n.err = err
	}
}

func (n *Net) forward() error {
	d := n.dev
	js.CopyBytesToJS(n.inJS, n.inBytes)
	d.queue.Call("writeBuffer", n.bufs[n.plan.Input], 0, n.inJS)
	enc := d.device.Call("createCommandEncoder")
	pass := enc.Call("beginComputePass")
	last := -1
	for i := range n.plan.Dispatches {
		disp := &n.plan.Dispatches[i]
		if disp.Kernel != last {
			pass.Call("setPipeline", n.pipes[disp.Kernel])
			last = disp.Kernel
		}
		pass.Call("setBindGroup", 0, n.groups[i])
		pass.Call("dispatchWorkgroups", disp.Groups[0], disp.Groups[1], disp.Groups[2])
	}
	pass.Call("end")
	d.queue.Call("submit", []any{enc.Call("finish")})
	if _, err := await(d.queue.Call("onSubmittedWorkDone")); err != nil {
		return fmt.Errorf("webgpu: forward: %w", err)
	}
	if l := d.Lost(); l != "" {
		return errors.New("webgpu: forward: " + l)
	}
	return nil
}

// ReadOutput copies the output buffer (the logits) to the CPU after the
// work submitted so far, blocking until it is mapped. The slice is the
// Net's and is overwritten by the next read.
func (n *Net) ReadOutput() ([]float32, error) {
	d := n.dev
	enc := d.device.Call("createCommandEncoder")
	enc.Call("copyBufferToBuffer", n.bufs[n.plan.Output], 0, n.staging, 0, 4*len(n.out))
	d.queue.Call("submit", []any{enc.Call("finish")})
	if _, err := await(n.staging.Call("mapAsync", mapModeRead)); err != nil {
		return nil, fmt.Errorf("webgpu: reading the output: %w", err)
	}
	r := js.Global().Get("Uint8Array").New(n.staging.Call("getMappedRange"))
	js.CopyBytesToGo(floatBytes(n.out), r)
	n.staging.Call("unmap")
	return n.out, nil
}

// Output reads the logits back (ReadOutput) and returns them; on a failed
// read it keeps the error for Err and returns the previous values. Keep it
// out of timed loops: it waits for a GPU-to-CPU copy.
func (n *Net) Output() []float32 {
	v, err := n.ReadOutput()
	if err != nil {
		if n.err == nil {
			n.err = err
		}
		return n.out
	}
	return v
}

// Close destroys the net's buffers. Pipelines stay cached on the device.
func (n *Net) Close() {
	for _, b := range n.bufs {
		b.Call("destroy")
	}
	n.bufs = nil
	if !n.staging.IsUndefined() {
		n.staging.Call("destroy")
	}
}

// RunCheck runs one kernel check on the device and returns the GPU's
// output, to compare with c.Want.
func (d *Device) RunCheck(c Check) ([]float32, error) {
	n, err := d.NewPlan(c.Plan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	defer n.Close()
	n.Forward()
	if n.err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, n.err)
	}
	out, err := n.ReadOutput()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	return append([]float32(nil), out...), nil
}

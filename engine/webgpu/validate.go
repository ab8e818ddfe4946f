package webgpu

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// WebGPU's default limits, which every adapter offers.
const (
	maxWorkgroupStorage   = 16384 // maxComputeWorkgroupStorageSize, bytes
	maxInvocations        = 256   // maxComputeInvocationsPerWorkgroup
	maxWorkgroupsPerDim   = 65535 // maxComputeWorkgroupsPerDimension
	maxWorkgroupSizeX     = 256   // maxComputeWorkgroupSizeX
	maxStorageBindingSize = 128 << 20
)

var (
	bindingRE   = regexp.MustCompile(`@group\(0\)\s*@binding\((\d+)\)\s*var<([a-z_, ]+)>\s*(\w+)\s*:`)
	workgroupRE = regexp.MustCompile(`@workgroup_size\(([^)]*)\)`)
	wgVarRE     = regexp.MustCompile(`var<workgroup>\s*\w+\s*:\s*array<f32,\s*(\d+)>`)
)

// CheckWGSL checks what can be checked of a kernel's WGSL without a GPU:
// one compute entry point main, balanced brackets, the declared bindings
// equal to k.Bindings (number, order, access), @workgroup_size equal to
// k.Workgroup and within WebGPU's default limits, and workgroup memory
// within 16 KiB.
func CheckWGSL(k *Kernel) error {
	src := k.WGSL
	if n := strings.Count(src, "@compute"); n != 1 {
		return fmt.Errorf("webgpu: kernel %s: %d @compute entry points, want 1", k.Name, n)
	}
	if !strings.Contains(src, "fn main(") {
		return fmt.Errorf("webgpu: kernel %s: no fn main", k.Name)
	}
	for _, pair := range []string{"()", "{}", "[]"} {
		if a, b := strings.Count(src, pair[:1]), strings.Count(src, pair[1:]); a != b {
			return fmt.Errorf("webgpu: kernel %s: %d %q but %d %q", k.Name, a, pair[:1], b, pair[1:])
		}
	}
	decls := bindingRE.FindAllStringSubmatch(src, -1)
	if len(decls) != len(k.Bindings) {
		return fmt.Errorf("webgpu: kernel %s: WGSL declares %d bindings, the kernel lists %d", k.Name, len(decls), len(k.Bindings))
	}
	for i, d := range decls {
		want := k.Bindings[i]
		if d[1] != strconv.Itoa(i) || d[3] != want.Name {
			return fmt.Errorf("webgpu: kernel %s: binding %d is %s %s in WGSL, want %s", k.Name, i, d[1], d[3], want.Name)
		}
		space := map[Access]string{Read: "storage, read", ReadWrite: "storage, read_write", UniformIn: "uniform"}[want.Access]
		if d[2] != space {
			return fmt.Errorf("webgpu: kernel %s: binding %d (%s) is var<%s>, want var<%s>", k.Name, i, want.Name, d[2], space)
		}
		// A binding the entry point never uses is dropped from the
		// automatic layout, and the bind group would then not match it.
		if strings.Count(src, want.Name) < 2 {
			return fmt.Errorf("webgpu: kernel %s: binding %s is declared but not used", k.Name, want.Name)
		}
	}
	wg := workgroupRE.FindStringSubmatch(src)
	if wg == nil {
		return fmt.Errorf("webgpu: kernel %s: no @workgroup_size", k.Name)
	}
	size := [3]int{1, 1, 1}
	for i, f := range strings.Split(wg[1], ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || i > 2 {
			return fmt.Errorf("webgpu: kernel %s: @workgroup_size(%s) is not 1-3 integers", k.Name, wg[1])
		}
		size[i] = v
	}
	if size != k.Workgroup {
		return fmt.Errorf("webgpu: kernel %s: @workgroup_size %v, the kernel says %v", k.Name, size, k.Workgroup)
	}
	if n := size[0] * size[1] * size[2]; n > maxInvocations || size[0] > maxWorkgroupSizeX || n < 1 {
		return fmt.Errorf("webgpu: kernel %s: workgroup %v outside WebGPU's default limits", k.Name, size)
	}
	shared := 0
	for _, m := range wgVarRE.FindAllStringSubmatch(src, -1) {
		n, _ := strconv.Atoi(m[1])
		shared += 4 * n
	}
	if shared > maxWorkgroupStorage {
		return fmt.Errorf("webgpu: kernel %s: %d bytes of workgroup memory, over %d", k.Name, shared, maxWorkgroupStorage)
	}
	return nil
}

// Validate checks a plan's invariants: every kernel's WGSL (CheckWGSL),
// every dispatch's buffers against its kernel's bindings (count, kind, no
// buffer both written and bound again), buffer sizes against the shapes in
// the uniform words, and that the workgroup counts cover every output
// element within WebGPU's limits.
func Validate(p *Plan) error {
	var errs []error
	for i := range p.Kernels {
		if err := CheckWGSL(&p.Kernels[i]); err != nil {
			errs = append(errs, err)
		}
	}
	for i := range p.Buffers {
		b := &p.Buffers[i]
		if b.Len <= 0 || len(b.Floats) > b.Len || len(b.Words) > b.Len || b.Bytes() > maxStorageBindingSize {
			errs = append(errs, fmt.Errorf("webgpu: buffer %d (%s): length %d with %d floats, %d words", i, b.Name, b.Len, len(b.Floats), len(b.Words)))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for i := range p.Dispatches {
		if err := validateDispatch(p, &p.Dispatches[i]); err != nil {
			errs = append(errs, fmt.Errorf("webgpu: dispatch %d: %w", i, err))
		}
	}
	for _, b := range []int{p.Input, p.Output} {
		if b < 0 || b >= len(p.Buffers) || p.Buffers[b].Kind != Activation {
			errs = append(errs, fmt.Errorf("webgpu: input or output buffer %d is not an activation", b))
		}
	}
	return errors.Join(errs...)
}

func validateDispatch(p *Plan, d *Dispatch) error {
	if d.Kernel < 0 || d.Kernel >= len(p.Kernels) {
		return fmt.Errorf("kernel %d of %d", d.Kernel, len(p.Kernels))
	}
	k := &p.Kernels[d.Kernel]
	if len(d.Buffers) != len(k.Bindings) {
		return fmt.Errorf("%s: %d buffers for %d bindings", k.Name, len(d.Buffers), len(k.Bindings))
	}
	lens := make([]int, len(d.Buffers))
	seen := map[int]Access{}
	for i, bi := range d.Buffers {
		if bi < 0 || bi >= len(p.Buffers) {
			return fmt.Errorf("%s: binding %d: buffer %d of %d", k.Name, i, bi, len(p.Buffers))
		}
		b := &p.Buffers[bi]
		acc := k.Bindings[i].Access
		ok := acc == UniformIn && b.Kind == Uniform || acc == Read && b.Kind != Uniform || acc == ReadWrite && b.Kind == Activation
		if !ok {
			return fmt.Errorf("%s: binding %d (%s) is buffer %s of kind %d", k.Name, i, k.Bindings[i].Name, b.Name, b.Kind)
		}
		if prev, dup := seen[bi]; dup && (prev == ReadWrite || acc == ReadWrite) {
			return fmt.Errorf("%s: buffer %s is bound twice and written", k.Name, b.Name)
		}
		seen[bi] = acc
		lens[i] = b.Len
		if k.Bindings[i].Vec4 && b.Len%4 != 0 {
			return fmt.Errorf("%s: binding %d (%s) is vec4 but buffer %s has %d elements", k.Name, i, k.Bindings[i].Name, b.Name, b.Len)
		}
	}
	for i, g := range d.Groups {
		if g < 1 || g > maxWorkgroupsPerDim {
			return fmt.Errorf("%s: %d workgroups in dimension %d", k.Name, g, i)
		}
	}
	u := p.Buffers[d.Buffers[len(d.Buffers)-1]].Words
	need := func(n int) error {
		if len(u) != n {
			return fmt.Errorf("%s: %d uniform words, want %d", k.Name, len(u), n)
		}
		return nil
	}
	// covers reports whether groups×per ≥ n.
	short := func(what string, groups, per, n int) error {
		if groups*per < n {
			return fmt.Errorf("%s: %d workgroups × %d cover %d of %d %s", k.Name, groups, per, groups*per, n, what)
		}
		return nil
	}
	size := func(what string, have, want int) error {
		if have < want {
			return fmt.Errorf("%s: %s buffer has %d elements, needs %d", k.Name, what, have, want)
		}
		return nil
	}
	w := func(i int) int { return int(u[i]) }
	switch k.Kind {
	case KindConv:
		if err := need(8); err != nil {
			return err
		}
		cin, cout, h, wd, oh, ow, ktot, n := w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)
		ih, iw := h, wd
		if k.AvgPool2 {
			ih, iw = h/2, wd/2
		}
		if oh != (ih+2*k.Pad-k.K)/k.Stride+1 || ow != (iw+2*k.Pad-k.K)/k.Stride+1 || n != oh*ow || ktot != cin*k.K*k.K {
			return fmt.Errorf("%s: inconsistent shape words %v", k.Name, u)
		}
		if cb := blockCB(k.Algo); cb > 0 {
			return errors.Join(size("input", lens[0], cin*h*wd), size("weight", lens[1], ceilDiv(cout, cb)*cb*ktot), size("bias", lens[2], cout),
				size("output", lens[3], cout*n), short("quads × channel blocks", d.Groups[0], blockThreads, oh*ceilDiv(ow, 4)*ceilDiv(cout, cb)))
		}
		if k.Algo == ConvPixel {
			return errors.Join(size("input", lens[0], cin*h*wd), size("weight", lens[1], ceilDiv(cout, pixelCB)*pixelCB*ktot), size("bias", lens[2], cout),
				size("output", lens[3], cout*n), short("pixels", d.Groups[0], convThreads, n), short("channels", d.Groups[1], pixelCB, cout))
		}
		return errors.Join(size("input", lens[0], cin*h*wd), size("weight", lens[1], cout*ktot), size("bias", lens[2], cout),
			size("output", lens[3], cout*n), short("pixels", d.Groups[0], convTN, n), short("channels", d.Groups[1], convTM, cout))
	case KindAvgPool3:
		if err := need(4); err != nil {
			return err
		}
		n := w(3)
		if n != w(0)*w(1)*w(2) || w(2)%4 != 0 {
			return fmt.Errorf("%s: shape words %v inconsistent or width not a multiple of 4", k.Name, u)
		}
		return errors.Join(size("input", lens[0], n), size("output", lens[1], n), short("quads", d.Groups[0], k.Workgroup[0], n/4))
	case KindScale:
		if err := need(4); err != nil {
			return err
		}
		if w(0)%4 != 0 {
			return fmt.Errorf("%s: %d elements, not a multiple of 4", k.Name, w(0))
		}
		return errors.Join(size("input", lens[0], w(0)), size("output", lens[1], w(0)), short("vec4s", d.Groups[0], k.Workgroup[0], w(0)/4))
	case KindGlobalPool:
		if err := need(4); err != nil {
			return err
		}
		c := w(0)
		return errors.Join(size("input", lens[0], c*w(1)), size("scale", lens[1], c), size("shift", lens[2], c), size("output", lens[3], c),
			short("channels", d.Groups[0], k.Workgroup[0], c))
	case KindLinear:
		if err := need(4); err != nil {
			return err
		}
		nin, nout := w(0), w(1)
		return errors.Join(size("input", lens[0], nin), size("weight", lens[1], nin*nout), size("bias", lens[2], nout), size("output", lens[3], nout),
			short("outputs", d.Groups[0], k.Workgroup[0], nout))
	case KindNoop:
		return need(4)
	}
	return fmt.Errorf("%s: unknown kind %v", k.Name, k.Kind)
}

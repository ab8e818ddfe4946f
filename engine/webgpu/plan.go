package webgpu

import "fmt"

// BufferKind says how a buffer is created and bound.
type BufferKind uint8

const (
	// Weights are read-only storage, uploaded once when the plan is built
	// on a device.
	Weights BufferKind = iota
	// Activation is read-write storage, created once (zeroed, or from
	// Floats when set) and reused by every forward.
	Activation
	// Uniform holds a dispatch's shape words (Words), uploaded once.
	Uniform
)

// Buffer is one GPU buffer of 4-byte elements.
type Buffer struct {
	Name   string
	Kind   BufferKind
	Len    int       // elements (float32 or uint32)
	Floats []float32 // initial contents (Weights; optional for Activation)
	Words  []uint32  // contents of a Uniform buffer
}

// Bytes is the buffer's size in bytes.
func (b *Buffer) Bytes() int { return 4 * b.Len }

// Kind is what a kernel computes; Interpret has one reference per kind.
type Kind uint8

const (
	// KindConv is a convolution with folded BN: y (+)= conv(act(x)) + bias.
	KindConv Kind = iota
	// KindAvgPool3 is a 3×3 stride-1 pad-1 average pool over in-bounds taps.
	KindAvgPool3
	// KindScale is y (+)= x·Alpha: skip_connect (1) and none (0).
	KindScale
	// KindGlobalPool is per-channel BN (scale, shift), ReLU and the mean
	// over the plane.
	KindGlobalPool
	// KindLinear is the classifier y = W·x + b.
	KindLinear
	// KindNoop writes one element: for measuring per-dispatch overhead.
	KindNoop
)

var kindNames = [...]string{"conv", "avgpool3", "scale", "globalpool", "linear", "noop"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Access is how a kernel declares one binding.
type Access uint8

const (
	Read      Access = iota // var<storage, read>
	ReadWrite               // var<storage, read_write>
	UniformIn               // var<uniform>
)

// Binding is one @group(0) @binding(i) declaration of a kernel, in order.
type Binding struct {
	Name   string
	Access Access
	Vec4   bool // storage declared array<vec4<f32>> (its buffer's length a multiple of 4)
}

func (b Binding) arrayType() string {
	if b.Vec4 {
		return "array<vec4<f32>>"
	}
	return "array<f32>"
}

// Kernel is one compiled compute shader: a kind with its specialisation
// constants, its bindings (binding i is Bindings[i]) and its WGSL text.
type Kernel struct {
	Name string // unique within a plan; the pipeline cache key
	Kind Kind

	// Convolution constants.
	K, Stride, Pad int
	ReLUIn         bool // ReLU on the input as it is loaded
	AvgPool2       bool // input 2×2/2 average-pooled as it is loaded (K == 1)
	// Accumulate adds the result to the output instead of overwriting it
	// (Conv, AvgPool3, Scale).
	Accumulate bool
	Alpha      float32 // Scale
	Algo       ConvAlgo

	Workgroup [3]int // @workgroup_size
	Bindings  []Binding
	WGSL      string
}

// Dispatch is one dispatchWorkgroups call.
type Dispatch struct {
	Kernel  int   // index into Plan.Kernels
	Buffers []int // index into Plan.Buffers, one per kernel binding
	Groups  [3]int
}

// Plan is a forward pass as GPU work. Dispatches run in order in one
// compute pass. Input is the buffer a forward uploads first, Output the
// one holding the result.
type Plan struct {
	Kernels    []Kernel
	Buffers    []Buffer
	Dispatches []Dispatch
	Input      int
	Output     int
	MACs       int64 // multiply-accumulates as engine.Network counts them
}

// builder accumulates a plan, sharing kernels by name.
type builder struct {
	p      Plan
	byName map[string]int
	opt    Options
	convs  map[ConvSpec]Kernel // generated once per spec: the text is long
}

// convKernel is ConvKernel(s), generated once per builder.
func (b *builder) convKernel(s ConvSpec) Kernel {
	k, ok := b.convs[s]
	if !ok {
		k = ConvKernel(s)
		b.convs[s] = k
	}
	return k
}

func newBuilder() *builder {
	return &builder{byName: map[string]int{}, convs: map[ConvSpec]Kernel{}}
}

func (b *builder) buffer(buf Buffer) int {
	if buf.Len == 0 {
		buf.Len = max(len(buf.Floats), len(buf.Words))
	}
	b.p.Buffers = append(b.p.Buffers, buf)
	return len(b.p.Buffers) - 1
}

func (b *builder) weights(name string, v []float32) int {
	return b.buffer(Buffer{Name: name, Kind: Weights, Floats: v})
}

func (b *builder) activation(name string, n int) int {
	return b.buffer(Buffer{Name: name, Kind: Activation, Len: n})
}

// dispatch appends a dispatch of k; bufs are the storage buffers in binding
// order, and the shape words become its own uniform buffer (the last
// binding of every kernel).
func (b *builder) dispatch(k Kernel, groups [3]int, words []uint32, bufs ...int) {
	ki, ok := b.byName[k.Name]
	if !ok {
		b.p.Kernels = append(b.p.Kernels, k)
		ki = len(b.p.Kernels) - 1
		b.byName[k.Name] = ki
	}
	u := b.buffer(Buffer{Name: fmt.Sprintf("uniform %d (%s)", len(b.p.Dispatches), k.Name), Kind: Uniform, Words: words})
	b.p.Dispatches = append(b.p.Dispatches, Dispatch{Kernel: ki, Buffers: append(bufs, u), Groups: groups})
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

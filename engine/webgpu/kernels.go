package webgpu

import (
	"fmt"
	"strings"
)

// The WGSL kernels. Each is text with its specialisation constants written
// in (so the compiler can unroll K×K loops and drop dead branches) and its
// shapes in a uniform buffer (so one pipeline serves every layer of the same
// kind, at any width). Every kernel's last binding is its uniform block.

// Convolution tiling: a workgroup of convThreads invocations computes a
// convTM×convTN tile of the output (channels × pixels), convTK reduction
// steps at a time. Invocation t owns channels ty*4..ty*4+3 (ty = t/16) and
// pixels tx, tx+16, tx+32, tx+48 (tx = t%16) of the tile.
const (
	convTM      = 16
	convTN      = 64
	convTK      = 16
	convThreads = 64
	// elementwise kernels: one invocation per output element.
	ewThreads = 256
	// per-channel and per-logit kernels.
	rowThreads = 64
)

func wgslBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// wgslFloat writes f as a WGSL f32 literal.
func wgslFloat(f float32) string {
	s := fmt.Sprintf("%g", f)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// bindingDecls declares bs at @group(0), in order; the uniform binding's
// type is u.
func bindingDecls(bs []Binding, u string) string {
	var sb strings.Builder
	for i, b := range bs {
		switch b.Access {
		case Read:
			fmt.Fprintf(&sb, "@group(0) @binding(%d) var<storage, read> %s: array<f32>;\n", i, b.Name)
		case ReadWrite:
			fmt.Fprintf(&sb, "@group(0) @binding(%d) var<storage, read_write> %s: array<f32>;\n", i, b.Name)
		case UniformIn:
			fmt.Fprintf(&sb, "@group(0) @binding(%d) var<uniform> %s: %s;\n", i, b.Name, u)
		}
	}
	return sb.String()
}

// store is the WGSL statement writing or accumulating v into out[i].
func store(acc bool, out, i, v string) string {
	if acc {
		return fmt.Sprintf("%s[%s] = %s[%s] + %s;", out, i, out, i, v)
	}
	return fmt.Sprintf("%s[%s] = %s;", out, i, v)
}

// ConvKernel is the implicit-GEMM convolution specialised for k×k, stride,
// padding and flags. Uniform words: cin, cout, h, w (input), oh, ow,
// ktot = cin·k·k, n = oh·ow.
func ConvKernel(k, stride, pad int, relu, pool2, acc bool) Kernel {
	if pool2 && (k != 1 || stride != 1 || pad != 0) {
		panic(fmt.Sprintf("webgpu: ConvKernel: the 2×2 pool is for 1×1/1 pad-0 convolutions, got k=%d stride=%d pad=%d", k, stride, pad))
	}
	kn := Kernel{
		Name: fmt.Sprintf("conv%dx%d_s%d_p%d", k, k, stride, pad),
		Kind: KindConv, K: k, Stride: stride, Pad: pad, ReLUIn: relu, AvgPool2: pool2, Accumulate: acc,
		Workgroup: [3]int{convThreads, 1, 1},
		Bindings: []Binding{
			{"xin", Read}, {"wgt", Read}, {"bia", Read}, {"yout", ReadWrite}, {"prm", UniformIn},
		},
	}
	if relu {
		kn.Name += "_relu"
	}
	if pool2 {
		kn.Name += "_pool2"
	}
	if acc {
		kn.Name += "_acc"
	}
	var src strings.Builder
	fmt.Fprintf(&src, `// %s: y (+)= conv(act(x)) + bias, implicit GEMM (M = cout, N = oh*ow, K = cin*k*k).
struct Params { cin: u32, cout: u32, h: u32, w: u32, oh: u32, ow: u32, ktot: u32, n: u32 }
%s
const KS: u32 = %du;
const STRIDE: u32 = %du;
const PAD: i32 = %d;
const RELU: bool = %s;
const POOL2: bool = %s;
const TM: u32 = %du;
const TN: u32 = %du;
const TK: u32 = %du;

var<workgroup> ta: array<f32, %d>; // TM x TK weights, [m][k]
var<workgroup> tb: array<f32, %d>; // TK x TN inputs, [k][n]

fn act(v: f32) -> f32 {
  if (RELU) { return max(v, 0.0); }
  return v;
}

// The input operand B[k][pixel (oy, ox)], gathered from the CHW tensor.
fn load_in(k: u32, oy: u32, ox: u32) -> f32 {
  let ci = k / (KS * KS);
  let r = k %% (KS * KS);
  if (POOL2) {
    let b = ci * prm.h * prm.w + 2u * oy * prm.w + 2u * ox;
    return act((xin[b] + xin[b + 1u] + xin[b + prm.w] + xin[b + prm.w + 1u]) * 0.25);
  }
  let iy = i32(oy * STRIDE + r / KS) - PAD;
  let ix = i32(ox * STRIDE + r %% KS) - PAD;
  if (iy < 0 || ix < 0 || iy >= i32(prm.h) || ix >= i32(prm.w)) { return 0.0; }
  return act(xin[ci * prm.h * prm.w + u32(iy) * prm.w + u32(ix)]);
}

@compute @workgroup_size(%d)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) g: vec3<u32>) {
  let n0 = g.x * TN;
  let m0 = g.y * TM;
  let tx = t %% 16u;
  let ty = t / 16u;
  // Invocation t gathers pixel column t of every input tile.
  let ln = n0 + t;
  let lvalid = ln < prm.n;
  let loy = ln / prm.ow;
  let lox = ln %% prm.ow;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < prm.ktot; k0 = k0 + TK) {
    for (var i = 0u; i < 4u; i = i + 1u) {
      let e = t + i * 64u;
      let m = m0 + e / TK;
      let k = k0 + e %% TK;
      var v = 0.0;
      if (m < prm.cout && k < prm.ktot) { v = wgt[m * prm.ktot + k]; }
      ta[e] = v;
    }
    for (var kk = 0u; kk < TK; kk = kk + 1u) {
      let k = k0 + kk;
      var v = 0.0;
      if (lvalid && k < prm.ktot) { v = load_in(k, loy, lox); }
      tb[kk * TN + t] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i = i + 1u) { a[i] = ta[(ty * 4u + i) * TK + kk]; }
      for (var j = 0u; j < 4u; j = j + 1u) { b[j] = tb[kk * TN + tx + 16u * j]; }
      for (var i = 0u; i < 4u; i = i + 1u) {
        for (var j = 0u; j < 4u; j = j + 1u) {
          acc[i * 4u + j] = acc[i * 4u + j] + a[i] * b[j];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let m = m0 + ty * 4u + i;
    if (m >= prm.cout) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let nn = n0 + tx + 16u * j;
      if (nn >= prm.n) { continue; }
      let v = acc[i * 4u + j] + bia[m];
      let o = m * prm.n + nn;
      %s
    }
  }
}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), k, stride, pad, wgslBool(relu), wgslBool(pool2),
		convTM, convTN, convTK, convTM*convTK, convTK*convTN, convThreads, store(acc, "yout", "o", "v"))
	kn.WGSL = src.String()
	return kn
}

// convWords are a convolution dispatch's uniform words and workgroup counts.
func convWords(cin, cout, h, w, oh, ow, k int) ([]uint32, [3]int) {
	n := oh * ow
	words := []uint32{uint32(cin), uint32(cout), uint32(h), uint32(w), uint32(oh), uint32(ow), uint32(cin * k * k), uint32(n)}
	return words, [3]int{ceilDiv(n, convTN), ceilDiv(cout, convTM), 1}
}

// AvgPool3Kernel is the 3×3 stride-1 pad-1 average pool dividing by the
// in-bounds taps (count_include_pad=False). Uniform words: c, h, w, n.
func AvgPool3Kernel(acc bool) Kernel {
	kn := Kernel{
		Name: "avgpool3", Kind: KindAvgPool3, Accumulate: acc,
		Workgroup: [3]int{ewThreads, 1, 1},
		Bindings:  []Binding{{"xin", Read}, {"yout", ReadWrite}, {"prm", UniformIn}},
	}
	if acc {
		kn.Name += "_acc"
	}
	kn.WGSL = fmt.Sprintf(`// %s: 3x3/1 pad-1 average pool over the in-bounds taps.
struct Params { c: u32, h: u32, w: u32, n: u32 }
%s
@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= prm.n) { return; }
  let hw = prm.h * prm.w;
  let c = i / hw;
  let oy = i32((i %% hw) / prm.w);
  let ox = i32(i %% prm.w);
  var s = 0.0;
  var cnt = 0.0;
  for (var dy = -1; dy <= 1; dy = dy + 1) {
    for (var dx = -1; dx <= 1; dx = dx + 1) {
      let iy = oy + dy;
      let ix = ox + dx;
      if (iy >= 0 && ix >= 0 && iy < i32(prm.h) && ix < i32(prm.w)) {
        s = s + xin[c * hw + u32(iy) * prm.w + u32(ix)];
        cnt = cnt + 1.0;
      }
    }
  }
  let v = s / cnt;
  %s
}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), ewThreads, store(acc, "yout", "i", "v"))
	return kn
}

// ScaleKernel is y (+)= x·alpha elementwise: skip_connect (alpha 1) and
// none (alpha 0, still a pass over x). Uniform words: n, 0, 0, 0.
func ScaleKernel(alpha float32, acc bool) Kernel {
	kn := Kernel{
		Name: "scale" + strings.ReplaceAll(wgslFloat(alpha), ".", "_"), Kind: KindScale, Alpha: alpha, Accumulate: acc,
		Workgroup: [3]int{ewThreads, 1, 1},
		Bindings:  []Binding{{"xin", Read}, {"yout", ReadWrite}, {"prm", UniformIn}},
	}
	if acc {
		kn.Name += "_acc"
	}
	kn.WGSL = fmt.Sprintf(`// %s: y (+)= x * ALPHA.
struct Params { n: u32, r0: u32, r1: u32, r2: u32 }
%s
const ALPHA: f32 = %s;

@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= prm.n) { return; }
  let v = xin[i] * ALPHA;
  %s
}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), wgslFloat(alpha), ewThreads, store(acc, "yout", "i", "v"))
	return kn
}

// GlobalPoolKernel is per-channel y = mean over the plane of
// relu(x·scale + shift): lastact's BN and ReLU, then global average
// pooling. Uniform words: c, hw, 0, 0.
func GlobalPoolKernel() Kernel {
	kn := Kernel{
		Name: "globalpool", Kind: KindGlobalPool,
		Workgroup: [3]int{rowThreads, 1, 1},
		Bindings:  []Binding{{"xin", Read}, {"scl", Read}, {"sft", Read}, {"yout", ReadWrite}, {"prm", UniformIn}},
	}
	kn.WGSL = fmt.Sprintf(`// globalpool: y[c] = mean(relu(x[c]*scale[c] + shift[c])).
struct Params { c: u32, hw: u32, r0: u32, r1: u32 }
%s
@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= prm.c) { return; }
  let sc = scl[c];
  let sh = sft[c];
  var s = 0.0;
  for (var j = 0u; j < prm.hw; j = j + 1u) {
    s = s + max(xin[c * prm.hw + j] * sc + sh, 0.0);
  }
  yout[c] = s / f32(prm.hw);
}
`, bindingDecls(kn.Bindings, "Params"), rowThreads)
	return kn
}

// LinearKernel is the classifier y = W·x + b (W is out×in, row-major).
// Uniform words: in, out, 0, 0.
func LinearKernel() Kernel {
	kn := Kernel{
		Name: "linear", Kind: KindLinear,
		Workgroup: [3]int{rowThreads, 1, 1},
		Bindings:  []Binding{{"xin", Read}, {"wgt", Read}, {"bia", Read}, {"yout", ReadWrite}, {"prm", UniformIn}},
	}
	kn.WGSL = fmt.Sprintf(`// linear: y = W x + b.
struct Params { nin: u32, nout: u32, r0: u32, r1: u32 }
%s
@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  if (o >= prm.nout) { return; }
  var s = bia[o];
  for (var c = 0u; c < prm.nin; c = c + 1u) {
    s = s + wgt[o * prm.nin + c] * xin[c];
  }
  yout[o] = s;
}
`, bindingDecls(kn.Bindings, "Params"), rowThreads)
	return kn
}

// NoopKernel writes one element and nothing else: a dispatch with (almost)
// no work, for measuring what a dispatch costs. Uniform words: n, 0, 0, 0.
func NoopKernel() Kernel {
	kn := Kernel{
		Name: "noop", Kind: KindNoop,
		Workgroup: [3]int{1, 1, 1},
		Bindings:  []Binding{{"yout", ReadWrite}, {"prm", UniformIn}},
	}
	kn.WGSL = fmt.Sprintf(`// noop: one invocation writes one element.
struct Params { n: u32, r0: u32, r1: u32, r2: u32 }
%s
@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x == 0u) { yout[0] = f32(prm.n); }
}
`, bindingDecls(kn.Bindings, "Params"))
	return kn
}

package webgpu

import (
	"fmt"
	"strconv"
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
			fmt.Fprintf(&sb, "@group(0) @binding(%d) var<storage, read> %s: %s;\n", i, b.Name, b.arrayType())
		case ReadWrite:
			fmt.Fprintf(&sb, "@group(0) @binding(%d) var<storage, read_write> %s: %s;\n", i, b.Name, b.arrayType())
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

// ConvAlgo is how the convolution kernel organises its work.
type ConvAlgo uint8

const (
	// ConvBlock16 (the default) is ConvBlock with 16 output channels per
	// invocation: on SwiftShader as fast as ConvBlock on the largest cell
	// and faster on the median one (1.1-1.9×), 3-5× faster than ConvDirect
	// and 7-14× faster than ConvTiled (docs/RESULTS.md, webgpu branch).
	ConvBlock16 ConvAlgo = iota
	// ConvBlock: each invocation computes 8 output channels × 4
	// consecutive pixels of one output row, the whole k×k window unrolled
	// in the WGSL: per input channel and kernel row it loads the row
	// segment all 4 pixels' taps need once, and the channels' weights of a
	// tap as vec4 loads (weights transposed, [k][cout padded]), so a load
	// feeds 4-8 multiply-adds instead of one. Fewest instructions per MAC,
	// which is what SwiftShader's JIT rewards.
	ConvBlock
	// ConvDirect: each invocation computes 4 output channels × 4
	// consecutive pixels straight from global memory (no workgroup memory,
	// no barriers).
	ConvDirect
	// ConvPixel: each invocation computes pixelCB output channels of one
	// pixel; consecutive invocations take consecutive pixels (so the input
	// loads of neighbouring lanes are neighbouring addresses), and the
	// weights are stored transposed, [k][cout padded to pixelCB], so the
	// channels of one tap are one contiguous run, the same for every lane.
	ConvPixel
	// ConvTiled: implicit GEMM with weight and input tiles staged in
	// workgroup memory between barriers, each invocation accumulating 4×4
	// outputs.
	ConvTiled
)

// ConvAlgos lists every convolution algorithm, the default first.
func ConvAlgos() []ConvAlgo {
	return []ConvAlgo{ConvBlock16, ConvBlock, ConvDirect, ConvPixel, ConvTiled}
}

func (a ConvAlgo) String() string {
	switch a {
	case ConvDirect:
		return "direct"
	case ConvPixel:
		return "pixel"
	case ConvTiled:
		return "tiled"
	case ConvBlock:
		return "block"
	case ConvBlock16:
		return "block16"
	}
	return fmt.Sprintf("ConvAlgo(%d)", a)
}

// ConvSpec is what a convolution kernel is specialised for.
type ConvSpec struct {
	K, Stride, Pad int
	ReLUIn         bool // ReLU on the input as it is loaded
	AvgPool2       bool // input 2×2/2 average-pooled as it is loaded (K == 1)
	Accumulate     bool // add to the output instead of overwriting it
	Algo           ConvAlgo
}

// ConvKernel is the convolution y (+)= conv(act(x)) + bias specialised for
// s. Uniform words: cin, cout, h, w (input), oh, ow, ktot = cin·k·k,
// n = oh·ow. Both algorithms cover a 16-channel × 64-pixel output tile per
// 64-invocation workgroup, so convWords' workgroup counts serve both.
func ConvKernel(s ConvSpec) Kernel {
	k, stride, pad, relu, pool2, acc := s.K, s.Stride, s.Pad, s.ReLUIn, s.AvgPool2, s.Accumulate
	if pool2 && (k != 1 || stride != 1 || pad != 0) {
		panic(fmt.Sprintf("webgpu: ConvKernel: the 2×2 pool is for 1×1/1 pad-0 convolutions, got k=%d stride=%d pad=%d", k, stride, pad))
	}
	kn := Kernel{
		Name: fmt.Sprintf("conv%dx%d_s%d_p%d", k, k, stride, pad),
		Kind: KindConv, K: k, Stride: stride, Pad: pad, ReLUIn: relu, AvgPool2: pool2, Accumulate: acc, Algo: s.Algo,
		Workgroup: [3]int{convThreads, 1, 1},
		Bindings: []Binding{
			{Name: "xin", Access: Read}, {Name: "wgt", Access: Read}, {Name: "bia", Access: Read}, {Name: "yout", Access: ReadWrite}, {Name: "prm", Access: UniformIn},
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
	if cb := blockCB(s.Algo); cb > 0 {
		kn.Name = fmt.Sprintf("block%d_", cb) + kn.Name
		kn.Workgroup = [3]int{blockThreads, 1, 1}
		kn.Bindings[1].Vec4 = true
		kn.WGSL = blockConvWGSL(&kn)
		return kn
	}
	if s.Algo == ConvPixel {
		kn.Name = "pixel_" + kn.Name
		kn.WGSL = pixelConvWGSL(&kn)
		return kn
	}
	if s.Algo == ConvDirect {
		kn.Name = "direct_" + kn.Name
		kn.WGSL = directConvWGSL(&kn)
		return kn
	}
	kn.Name = "tiled_" + kn.Name
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

// blockThreads is ConvBlock's workgroup size. Its dispatch is flattened
// over (channel block, pixel quad), so even the narrowest layers (8×8
// outputs: 16 quads × 4-8 blocks) fill whole workgroups.
const blockThreads = 64

// blockCB is the output channels per invocation of ConvBlock (8) and
// ConvBlock16 (16), 0 for the other algorithms; their weights are laid out
// [k][cout rounded up to blockCB].
func blockCB(a ConvAlgo) int {
	switch a {
	case ConvBlock:
		return 8
	case ConvBlock16:
		return 16
	}
	return 0
}

// blockConvWGSL is the ConvBlock kernel's text, with the k×k window, the
// row segments and the 4 pixels × blockCB channels unrolled.
func blockConvWGSL(kn *Kernel) string {
	const P = 4 // pixels per invocation
	cb := blockCB(kn.Algo)
	H := cb / 4 // vec4 accumulators per pixel
	var body strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&body, format, args...) }
	acc := func(j, h int) string { return fmt.Sprintf("a%d_%d", j, h) }
	// tap loads one tap's weights (wt<tag>_<h>) and accumulates input
	// value src(j) of pixel j into every channel.
	tap := func(indent, tag string, src func(j int) string) {
		for h := 0; h < H; h++ {
			w("%slet wt%s_%d = wgt[wi + %du];\n", indent, tag, h, h)
		}
		w("%swi = wi + cq;\n", indent)
		for j := 0; j < P; j++ {
			for h := 0; h < H; h++ {
				w("%s%s = %s + %s * wt%s_%d;\n", indent, acc(j, h), acc(j, h), src(j), tag, h)
			}
		}
	}
	if kn.AvgPool2 {
		// 1×1 over the 2×2/2 pooled input; pixel j's value is s<j>.
		w("    let b = base + 2u * oy * prm.w + 2u * ox0;\n")
		for j := 0; j < P; j++ {
			w("    var s%d = 0.0;\n    if (ox0 + %du < prm.ow) { s%d = act((xin[b + %du] + xin[b + %du] + xin[b + prm.w + %du] + xin[b + prm.w + %du]) * 0.25); }\n",
				j, j, j, 2*j, 2*j+1, 2*j, 2*j+1)
		}
		tap("    ", "", func(j int) string { return fmt.Sprintf("s%d", j) })
	} else {
		span := (P-1)*kn.Stride + kn.K
		for ky := 0; ky < kn.K; ky++ {
			w("    {\n      let iy = iy0 + %d;\n      let rowok = (iy >= 0) & (iy < i32(prm.h));\n      let rb = base + u32(clamp(iy, 0, i32(prm.h) - 1)) * prm.w;\n", ky)
			for c := 0; c < span; c++ {
				w("      let s%d = ld(rowok, rb, ix0 + %d);\n", c, c)
			}
			for kx := 0; kx < kn.K; kx++ {
				tap("      ", strconv.Itoa(kx), func(j int) string { return fmt.Sprintf("s%d", j*kn.Stride+kx) })
			}
			w("    }\n")
		}
	}
	var decl, st strings.Builder
	for j := 0; j < P; j++ {
		for h := 0; h < H; h++ {
			fmt.Fprintf(&decl, "  var %s = vec4<f32>(0.0);\n", acc(j, h))
		}
		fmt.Fprintf(&st, "  if (ox0 + %du < prm.ow) {\n    let p = oy * prm.ow + ox0 + %du;\n", j, j)
		for i := 0; i < cb; i++ {
			fmt.Fprintf(&st, "    if (m0 + %du < prm.cout) {\n      let v = %s[%d] + bia[m0 + %du];\n      let o = (m0 + %du) * prm.n + p;\n      %s\n    }\n",
				i, acc(j, i/4), i%4, i, i, store(kn.Accumulate, "yout", "o", "v"))
		}
		st.WriteString("  }\n")
	}
	return fmt.Sprintf(`// %s: y (+)= conv(act(x)) + bias; invocation t of workgroup g computes
// channels m0..m0+CB-1 (m0 = cb*CB) at pixels ox0..ox0+3 of row oy, where
// idx = g.x*%d + t, cb = idx / nq, q = idx %% nq, nq = oh*qpr,
// oy = q / qpr, ox0 = (q %% qpr)*4, qpr = ceil(ow/4).
// Weights are vec4s [k][cp/4] with cp = cout rounded up to CB (zero padded).
struct Params { cin: u32, cout: u32, h: u32, w: u32, oh: u32, ow: u32, ktot: u32, n: u32 }
%s
const STRIDE: u32 = %du;
const PAD: i32 = %d;
const RELU: bool = %s;
const CB: u32 = %du;

fn act(v: f32) -> f32 {
  if (RELU) { return max(v, 0.0); }
  return v;
}

// The (activated) input at column ix of the row starting at rb; zero
// outside the tensor. Branch-free (a clamped load and a select, & not
// &&): SwiftShader compiles branchy unrolled code very slowly.
fn ld(rowok: bool, rb: u32, ix: i32) -> f32 {
  let ok = rowok & (ix >= 0) & (ix < i32(prm.w));
  let v = xin[rb + u32(clamp(ix, 0, i32(prm.w) - 1))];
  return select(0.0, act(v), ok);
}

@compute @workgroup_size(%d)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) g: vec3<u32>) {
  let qpr = (prm.ow + 3u) / 4u;
  let nq = prm.oh * qpr;
  let idx = g.x * %du + t;
  let cb = idx / nq;
  if (cb >= (prm.cout + CB - 1u) / CB) { return; }
  let q = idx %% nq;
  let oy = q / qpr;
  let ox0 = (q %% qpr) * 4u;
  let m0 = cb * CB;
  let cq = (prm.cout + CB - 1u) / CB * (CB / 4u);
  var wi = cb * (CB / 4u);
  let iy0 = i32(oy * STRIDE) - PAD;
  let ix0 = i32(ox0 * STRIDE) - PAD;
%s  for (var ci = 0u; ci < prm.cin; ci = ci + 1u) {
    let base = ci * prm.h * prm.w;
%s  }
%s}
`, kn.Name, blockThreads, bindingDecls(kn.Bindings, "Params"), kn.Stride, kn.Pad, wgslBool(kn.ReLUIn), cb, blockThreads, blockThreads,
		decl.String(), body.String(), st.String())
}

// blockWeights transposes OIHW weights (cout × ktot) to algo's
// [k][cout rounded up to blockCB] layout, zero padded.
func blockWeights(w []float32, cout, ktot int, algo ConvAlgo) []float32 {
	return transposePadded(w, cout, ktot, blockCB(algo))
}

// pixelCB is ConvPixel's output channels per invocation.
const pixelCB = 8

// pixelConvWGSL is the ConvPixel kernel's text.
func pixelConvWGSL(kn *Kernel) string {
	var st strings.Builder
	for i := 0; i < pixelCB; i++ {
		fmt.Fprintf(&st, "  if (m0 + %du < prm.cout) {\n    let v = a%d[%d] + bia[m0 + %du];\n    let o = (m0 + %du) * prm.n + p;\n    %s\n  }\n",
			i, i/4, i%4, i, i, store(kn.Accumulate, "yout", "o", "v"))
	}
	return fmt.Sprintf(`// %s: y (+)= conv(act(x)) + bias; invocation t of workgroup g computes
// channels m0..m0+%d (m0 = g.y*%d) of pixel p = g.x*64 + t. Weights are
// [k][cp] with cp = cout rounded up to %d (zero padded).
struct Params { cin: u32, cout: u32, h: u32, w: u32, oh: u32, ow: u32, ktot: u32, n: u32 }
%s
const KS: u32 = %du;
const STRIDE: i32 = %d;
const PAD: i32 = %d;
const RELU: bool = %s;
const POOL2: bool = %s;
const CB: u32 = %du;

fn act(v: f32) -> f32 {
  if (RELU) { return max(v, 0.0); }
  return v;
}

// The (activated) input of the channel at base, at (iy, ix); zero outside.
fn load_in(base: u32, iy: i32, ix: i32) -> f32 {
  if (POOL2) {
    let b = base + 2u * u32(iy) * prm.w + 2u * u32(ix);
    return act((xin[b] + xin[b + 1u] + xin[b + prm.w] + xin[b + prm.w + 1u]) * 0.25);
  }
  if (iy < 0 || ix < 0 || iy >= i32(prm.h) || ix >= i32(prm.w)) { return 0.0; }
  return act(xin[base + u32(iy) * prm.w + u32(ix)]);
}

@compute @workgroup_size(%d)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) g: vec3<u32>) {
  let p = g.x * 64u + t;
  let m0 = g.y * CB;
  if (p >= prm.n) { return; }
  let cp = (prm.cout + CB - 1u) / CB * CB;
  let oy = i32(p / prm.ow) * STRIDE - PAD;
  let ox = i32(p %% prm.ow) * STRIDE - PAD;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var wb = m0;
  for (var ci = 0u; ci < prm.cin; ci = ci + 1u) {
    let base = ci * prm.h * prm.w;
    for (var ky = 0u; ky < KS; ky = ky + 1u) {
      for (var kx = 0u; kx < KS; kx = kx + 1u) {
        let v = load_in(base, oy + i32(ky), ox + i32(kx));
        a0 = a0 + v * vec4<f32>(wgt[wb], wgt[wb + 1u], wgt[wb + 2u], wgt[wb + 3u]);
        a1 = a1 + v * vec4<f32>(wgt[wb + 4u], wgt[wb + 5u], wgt[wb + 6u], wgt[wb + 7u]);
        wb = wb + cp;
      }
    }
  }
%s}
`, kn.Name, pixelCB-1, pixelCB, pixelCB, bindingDecls(kn.Bindings, "Params"), kn.K, kn.Stride, kn.Pad, wgslBool(kn.ReLUIn), wgslBool(kn.AvgPool2), pixelCB, convThreads, st.String())
}

// pixelWeights transposes OIHW weights (cout × ktot) to ConvPixel's
// [k][cout rounded up to pixelCB] layout, zero padded.
func pixelWeights(w []float32, cout, ktot int) []float32 {
	return transposePadded(w, cout, ktot, pixelCB)
}

// transposePadded returns the cout × ktot matrix w as ktot × cp, cp =
// cout rounded up to a multiple of mult, zero padded.
func transposePadded(w []float32, cout, ktot, mult int) []float32 {
	cp := ceilDiv(cout, mult) * mult
	t := make([]float32, ktot*cp)
	for m := 0; m < cout; m++ {
		for k := 0; k < ktot; k++ {
			t[k*cp+m] = w[m*ktot+k]
		}
	}
	return t
}

// directConvWGSL is the ConvDirect kernel's text.
func directConvWGSL(kn *Kernel) string {
	var acc strings.Builder
	for i := 0; i < 4; i++ {
		fmt.Fprintf(&acc, `  if (m0 + %du < prm.cout) {
    let v = acc%d + vec4<f32>(bia[m0 + %du]);
    for (var j = 0u; j < 4u; j = j + 1u) {
      if (p0 + j < prm.n) {
        let o = (m0 + %du) * prm.n + p0 + j;
        %s
      }
    }
  }
`, i, i, i, i, store(kn.Accumulate, "yout", "o", "v[j]"))
	}
	return fmt.Sprintf(`// %s: y (+)= conv(act(x)) + bias; invocation t of workgroup g computes
// channels m0..m0+3 (m0 = g.y*16 + (t/16)*4) at pixels p0..p0+3 (p0 = g.x*64 + (t%%16)*4).
struct Params { cin: u32, cout: u32, h: u32, w: u32, oh: u32, ow: u32, ktot: u32, n: u32 }
%s
const KS: u32 = %du;
const STRIDE: i32 = %d;
const PAD: i32 = %d;
const RELU: bool = %s;
const POOL2: bool = %s;

fn act(v: f32) -> f32 {
  if (RELU) { return max(v, 0.0); }
  return v;
}

// The (activated) input of channel ci at (iy, ix); zero outside.
fn load_in(base: u32, iy: i32, ix: i32) -> f32 {
  if (POOL2) {
    let b = base + 2u * u32(iy) * prm.w + 2u * u32(ix);
    return act((xin[b] + xin[b + 1u] + xin[b + prm.w] + xin[b + prm.w + 1u]) * 0.25);
  }
  if (iy < 0 || ix < 0 || iy >= i32(prm.h) || ix >= i32(prm.w)) { return 0.0; }
  return act(xin[base + u32(iy) * prm.w + u32(ix)]);
}

@compute @workgroup_size(%d)
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) g: vec3<u32>) {
  let p0 = g.x * 64u + (t %% 16u) * 4u;
  let m0 = g.y * 16u + (t / 16u) * 4u;
  if (p0 >= prm.n || m0 >= prm.cout) { return; }
  var oy: vec4<i32>;
  var ox: vec4<i32>;
  for (var j = 0u; j < 4u; j = j + 1u) {
    let p = min(p0 + j, prm.n - 1u);
    oy[j] = i32(p / prm.ow) * STRIDE - PAD;
    ox[j] = i32(p %% prm.ow) * STRIDE - PAD;
  }
  // Weight rows of the 4 channels, clamped so loads stay in bounds.
  let r0 = min(m0, prm.cout - 1u) * prm.ktot;
  let r1 = min(m0 + 1u, prm.cout - 1u) * prm.ktot;
  let r2 = min(m0 + 2u, prm.cout - 1u) * prm.ktot;
  let r3 = min(m0 + 3u, prm.cout - 1u) * prm.ktot;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var k = 0u;
  for (var ci = 0u; ci < prm.cin; ci = ci + 1u) {
    let base = ci * prm.h * prm.w;
    for (var ky = 0u; ky < KS; ky = ky + 1u) {
      for (var kx = 0u; kx < KS; kx = kx + 1u) {
        var xv: vec4<f32>;
        for (var j = 0u; j < 4u; j = j + 1u) {
          xv[j] = load_in(base, oy[j] + i32(ky), ox[j] + i32(kx));
        }
        acc0 = acc0 + wgt[r0 + k] * xv;
        acc1 = acc1 + wgt[r1 + k] * xv;
        acc2 = acc2 + wgt[r2 + k] * xv;
        acc3 = acc3 + wgt[r3 + k] * xv;
        k = k + 1u;
      }
    }
  }
%s}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), kn.K, kn.Stride, kn.Pad, wgslBool(kn.ReLUIn), wgslBool(kn.AvgPool2), convThreads, acc.String())
}

// convWords are a convolution dispatch's uniform words and workgroup
// counts for algo.
func convWords(cin, cout, h, w, oh, ow, k int, algo ConvAlgo) ([]uint32, [3]int) {
	n := oh * ow
	words := []uint32{uint32(cin), uint32(cout), uint32(h), uint32(w), uint32(oh), uint32(ow), uint32(cin * k * k), uint32(n)}
	switch algo {
	case ConvPixel:
		return words, [3]int{ceilDiv(n, convThreads), ceilDiv(cout, pixelCB), 1}
	case ConvBlock, ConvBlock16:
		return words, [3]int{ceilDiv(oh*ceilDiv(ow, 4)*ceilDiv(cout, blockCB(algo)), blockThreads), 1, 1}
	}
	return words, [3]int{ceilDiv(n, convTN), ceilDiv(cout, convTM), 1}
}

// convWeightsFor lays out OIHW weights for algo.
func convWeightsFor(w []float32, cout, ktot int, algo ConvAlgo) []float32 {
	switch algo {
	case ConvPixel:
		return pixelWeights(w, cout, ktot)
	case ConvBlock, ConvBlock16:
		return blockWeights(w, cout, ktot, algo)
	}
	return w
}

// AvgPool3Kernel is the 3×3 stride-1 pad-1 average pool dividing by the
// in-bounds taps (count_include_pad=False). Each invocation computes 4
// consecutive outputs of a row (w must be a multiple of 4): 3 rows × 6
// columns of loads, clamped and selected rather than branched, column
// sums, then the 4 windows. Uniform words: c, h, w, n.
func AvgPool3Kernel(acc bool) Kernel {
	kn := Kernel{
		Name: "avgpool3", Kind: KindAvgPool3, Accumulate: acc,
		Workgroup: [3]int{rowThreads, 1, 1},
		Bindings:  []Binding{{Name: "xin", Access: Read}, {Name: "yout", Access: ReadWrite, Vec4: true}, {Name: "prm", Access: UniformIn}},
	}
	if acc {
		kn.Name += "_acc"
	}
	var body strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&body, format, args...) }
	for c := 0; c < 6; c++ {
		w("  let x%d = ox0 + %d;\n  let k%d = (x%d >= 0) & (x%d < wi);\n  let i%d = u32(clamp(x%d, 0, wi - 1));\n  var c%d = 0.0;\n", c, c-1, c, c, c, c, c, c)
	}
	w("  var rows = 0.0;\n")
	for dy := -1; dy <= 1; dy++ {
		w("  {\n    let iy = oy + %d;\n    let ok = (iy >= 0) & (iy < hi);\n    let rb = base + u32(clamp(iy, 0, hi - 1)) * prm.w;\n    rows = rows + select(0.0, 1.0, ok);\n", dy)
		for c := 0; c < 6; c++ {
			w("    c%d = c%d + select(0.0, xin[rb + i%d], ok & k%d);\n", c, c, c, c)
		}
		w("  }\n")
	}
	for j := 0; j < 4; j++ {
		w("  let n%d = rows * (select(0.0, 1.0, k%d) + select(0.0, 1.0, k%d) + select(0.0, 1.0, k%d));\n", j, j, j+1, j+2)
	}
	w("  let v = vec4<f32>((c0 + c1 + c2) / n0, (c1 + c2 + c3) / n1, (c2 + c3 + c4) / n2, (c3 + c4 + c5) / n3);\n")
	kn.WGSL = fmt.Sprintf(`// %s: 3x3/1 pad-1 average pool over the in-bounds taps; invocation
// q computes outputs 4q..4q+3 (one row's 4 consecutive pixels).
struct Params { c: u32, h: u32, w: u32, n: u32 }
%s
@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  if (q >= prm.n / 4u) { return; }
  let qpr = prm.w / 4u;
  let hw = prm.h * prm.w;
  let c = q / (prm.h * qpr);
  let r = q %% (prm.h * qpr);
  let oy = i32(r / qpr);
  let ox0 = i32((r %% qpr) * 4u);
  let hi = i32(prm.h);
  let wi = i32(prm.w);
  let base = c * hw;
%s  %s
}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), rowThreads, body.String(), store(acc, "yout", "q", "v"))
	return kn
}

// avgPoolGroups is an AvgPool3 dispatch's workgroup count for n outputs.
func avgPoolGroups(n int) [3]int { return [3]int{ceilDiv(n/4, rowThreads), 1, 1} }

// ScaleKernel is y (+)= x·alpha elementwise: skip_connect (alpha 1) and
// none (alpha 0, still a pass over x). Each invocation does 4 elements as
// one vec4 (n must be a multiple of 4). Uniform words: n, 0, 0, 0.
func ScaleKernel(alpha float32, acc bool) Kernel {
	kn := Kernel{
		Name: "scale" + strings.ReplaceAll(wgslFloat(alpha), ".", "_"), Kind: KindScale, Alpha: alpha, Accumulate: acc,
		Workgroup: [3]int{ewThreads, 1, 1},
		Bindings:  []Binding{{Name: "xin", Access: Read, Vec4: true}, {Name: "yout", Access: ReadWrite, Vec4: true}, {Name: "prm", Access: UniformIn}},
	}
	if acc {
		kn.Name += "_acc"
	}
	kn.WGSL = fmt.Sprintf(`// %s: y (+)= x * ALPHA, invocation i on elements 4i..4i+3.
struct Params { n: u32, r0: u32, r1: u32, r2: u32 }
%s
const ALPHA: f32 = %s;

@compute @workgroup_size(%d)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= prm.n / 4u) { return; }
  let v = xin[i] * ALPHA;
  %s
}
`, kn.Name, bindingDecls(kn.Bindings, "Params"), wgslFloat(alpha), ewThreads, store(acc, "yout", "i", "v"))
	return kn
}

// scaleGroups is a Scale dispatch's workgroup count for n elements.
func scaleGroups(n int) [3]int { return [3]int{ceilDiv(n/4, ewThreads), 1, 1} }

// GlobalPoolKernel is per-channel y = mean over the plane of
// relu(x·scale + shift): lastact's BN and ReLU, then global average
// pooling. Uniform words: c, hw, 0, 0.
func GlobalPoolKernel() Kernel {
	kn := Kernel{
		Name: "globalpool", Kind: KindGlobalPool,
		Workgroup: [3]int{rowThreads, 1, 1},
		Bindings:  []Binding{{Name: "xin", Access: Read}, {Name: "scl", Access: Read}, {Name: "sft", Access: Read}, {Name: "yout", Access: ReadWrite}, {Name: "prm", Access: UniformIn}},
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
		Bindings:  []Binding{{Name: "xin", Access: Read}, {Name: "wgt", Access: Read}, {Name: "bia", Access: Read}, {Name: "yout", Access: ReadWrite}, {Name: "prm", Access: UniformIn}},
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
		Bindings:  []Binding{{Name: "yout", Access: ReadWrite}, {Name: "prm", Access: UniformIn}},
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

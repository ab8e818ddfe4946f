// Package webgpu runs NAS-Bench-201 networks on the visitor's GPU through
// WebGPU: it turns a network into a plan of WGSL compute dispatches and, in
// the browser, executes that plan. Its one job is the GPU forward pass; the
// timing protocol stays in package measure.
//
// # The plan (portable Go)
//
// BuildNASBench201(arch, seed) computes the same function as
// engine.New(arch, seed): the same deterministic weights, batch norms
// folded the same way (engine.FoldNASBench201). A Plan is
//
//   - Kernels: each a WGSL compute shader, specialised by constants (kernel
//     size, stride, ReLU on the input, accumulate into the output), with
//     its declared bindings and workgroup size;
//   - Buffers: weights (uploaded once), activations (created once, zeroed,
//     reused by every forward), and one small uniform buffer of shape words
//     per dispatch (uploaded once);
//   - Dispatches: kernel, one buffer per binding, workgroup counts.
//
// A NAS-Bench-201 forward is 99 dispatches whatever the cell: the stem, 6
// edges in each of 15 cells (none is x·0 and skip the identity, both real
// passes, as the CPU engine and the measured devices run them), 3 per
// reduction block, then BN-ReLU-global-pool and the classifier. A cell node
// is the sum of its edges: the first edge into a node writes it, later ones
// accumulate (the Accumulate constant), so there is no separate sum pass;
// WebGPU orders the dispatches of one compute pass, so each dispatch sees
// the writes of the ones before it. The NAS-Bench-201 op is ReLU-conv-BN:
// the ReLU is applied as the convolution loads its input, the BN is the
// folded weights and bias.
//
// # Kernels
//
// The convolution has five interchangeable algorithms (Options.Conv), all
// computing the same sums in the same order (k = ci·k·k + ky·k + kx
// ascending, bias last), so each matches the interpreter exactly on
// SwiftShader:
//
//   - ConvBlock16 (default) and ConvBlock: an invocation computes 16 (or
//     8) output channels × 4
//     consecutive pixels of a row with the k×k window unrolled in the
//     WGSL, loading each input row segment once per (input channel, kernel
//     row) and the channels' weights of a tap as vec4s (weights stored
//     transposed, [k][cout rounded up to 16 or 8]); loads are clamped
//     and selected, not branched. The dispatch is flattened over (channel
//     block, pixel quad) in 64-invocation workgroups.
//   - ConvDirect: 4 channels × 4 pixels per invocation, OIHW weights.
//   - ConvPixel: 8 channels of one pixel per invocation.
//   - ConvTiled: implicit GEMM (M = cout, N = pixels, K = cin·k·k), a
//     16×64 output tile per 64-invocation workgroup with 16×16 weight and
//     16×64 input tiles staged in workgroup memory (5 KiB, under the 16 KiB
//     default limit) between barriers, 4×4 outputs per invocation.
//
// On SwiftShader (Chromium's software Vulkan, what CI has) ConvBlock16 is
// 3-5× faster than ConvDirect and 7-14× faster than ConvTiled: a
// software GPU pays per instruction, and workgroup barriers are very
// expensive there, so the shared-memory tiling does not pay. The input of
// every algorithm is gathered straight from the CHW tensor (zero padding,
// stride, ReLU, and the reduction shortcut's 2×2 average pool applied in the
// gather), so there is no im2col buffer.
//
// skip_connect and none are one vec4 per invocation; the 3×3 average pool
// computes 4 outputs of a row per invocation from column sums of a 3×6
// window, dividing by the in-bounds taps; the head is one invocation per
// channel (BN, ReLU and the plane's mean) and one per logit.
//
// Interpret executes a plan with naive Go loops that follow each kernel's
// invocation-to-output mapping (so a dispatch too small to cover its output
// leaves elements unwritten and the comparison fails); the native tests
// check it against engine.Network on random cells, and KernelChecks gives
// the browser one small plan per kernel kind with the interpreter's answer.
//
// # The binding (js && wasm)
//
// Open requests an adapter and a device (its error wraps ErrNoWebGPU,
// ErrNoAdapter or ErrDevice, saying why not); Device.Info is the adapter's
// vendor, architecture, device and description. Device.NewNASBench201 (or
// Device.NewPlan, for any plan, e.g. BuildNASBench201With's other kernel
// Options or EmptyLike) uploads the weights, compiles each distinct kernel
// once per device (pipelines are cached by WGSL text) and creates every
// bind group once. Device.RunCheck runs one of KernelChecks on the GPU. Net.Forward writes Input to the GPU,
// encodes all dispatches in one compute pass of one command buffer, submits
// it and blocks until queue.onSubmittedWorkDone resolves; it does not read
// the logits back, so a timing of Forward is GPU work plus submission.
// Net.ReadOutput (and Output, which calls it) copies the logits to a
// mappable buffer and reads them.
//
// Blocking: every call that waits for a JavaScript promise (Open, building
// a net, Forward, ReadOutput) blocks the calling goroutine on a channel until
// the promise settles. It must not be called from a js.FuncOf callback
// (a callback blocks the JavaScript event loop, so the promise could never
// settle): call it from main or a goroutine it started.
package webgpu

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
// The convolution kernel is an implicit GEMM (M = output channels, N =
// output pixels, K = cin·k·k): a workgroup of 64 invocations computes a
// 16×64 output tile, staging 16×16 weight and 16×64 input tiles in
// workgroup memory (5 KiB, under WebGPU's 16 KiB minimum limit), each
// invocation accumulating 4×4 outputs. The input tile is gathered straight
// from the CHW tensor (zero padding, stride, ReLU, and the reduction
// shortcut's 2×2 average pool done in the gather), so there is no im2col
// buffer.
//
// Interpret executes a plan with naive Go loops that follow each kernel's
// invocation-to-output mapping (so a dispatch too small to cover its output
// leaves elements unwritten and the comparison fails); the native tests
// check it against engine.Network on random cells, and KernelChecks gives
// the browser one small plan per kernel kind with the interpreter's answer.
//
// # The binding (js && wasm)
//
// Open requests an adapter and a device; Device.NewNASBench201 (or
// Device.NewPlan) uploads the weights, compiles each distinct kernel once
// and creates every bind group once. Net.Forward writes Input to the GPU,
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

// Package engine runs NAS-Bench-201 and FBNet CIFAR networks: a small, single-threaded
// float32 inference engine in pure Go, fast enough to time real networks in
// a browser (compiled to WebAssembly) and natively.
//
// # The network
//
// New(arch, seed) builds the exact NAS-Bench-201 skeleton (xautodl
// TinyNetwork) for one cell architecture, batch 1, inference mode:
//
//	stem     conv3×3 3→16 + BN                                   16×32×32
//	stage 1  5 cells at 16 channels                              16×32×32
//	         reduction: ReLU-conv3×3/2-BN, ReLU-conv3×3-BN,
//	         plus shortcut avgpool2×2/2 then conv1×1 (no BN)     32×16×16
//	stage 2  5 cells at 32 channels                              32×16×16
//	         reduction                                           64×8×8
//	stage 3  5 cells at 64 channels                              64×8×8
//	head     BN, ReLU, global average pool, linear 64→10         10
//
// A cell has nodes 0..3; node 0 is the cell input, node j the sum of the
// edge operations from every node i<j, node 3 the output. Edge operations
// follow the reference implementation: none is x·0 (a real pass over the
// tensor, as the measured devices ran it), skip_connect the identity,
// nor_conv_k×k ReLU-conv-BN with padding (k-1)/2, avg_pool_3x3 stride 1
// padding 1 dividing by the number of in-bounds taps
// (count_include_pad=False).
//
// Weights are pseudo-random (He-uniform convolutions, batch norms near
// identity) from a PCG stream seeded by seed; no global random state. Batch
// norms are folded into the preceding convolution's weights and bias at
// construction.
//
// # FBNet
//
// NewFBNet(arch, seed) builds HW-NAS-Bench's FBNet CIFAR-100 network
// (FBNet_Infer in RICE-EIC/HW-NAS-Bench,
// hw_nas_bench_api/fbnet_models/model_infer.py; the skeleton is written
// out in package fbnet's comment): stem conv3×3 3→16 + BN + ReLU, 22
// layers in 7 stages (16, 24, 32, 64, 112, 184, 352 channels; strides 1,
// 1, 2, 2, 1, 2, 1 at each stage's first layer), head conv1×1 352→1504 +
// BN + ReLU, global average pool, linear 1504→100. A block is conv1×1
// (groups g) + BN + ReLU, channel shuffle when g = 2, depthwise k×k
// stride s + BN + ReLU, conv1×1 (groups g) + BN, plus the input when s = 1
// and the widths match; skip is the identity (no work at all) or, where
// the shape changes, conv1×1/s + BN + ReLU.
//
// The depthwise convolution is its own kernel (depthwise.go); each group
// of a grouped 1×1 convolution is one packed GEMM (pointwise.go), since a
// group's channels are contiguous in CHW; the channel shuffle is a real
// pass of plane copies, as the measured devices ran it. The residual add is
// free: the projection GEMM accumulates into the block's input buffer.
// Against the float64 reference the logits agree to 1e-4 of their largest
// magnitude (every choice at every layer is tested), and MACs()+100 equals
// fbnet.FLOPs. Both network types implement Net (Forward, Input, Output,
// MACs), which is all a timing loop needs.
//
// # Tensors and buffers
//
// A tensor is a flat []float32 in CHW order (channel-major, then rows), its
// shape implied by the layer, like image.RGBA's flat pixels. The Network
// allocates every activation and scratch buffer in New; Forward allocates
// nothing (the tests check testing.AllocsPerRun == 0), so timing it measures
// arithmetic, not the garbage collector.
//
// Input returns the network's own 3×32×32 input buffer (filled
// deterministically by New); callers may overwrite it. Output returns the
// network's 10-logit buffer, overwritten by each Forward. A Network is not
// safe for concurrent use; build one per goroutine.
//
// # Sharing (OFA)
//
// OFA networks are 25-52 MB each and a profile holds 22-32 at once, so an
// OFABuilder builds them sharing what two deployed copies could share
// without running differently: the folded, packed weights of identical
// layers (a block's weights depend only on its slot, kernel and
// expansion, each drawn from a stream of its own; the head is the same in
// every network) and one set of activation buffers. NewOFA builds a
// network alone, with the same weights. The networks of one builder run
// one at a time; see OFABuilder for the copies rule and lifetimes.
//
// # How it is fast
//
// Convolutions are matrix products C = A·B on packed operands (gemm.go):
// the weights (A, cout × cin·k·k) are packed into 4-row panels once in New;
// the input side (B) is written directly in 4-column panels, by im2col from
// a zero-bordered ReLU'd copy (stem, stride-2 and 1×1 layers) or by the
// Winograd F(4×4,3×3) input transform (every 3×3 stride-1 layer: 36
// products of cout×cin by cin×tiles, 4× fewer multiplies than direct;
// F(2×2,3×3), 2.25×, remains for outputs that are not a multiple of 4 and
// as a benchmark baseline). Against the float64 reference the whole
// network's logits agree to about 1e-6 of their largest magnitude. Bias
// (the folded batch norm) is added in the store. A 4×4 register-blocked
// micro-kernel (kernel.go), unrolled 4× over K, without bounds checks in
// its loop, does the products. Go compiles differently per target, so the
// kernel does too (runtime.GOARCH is a constant; no build tags): natively
// two 4×2 passes (one 4×4 pass spills registers), under WASM one 4×4 pass,
// with the kernel written into the GEMM loop for short products because a
// Go call under WASM costs about as much as a 4×4×16 block.
//
// # The simd experiment
//
// Built with Go 1.27 and GOEXPERIMENT=simd (as the Makefile builds the
// page), the hottest loops run in the portable simd package's vectors,
// which compile to WebAssembly SIMD (4 float32 lanes): the packed GEMM
// (simd_on.go, 4 rows by 8 columns in 8 vector accumulators), the stride-1
// depthwise rows of at least 4 vectors and the ReLU and h-swish passes.
// simd.go decides once per layer whether they apply; the default build
// (simd_off.go) and everything the vectors do not cover keep the portable
// kernels above, and the same tests check both builds against the same
// float64 references. Natively the vectors are as wide as the CPU's (16
// lanes with AVX-512): the depthwise and activation kernels work at any
// width, the GEMM, whose packed panels are 4 wide, only at 4 lanes
// (GODEBUG=simd=128).
//
// Cell nodes accumulate edge outputs in place: the first edge into a node
// writes, later ones add, so there is no zero fill or separate sum pass.
// Forward is single-threaded on purpose: it is a latency probe of one core.
//
// # Benchmarks
//
// Natively:
//
//	go test -run '^$' -bench . ./engine/
//
// As WebAssembly under Node (Go's wasm_exec; Node must be on PATH):
//
//	GOOS=js GOARCH=wasm go test -run '^$' -bench . ./engine/ \
//		-exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
//
// The tests run under WASM the same way (-short skips the slowest
// whole-network reference comparisons):
//
//	GOOS=js GOARCH=wasm go test -short ./engine/ \
//		-exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec"
//
// BenchmarkConv reports GFLOP/s (2·MACs of the direct convolution per
// second; Winograd layers are credited with the direct convolution's work)
// per layer shape for the engine and a naive direct convolution in the same
// run; the ratio is the speed-up. BenchmarkForward reports the forward time
// of the smallest, median and largest networks by nasbench201.FLOPs (ties
// broken by index). Each benchmark reports the mean wall time, as "-best"
// the fastest single call and, on Linux, as "-cpu" the mean thread CPU
// time: on a shared machine the mean wall time includes time the process
// spent descheduled, the other two do not.
package engine

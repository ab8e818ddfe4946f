package engine

// Where the simd experiment's kernels (simd_on.go) replace the portable
// ones. The decisions are made here, once per layer or call, from
// vecLanes (0 in the default build, so every test below is false there):
// under WASM a call into a simd function goes through a trampoline that
// picks its vector-width variant, which per depthwise row of 7 cost more
// than the row's work (measured), so short rows never make that call.

// gemmVecOK reports whether gemm uses gemmVec: the packed layout's 4
// columns need vectors of exactly 4 lanes.
func gemmVecOK() bool { return vecLanes() == 4 }

// dwRowsVec reports whether a depthwise layer of output width ow at the
// given stride computes its rows with dwRowVec: stride 1 only (stride 2
// taps every other input), and rows of at least 4 vectors, since on the
// late stages' rows of 7 and 14 at 4 lanes the passes' calls and the
// whole tail vector outweigh the vector taps (measured).
func dwRowsVec(ow, stride int) bool {
	l := vecLanes()
	return l > 0 && stride == 1 && ow >= 4*l
}

// actVec reports whether applyAct uses applyActVec on n elements: ReLU
// and h-swish, vectors of at most 16 lanes, and at least 4 vectors (on
// shorter rows the scalar tail and the sum across lanes cost more than
// the vectors save).
func actVec(n int, a act) bool {
	l := vecLanes()
	return l > 0 && l <= 16 && n >= 4*l && (a == actReLU || a == actHSwish)
}

//go:build !goexperiment.simd

package engine

// The default build: no simd experiment, the portable kernels only (see
// simd_on.go for the build that has it). vecLanes is 0, so the kernels
// below are never called; they exist only so that callers compile.

// simdBuild reports that this is not the simd build.
const simdBuild = false

// vecLanes is the number of float32s in a simd vector: none here.
func vecLanes() int { return 0 }

func gemmVec(c []float32, a packedA, b []float32, n int, bias []float32, add bool) {
	panic("engine: gemmVec without GOEXPERIMENT=simd")
}

func dwRowVec(out, in []float32, pw int, w []float32, bias float32, k int) {
	panic("engine: dwRowVec without GOEXPERIMENT=simd")
}

func applyActVec(x []float32, a act) float32 {
	panic("engine: applyActVec without GOEXPERIMENT=simd")
}

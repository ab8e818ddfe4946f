//go:build !goexperiment.simd

package engine

// The default build: no simd experiment, the portable kernels only (see
// simd_on.go for the build that has it).

// simdBuild reports that this is not the simd build.
const simdBuild = false

// vec4 reports whether simd vectors hold exactly 4 float32s: never here.
func vec4() bool { return false }

// gemmVec declines: the portable kernel computes the product.
func gemmVec(c []float32, a packedA, b []float32, n int, bias []float32, add bool) bool {
	return false
}

// dwRowVec declines: the portable row passes compute the row.
func dwRowVec(out, in []float32, pw int, w []float32, bias float32, k, stride int) bool {
	return false
}

// applyActVec declines: the portable loop applies the activation.
func applyActVec(x []float32, a act) (float32, bool) { return 0, false }

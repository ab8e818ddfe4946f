//go:build !amd64

package affine32

func combine(y, bias, m, coef []float32, offs []int32, relu bool) {
	combineGo(y, bias, m, coef, offs, relu)
}

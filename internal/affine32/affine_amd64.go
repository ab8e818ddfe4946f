package affine32

import "golang.org/x/sys/cpu"

// useFMA selects the assembly kernel. It is a fact about the machine, set
// once at start-up (tests switch it off to exercise the portable kernel).
var useFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// rowFMA is combineGo for the first cols outputs (a multiple of 4), in
// AVX2/FMA assembly.
//
//go:noescape
func rowFMA(y, bias, w, vals *float32, offs *int32, k, cols int, relu bool)

func combine(y, bias, m, coef []float32, offs []int32, relu bool) {
	out := len(y)
	cols := out &^ 3
	if !useFMA || cols == 0 {
		combineGo(y, bias, m, coef, offs, relu)
		return
	}
	// The kernel reads m[offs[t] : offs[t]+cols] unchecked: Rows and
	// Combine have checked that every such row lies inside m.
	var cp *float32
	var op *int32
	if len(coef) > 0 {
		cp, op = &coef[0], &offs[0]
	}
	rowFMA(&y[0], &bias[0], &m[0], cp, op, len(coef), cols, relu)
	if cols < out {
		combineGo(y[cols:], bias[cols:], m[cols:], coef, offs, relu)
	}
}

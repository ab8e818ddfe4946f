package engine

// The parameter-free cell operations. Each writes (add == false) or adds
// (add == true) its result into dst, so a node is the sum of its incoming
// edges without a separate zero fill or summation pass.

// zeroOp is NAS-Bench-201's "none" edge as the reference implementation
// runs it: x.mul(0.), a real pass over the tensor (and NaN-propagating, so
// the compiler cannot drop it).
func zeroOp(dst, x []float32, add bool) {
	x = x[:len(dst)]
	if add {
		for i := range dst {
			dst[i] += x[i] * 0
		}
		return
	}
	for i := range dst {
		dst[i] = x[i] * 0
	}
}

// skipOp is the identity edge.
func skipOp(dst, x []float32, add bool) {
	x = x[:len(dst)]
	if add {
		for i := range dst {
			dst[i] += x[i]
		}
		return
	}
	copy(dst, x)
}

// avgPoolScratchLen is the scratch avgPool3x3 needs for h×w planes.
func avgPoolScratchLen(h, w int) int { return h*w + w }

// avgPool3x3 is a 3×3 average pool, stride 1, padding 1, over each of the
// ch planes of the ch×h×w tensor x, dividing by the number of in-bounds
// taps (count_include_pad=False). It is separable: horizontal 3-sums into
// scratch, then vertical sums, so each tap is one add, not a clipped 3×3
// window per pixel.
func avgPool3x3(dst, x []float32, ch, h, w int, add bool, scratch []float32) {
	hs := scratch[:h*w]
	v := scratch[h*w : h*w+w]
	for c := 0; c < ch; c++ {
		in := x[c*h*w : (c+1)*h*w]
		out := dst[c*h*w : (c+1)*h*w]
		for y := 0; y < h; y++ {
			r := in[y*w : (y+1)*w]
			s := hs[y*w : (y+1)*w]
			if w == 1 {
				s[0] = r[0]
				continue
			}
			s[0] = r[0] + r[1]
			for i := 1; i < w-1; i++ {
				s[i] = r[i-1] + r[i] + r[i+1]
			}
			s[w-1] = r[w-2] + r[w-1]
		}
		for y := 0; y < h; y++ {
			mid := hs[y*w : (y+1)*w]
			rows := 1
			switch {
			case y > 0 && y < h-1:
				up, down := hs[(y-1)*w:y*w], hs[(y+1)*w:(y+2)*w]
				for i := range v {
					v[i] = up[i] + mid[i] + down[i]
				}
				rows = 3
			case y > 0:
				up := hs[(y-1)*w : y*w]
				for i := range v {
					v[i] = up[i] + mid[i]
				}
				rows = 2
			case y < h-1:
				down := hs[(y+1)*w : (y+2)*w]
				for i := range v {
					v[i] = mid[i] + down[i]
				}
				rows = 2
			default:
				copy(v, mid)
			}
			o := out[y*w : (y+1)*w]
			edge := 1 / float32(rows*min(w, 2))
			inner := 1 / float32(rows*3)
			if add {
				o[0] += v[0] * edge
				for i := 1; i < w-1; i++ {
					o[i] += v[i] * inner
				}
				if w > 1 {
					o[w-1] += v[w-1] * edge
				}
			} else {
				o[0] = v[0] * edge
				for i := 1; i < w-1; i++ {
					o[i] = v[i] * inner
				}
				if w > 1 {
					o[w-1] = v[w-1] * edge
				}
			}
		}
	}
}

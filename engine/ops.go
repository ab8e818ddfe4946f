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

// avgPool3x3 is a 3×3 average pool, stride 1, padding 1, over each of the
// ch planes of the ch×h×w tensor x, dividing by the number of in-bounds
// taps (count_include_pad=False).
func avgPool3x3(dst, x []float32, ch, h, w int, add bool) {
	for c := 0; c < ch; c++ {
		in := x[c*h*w : (c+1)*h*w]
		out := dst[c*h*w : (c+1)*h*w]
		for y := 0; y < h; y++ {
			y0, y1 := max(y-1, 0), min(y+1, h-1)
			rows := float32(y1 - y0 + 1)
			for xx := 0; xx < w; xx++ {
				x0, x1 := max(xx-1, 0), min(xx+1, w-1)
				var s float32
				for yy := y0; yy <= y1; yy++ {
					r := in[yy*w+x0 : yy*w+x1+1]
					for _, v := range r {
						s += v
					}
				}
				v := s / (rows * float32(x1-x0+1))
				if add {
					out[y*w+xx] += v
				} else {
					out[y*w+xx] = v
				}
			}
		}
	}
}

package engine

// The parameter-free cell operations. Each writes (add == false) or adds
// (add == true) its result into dst, so a node is the sum of its incoming
// edges without a separate zero fill or summation pass.

// zeroOp is NAS-Bench-201's "none" edge as the reference implementation
// runs it: x.mul(0.), a real pass over the tensor (and NaN-propagating, so
// the compiler cannot drop it). Loops here are unrolled by 4, which halves
// their cost under WASM (loop control is a large part of a short body).
func zeroOp(dst, x []float32, add bool) {
	x = x[:len(dst)]
	i := 0
	if add {
		for ; i+3 < len(dst); i += 4 {
			d, s := (*[4]float32)(dst[i:]), (*[4]float32)(x[i:])
			d[0], d[1], d[2], d[3] = d[0]+s[0]*0, d[1]+s[1]*0, d[2]+s[2]*0, d[3]+s[3]*0
		}
		for ; i < len(dst); i++ {
			dst[i] += x[i] * 0
		}
		return
	}
	for ; i+3 < len(dst); i += 4 {
		d, s := (*[4]float32)(dst[i:]), (*[4]float32)(x[i:])
		d[0], d[1], d[2], d[3] = s[0]*0, s[1]*0, s[2]*0, s[3]*0
	}
	for ; i < len(dst); i++ {
		dst[i] = x[i] * 0
	}
}

// skipOp is the identity edge.
func skipOp(dst, x []float32, add bool) {
	if !add {
		copy(dst, x)
		return
	}
	x = x[:len(dst)]
	i := 0
	for ; i+3 < len(dst); i += 4 {
		d, s := (*[4]float32)(dst[i:]), (*[4]float32)(x[i:])
		d[0], d[1], d[2], d[3] = d[0]+s[0], d[1]+s[1], d[2]+s[2], d[3]+s[3]
	}
	for ; i < len(dst); i++ {
		dst[i] += x[i]
	}
}

// avgPoolScratchLen is the scratch avgPool3x3 needs for h×w planes.
func avgPoolScratchLen(h, w int) int { return w }

// avgPool3x3 is a 3×3 average pool, stride 1, padding 1, over each of the
// ch planes of the ch×h×w tensor x, dividing by the number of in-bounds
// taps (count_include_pad=False). It is separable: per output row, the
// vertical 3-sums go into scratch, then a horizontal 3-window over them, so
// each tap is one add rather than a clipped 3×3 window per pixel.
func avgPool3x3(dst, x []float32, ch, h, w int, add bool, scratch []float32) {
	v := scratch[:w]
	for c := 0; c < ch; c++ {
		in := x[c*h*w : (c+1)*h*w]
		out := dst[c*h*w : (c+1)*h*w]
		for y := 0; y < h; y++ {
			mid := in[y*w : (y+1)*w]
			rows := 1
			switch {
			case y > 0 && y < h-1:
				up, down := in[(y-1)*w:y*w], in[(y+1)*w:(y+2)*w]
				up, down = up[:len(v)], down[:len(v)]
				for i := range v {
					v[i] = up[i] + mid[i] + down[i]
				}
				rows = 3
			case y > 0:
				up := in[(y-1)*w : y*w]
				up = up[:len(v)]
				for i := range v {
					v[i] = up[i] + mid[i]
				}
				rows = 2
			case y < h-1:
				down := in[(y+1)*w : (y+2)*w]
				down = down[:len(v)]
				for i := range v {
					v[i] = mid[i] + down[i]
				}
				rows = 2
			default:
				copy(v, mid)
			}
			poolRow(out[y*w:(y+1)*w], v, rows, add)
		}
	}
}

// poolRow sets (or adds to) o[x] the mean of the column sums v[x-1..x+1]
// that exist, each sum covering rows input rows.
func poolRow(o, v []float32, rows int, add bool) {
	w := len(v)
	o = o[:w]
	if w == 1 {
		r := v[0] / float32(rows)
		if add {
			o[0] += r
		} else {
			o[0] = r
		}
		return
	}
	edge := 1 / float32(rows*2)
	inner := 1 / float32(rows*3)
	first, last := (v[0]+v[1])*edge, (v[w-2]+v[w-1])*edge
	if add {
		for x := 1; x < w-1; x++ {
			o[x] += (v[x-1] + v[x] + v[x+1]) * inner
		}
		o[0] += first
		o[w-1] += last
		return
	}
	for x := 1; x < w-1; x++ {
		o[x] = (v[x-1] + v[x] + v[x+1]) * inner
	}
	o[0] = first
	o[w-1] = last
}

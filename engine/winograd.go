package engine

// Winograd F(2×2, 3×3) (Lavin & Gray 2016): each 2×2 output tile comes from
// a 4×4 input tile d as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. Summed over input
// channels, the elementwise product becomes 16 independent matrix products
// U_ξ (cout×cin) · V_ξ (cin×tiles), 16 multiplies per tile and channel pair
// where the direct convolution needs 36.

// winogradWeights transforms the folded cout×cin×3×3 weights into the 16
// packed matrices U_ξ = (G g Gᵀ)_ξ, computed in float64.
func winogradWeights(w []float32, cout, cin int) [16]packedA {
	g := [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	var u [16][]float32
	for xi := range u {
		u[xi] = make([]float32, cout*cin)
	}
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			f := w[(co*cin+ci)*9 : (co*cin+ci)*9+9]
			var gf [4][3]float64 // G·f
			for i := 0; i < 4; i++ {
				for j := 0; j < 3; j++ {
					for k := 0; k < 3; k++ {
						gf[i][j] += g[i][k] * float64(f[k*3+j])
					}
				}
			}
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					var s float64 // (G f Gᵀ)[i][j]
					for k := 0; k < 3; k++ {
						s += gf[i][k] * g[j][k]
					}
					u[i*4+j][co*cin+ci] = float32(s)
				}
			}
		}
	}
	var p [16]packedA
	for xi := range p {
		p[xi] = packA(u[xi], cout, cin)
	}
	return p
}

// winogradForward runs the layer: input transform into 16 packed B
// operands in bs, 16 products into ms, output transform into dst.
func (c *conv) winogradForward(dst, x, bs, ms []float32, add bool) {
	th, tw := c.oh/2, c.ow/2
	t := th * tw
	vlen := packedBLen(c.cin, t)
	mlen := c.cout * t
	c.winogradInput(bs[:16*vlen], x, th, tw, vlen)
	for xi := 0; xi < 16; xi++ {
		gemm(ms[xi*mlen:(xi+1)*mlen], c.u[xi], bs[xi*vlen:(xi+1)*vlen], t, nil, false)
	}
	c.winogradOutput(dst, ms[:16*mlen], th, tw, mlen, add)
}

// winogradInput computes V = Bᵀ d B for every input channel and tile of the
// (optionally ReLU'd, zero-padded) input, scattering the 16 values of each
// into the packed B operands, operand ξ at offset ξ·vlen.
func (c *conv) winogradInput(bs, x []float32, th, tw, vlen int) {
	h, w := c.h, c.w
	for ci := 0; ci < c.cin; ci++ {
		plane := x[ci*h*w : (ci+1)*h*w]
		for ty := 0; ty < th; ty++ {
			for tx := 0; tx < tw; tx++ {
				var d [4][4]float32
				y0, x0 := 2*ty-1, 2*tx-1
				if y0 >= 0 && x0 >= 0 && y0+4 <= h && x0+4 <= w {
					for i := 0; i < 4; i++ {
						row := plane[(y0+i)*w+x0 : (y0+i)*w+x0+4]
						d[i] = [4]float32{reluIf(row[0], c.reluIn), reluIf(row[1], c.reluIn), reluIf(row[2], c.reluIn), reluIf(row[3], c.reluIn)}
					}
				} else {
					for i := 0; i < 4; i++ {
						y := y0 + i
						if y < 0 || y >= h {
							continue
						}
						for j := 0; j < 4; j++ {
							xx := x0 + j
							if xx >= 0 && xx < w {
								d[i][j] = reluIf(plane[y*w+xx], c.reluIn)
							}
						}
					}
				}
				// Bᵀ d: rows (d0-d2, d1+d2, d2-d1, d1-d3).
				var e [4][4]float32
				for j := 0; j < 4; j++ {
					e[0][j] = d[0][j] - d[2][j]
					e[1][j] = d[1][j] + d[2][j]
					e[2][j] = d[2][j] - d[1][j]
					e[3][j] = d[1][j] - d[3][j]
				}
				t := ty*tw + tx
				off := (t/nr)*c.cin*nr + ci*nr + t%nr
				// (Bᵀ d) B: the same combination of columns.
				for i := 0; i < 4; i++ {
					r := e[i]
					bs[(i*4+0)*vlen+off] = r[0] - r[2]
					bs[(i*4+1)*vlen+off] = r[1] + r[2]
					bs[(i*4+2)*vlen+off] = r[2] - r[1]
					bs[(i*4+3)*vlen+off] = r[1] - r[3]
				}
			}
		}
	}
}

// winogradOutput computes Y = Aᵀ M A + bias per output channel and tile and
// writes or adds it into dst.
func (c *conv) winogradOutput(dst, ms []float32, th, tw, mlen int, add bool) {
	t := th * tw
	ow := c.ow
	for co := 0; co < c.cout; co++ {
		var bias float32
		if c.bias != nil {
			bias = c.bias[co]
		}
		out := dst[co*c.oh*ow : (co+1)*c.oh*ow]
		for ty := 0; ty < th; ty++ {
			for tx := 0; tx < tw; tx++ {
				idx := co*t + ty*tw + tx
				var m [16]float32
				for xi := range m {
					m[xi] = ms[xi*mlen+idx]
				}
				// Aᵀ m: rows (m0+m1+m2, m1-m2-m3).
				var r [2][4]float32
				for j := 0; j < 4; j++ {
					r[0][j] = m[j] + m[4+j] + m[8+j]
					r[1][j] = m[4+j] - m[8+j] - m[12+j]
				}
				y00 := r[0][0] + r[0][1] + r[0][2] + bias
				y01 := r[0][1] - r[0][2] - r[0][3] + bias
				y10 := r[1][0] + r[1][1] + r[1][2] + bias
				y11 := r[1][1] - r[1][2] - r[1][3] + bias
				o0 := out[2*ty*ow+2*tx : 2*ty*ow+2*tx+2]
				o1 := out[(2*ty+1)*ow+2*tx : (2*ty+1)*ow+2*tx+2]
				if add {
					o0[0] += y00
					o0[1] += y01
					o1[0] += y10
					o1[1] += y11
				} else {
					o0[0], o0[1] = y00, y01
					o1[0], o1[1] = y10, y11
				}
			}
		}
	}
}

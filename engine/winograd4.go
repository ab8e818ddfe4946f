package engine

// Winograd F(4×4, 3×3): each 4×4 output tile comes from a 6×6 input tile
// as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, 36 multiplies per tile and channel pair
// where F(2×2, 3×3) needs 64 and the direct convolution 144. The transforms
// cost more per tile, so it pays where the products dominate (32 and 64
// channels); see BenchmarkConv.

// winograd4Weights transforms the folded cout×cin×3×3 weights for
// F(4×4, 3×3) (see transformWeights).
func winograd4Weights(w []float32, cout, cin int) []packedA {
	return transformWeights(w, cout, cin, [][3]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	})
}

// winograd4Forward runs the layer: pad (and ReLU) the input, transform it
// into 36 packed B operands in bs, multiply into ms, transform the products
// into dst.
func (c *conv) winograd4Forward(dst, x, bs, ms []float32, add bool) {
	th, tw := c.oh/4, c.ow/4
	t := th * tw
	vlen := packedBLen(c.cin, t)
	mlen := c.cout * t
	padded := bs[36*vlen : 36*vlen+c.cin*(c.h+2)*(c.w+2)]
	padReLU(padded, x, c.cin, c.h, c.w, 1, c.reluIn)
	c.winograd4Input(bs[:36*vlen], padded, th, tw, vlen)
	for xi := 0; xi < 36; xi++ {
		gemm(ms[xi*mlen:(xi+1)*mlen], c.u[xi], bs[xi*vlen:(xi+1)*vlen], t, nil, false)
	}
	c.winograd4Output(dst, ms[:36*mlen], th, tw, mlen, add)
}

// bt6 applies Bᵀ of F(4×4, 3×3) to one 6-vector.
func bt6(d0, d1, d2, d3, d4, d5 float32) (o0, o1, o2, o3, o4, o5 float32) {
	o0 = 4*d0 - 5*d2 + d4
	o1 = -4*d1 - 4*d2 + d3 + d4
	o2 = 4*d1 - 4*d2 - d3 + d4
	o3 = -2*d1 - d2 + 2*d3 + d4
	o4 = 2*d1 - d2 - 2*d3 + d4
	o5 = 4*d1 - 5*d3 + d5
	return
}

// winograd4Input computes V = Bᵀ d B for every channel and 6×6 tile d (at
// stride 4) of the padded input, scattering the 36 values of each into the
// packed B operands, operand ξ at offset ξ·vlen.
func (c *conv) winograd4Input(bs, padded []float32, th, tw, vlen int) {
	pw := c.w + 2
	plen := (c.h + 2) * pw
	var e [6][6]float32 // Bᵀ d, row-major
	for ci := 0; ci < c.cin; ci++ {
		plane := padded[ci*plen : (ci+1)*plen]
		for ty := 0; ty < th; ty++ {
			for tx := 0; tx < tw; tx++ {
				base := 4*ty*pw + 4*tx
				// Bᵀ over rows, one column at a time.
				for j := 0; j < 6; j++ {
					col := plane[base+j : base+j+5*pw+1]
					e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j] = bt6(col[0], col[pw], col[2*pw], col[3*pw], col[4*pw], col[5*pw])
				}
				t := ty*tw + tx
				off := (t/nr)*c.cin*nr + ci*nr + t%nr
				// · B over columns, one row at a time.
				for i := 0; i < 6; i++ {
					r := &e[i]
					o0, o1, o2, o3, o4, o5 := bt6(r[0], r[1], r[2], r[3], r[4], r[5])
					v := bs[i*6*vlen+off:]
					v[0*vlen], v[1*vlen], v[2*vlen] = o0, o1, o2
					v[3*vlen], v[4*vlen], v[5*vlen] = o3, o4, o5
				}
			}
		}
	}
}

// at6 applies Aᵀ of F(4×4, 3×3) to one 6-vector.
func at6(m0, m1, m2, m3, m4, m5 float32) (y0, y1, y2, y3 float32) {
	s12, d12 := m1+m2, m1-m2
	s34, d34 := m3+m4, m3-m4
	return m0 + s12 + s34, d12 + 2*d34, s12 + 4*s34, d12 + 8*d34 + m5
}

// winograd4Output computes Y = Aᵀ M A + bias per output channel and tile
// and writes or adds it into dst.
func (c *conv) winograd4Output(dst, ms []float32, th, tw, mlen int, add bool) {
	t := th * tw
	ow := c.ow
	var r [4][6]float32 // Aᵀ M
	for co := 0; co < c.cout; co++ {
		var bias float32
		if c.bias != nil {
			bias = c.bias[co]
		}
		out := dst[co*c.oh*ow : (co+1)*c.oh*ow]
		for ty := 0; ty < th; ty++ {
			for tx := 0; tx < tw; tx++ {
				v := ms[co*t+ty*tw+tx:]
				for j := 0; j < 6; j++ {
					r[0][j], r[1][j], r[2][j], r[3][j] = at6(v[j*mlen], v[(6+j)*mlen], v[(12+j)*mlen], v[(18+j)*mlen], v[(24+j)*mlen], v[(30+j)*mlen])
				}
				for i := 0; i < 4; i++ {
					y0, y1, y2, y3 := at6(r[i][0], r[i][1], r[i][2], r[i][3], r[i][4], r[i][5])
					o := (*[4]float32)(out[(4*ty+i)*ow+4*tx:])
					if add {
						o[0], o[1], o[2], o[3] = o[0]+y0+bias, o[1]+y1+bias, o[2]+y2+bias, o[3]+y3+bias
					} else {
						o[0], o[1], o[2], o[3] = y0+bias, y1+bias, y2+bias, y3+bias
					}
				}
			}
		}
	}
}

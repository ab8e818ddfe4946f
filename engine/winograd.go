package engine

// Winograd F(2×2, 3×3) (Lavin & Gray 2016): each 2×2 output tile comes from
// a 4×4 input tile d as Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A. Summed over input
// channels, the elementwise product becomes 16 independent matrix products
// U_ξ (cout×cin) · V_ξ (cin×tiles), 16 multiplies per tile and channel pair
// where the direct convolution needs 36.

// winogradWeights transforms the folded cout×cin×3×3 weights for
// F(2×2, 3×3) (see transformWeights).
func winogradWeights(w []float32, cout, cin int) []packedA {
	return transformWeights(w, cout, cin, [][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}})
}

// transformWeights transforms the folded cout×cin×3×3 weights into the α²
// packed matrices U_ξ = (G g Gᵀ)_ξ of the Winograd transform whose α×3
// matrix is g (α = len(g)), computed in float64.
func transformWeights(w []float32, cout, cin int, g [][3]float64) []packedA {
	alpha := len(g)
	u := make([][]float32, alpha*alpha)
	for xi := range u {
		u[xi] = make([]float32, cout*cin)
	}
	gf := make([][3]float64, alpha) // G·f
	for co := 0; co < cout; co++ {
		for ci := 0; ci < cin; ci++ {
			f := w[(co*cin+ci)*9 : (co*cin+ci)*9+9]
			clear(gf)
			for i := 0; i < alpha; i++ {
				for j := 0; j < 3; j++ {
					for k := 0; k < 3; k++ {
						gf[i][j] += g[i][k] * float64(f[k*3+j])
					}
				}
			}
			for i := 0; i < alpha; i++ {
				for j := 0; j < alpha; j++ {
					var s float64 // (G f Gᵀ)[i][j]
					for k := 0; k < 3; k++ {
						s += gf[i][k] * g[j][k]
					}
					u[i*alpha+j][co*cin+ci] = float32(s)
				}
			}
		}
	}
	p := make([]packedA, len(u))
	for xi := range p {
		p[xi] = packA(u[xi], cout, cin)
	}
	return p
}

// winogradForward runs the layer: pad (and ReLU) the input, transform it
// into 16 packed B operands in bs, multiply into ms, transform the products
// into dst.
func (c *conv) winogradForward(dst, x, bs, ms []float32, add bool) {
	th, tw := c.oh/2, c.ow/2
	t := th * tw
	vlen := packedBLen(c.cin, t)
	mlen := c.cout * t
	padded := bs[16*vlen : 16*vlen+c.cin*(c.h+2)*(c.w+2)]
	padReLU(padded, x, c.cin, c.h, c.w, 1, c.reluIn)
	c.winogradInput(bs[:16*vlen], padded, th, tw, vlen)
	for xi := 0; xi < 16; xi++ {
		gemm(ms[xi*mlen:(xi+1)*mlen], c.u[xi], bs[xi*vlen:(xi+1)*vlen], t, nil, false)
	}
	c.winogradOutput(dst, ms[:16*mlen], th, tw, mlen, add)
}

// padReLU copies the ch×h×w tensor x into the ch×(h+2p)×(w+2p) tensor dst
// with a zero border of width p, applying ReLU if relu is set, so the
// packing and tile transforms need no bounds tests.
func padReLU(dst, x []float32, ch, h, w, p int, relu bool) {
	ph, pw := h+2*p, w+2*p
	for c := 0; c < ch; c++ {
		plane := dst[c*ph*pw : (c+1)*ph*pw]
		clear(plane[:p*pw])
		clear(plane[(h+p)*pw:])
		for y := 0; y < h; y++ {
			row := plane[(y+p)*pw : (y+p+1)*pw]
			src := x[(c*h+y)*w : (c*h+y+1)*w]
			clear(row[:p])
			clear(row[p+w:])
			in := row[p : p+w]
			if relu {
				in = in[:len(src)]
				for i, v := range src {
					if v < 0 {
						v = 0
					}
					in[i] = v
				}
			} else {
				copy(in, src)
			}
		}
	}
}

// winogradInput computes V = Bᵀ d B for every channel and 4×4 tile d of the
// padded input, scattering the 16 values of each into the packed B
// operands, operand ξ at offset ξ·vlen. Bᵀ has rows (1,0,-1,0), (0,1,1,0),
// (0,-1,1,0), (0,1,0,-1).
func (c *conv) winogradInput(bs, padded []float32, th, tw, vlen int) {
	pw := c.w + 2
	plen := (c.h + 2) * pw
	bs = bs[:16*vlen]
	for ci := 0; ci < c.cin; ci++ {
		plane := padded[ci*plen : (ci+1)*plen]
		for ty := 0; ty < th; ty++ {
			rows := plane[2*ty*pw : (2*ty+4)*pw]
			r0, r1, r2, r3 := rows[:pw], rows[pw:2*pw], rows[2*pw:3*pw], rows[3*pw:4*pw]
			for tx := 0; tx < tw; tx++ {
				x := 2 * tx
				a, b, cc, d := r0[x:x+4:x+4], r1[x:x+4:x+4], r2[x:x+4:x+4], r3[x:x+4:x+4]
				// Bᵀ d (over rows), then · B (over columns).
				e00, e01, e02, e03 := a[0]-cc[0], a[1]-cc[1], a[2]-cc[2], a[3]-cc[3]
				e10, e11, e12, e13 := b[0]+cc[0], b[1]+cc[1], b[2]+cc[2], b[3]+cc[3]
				e20, e21, e22, e23 := cc[0]-b[0], cc[1]-b[1], cc[2]-b[2], cc[3]-b[3]
				e30, e31, e32, e33 := b[0]-d[0], b[1]-d[1], b[2]-d[2], b[3]-d[3]
				t := ty*tw + tx
				off := (t/nr)*c.cin*nr + ci*nr + t%nr
				v := bs[off:]
				v[0*vlen] = e00 - e02
				v[1*vlen] = e01 + e02
				v[2*vlen] = e02 - e01
				v[3*vlen] = e01 - e03
				v[4*vlen] = e10 - e12
				v[5*vlen] = e11 + e12
				v[6*vlen] = e12 - e11
				v[7*vlen] = e11 - e13
				v[8*vlen] = e20 - e22
				v[9*vlen] = e21 + e22
				v[10*vlen] = e22 - e21
				v[11*vlen] = e21 - e23
				v[12*vlen] = e30 - e32
				v[13*vlen] = e31 + e32
				v[14*vlen] = e32 - e31
				v[15*vlen] = e31 - e33
			}
		}
	}
}

// winogradOutput computes Y = Aᵀ M A + bias per output channel and tile and
// writes or adds it into dst. Aᵀ has rows (1,1,1,0) and (0,1,-1,-1).
func (c *conv) winogradOutput(dst, ms []float32, th, tw, mlen int, add bool) {
	t := th * tw
	ow := c.ow
	for co := 0; co < c.cout; co++ {
		var bias float32
		if c.bias != nil {
			bias = c.bias[co]
		}
		out := dst[co*c.oh*ow : (co+1)*c.oh*ow]
		m := ms[co*t:]
		for ty := 0; ty < th; ty++ {
			o0 := out[2*ty*ow : (2*ty+1)*ow]
			o1 := out[(2*ty+1)*ow : (2*ty+2)*ow]
			for tx := 0; tx < tw; tx++ {
				v := m[ty*tw+tx:]
				m0, m1, m2, m3 := v[0*mlen], v[1*mlen], v[2*mlen], v[3*mlen]
				m4, m5, m6, m7 := v[4*mlen], v[5*mlen], v[6*mlen], v[7*mlen]
				m8, m9, m10, m11 := v[8*mlen], v[9*mlen], v[10*mlen], v[11*mlen]
				m12, m13, m14, m15 := v[12*mlen], v[13*mlen], v[14*mlen], v[15*mlen]
				r00, r01, r02, r03 := m0+m4+m8, m1+m5+m9, m2+m6+m10, m3+m7+m11
				r10, r11, r12, r13 := m4-m8-m12, m5-m9-m13, m6-m10-m14, m7-m11-m15
				y00 := r00 + r01 + r02 + bias
				y01 := r01 - r02 - r03 + bias
				y10 := r10 + r11 + r12 + bias
				y11 := r11 - r12 - r13 + bias
				p0, p1 := o0[2*tx:2*tx+2:2*tx+2], o1[2*tx:2*tx+2:2*tx+2]
				if add {
					p0[0] += y00
					p0[1] += y01
					p1[0] += y10
					p1[1] += y11
				} else {
					p0[0], p0[1] = y00, y01
					p1[0], p1[1] = y10, y11
				}
			}
		}
	}
}

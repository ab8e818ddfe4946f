package predictor

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// The building blocks of the network, each with its forward pass, its
// backward pass and Pearlmutter's R-operator versions of both (the
// directional derivative along a parameter direction rth). Matrices are
// row-major with one row per sample (or per graph node).

var impl gonum.Implementation

// gemm is gonum's Dgemm computed tile by tile, each tile small enough that
// gonum runs it serially: its parallel path allocates and starts goroutines
// on every call, which costs more than it gains for our shapes (and buys
// nothing in WebAssembly); meta-training parallelises across tasks instead.
func gemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	const tileM, tileN = 64, 192 // gonum goes parallel from 4 blocks of 64x64
	for i0 := 0; i0 < m; i0 += tileM {
		mi := min(tileM, m-i0)
		var ai []float64
		if tA == blas.Trans {
			ai = a[i0:]
		} else {
			ai = a[i0*lda:]
		}
		for j0 := 0; j0 < n; j0 += tileN {
			nj := min(tileN, n-j0)
			var bj []float64
			if tB == blas.Trans {
				bj = b[j0*ldb:]
			} else {
				bj = b[j0:]
			}
			impl.Dgemm(tA, tB, mi, nj, k, alpha, ai, lda, bj, ldb, beta, c[i0*ldc+j0:], ldc)
		}
	}
}

func (d dense) weight(th []float64) []float64 { return th[d.w : d.w+d.in*d.out] }
func (d dense) bias(th []float64) []float64   { return th[d.b : d.b+d.out] }

// transposeMin is the batch size from which products with a stored-
// transposed weight first transpose it into scratch: gonum's NoTrans x
// NoTrans kernel skips the zeros of its left operand (ReLU outputs and
// masked adjoints are about half zeros), its NoTrans x Trans kernel does not.
const transposeMin = 8

// gemmOpW computes y += alpha * x op(W) for n rows of x. wt, if not nil, is
// scratch of at least in*out values.
func (d dense) gemmOpW(y, x []float64, n int, alpha float64, W, wt []float64) {
	if !d.inOut && wt != nil && n >= transposeMin {
		wt = wt[:d.in*d.out]
		transposeTo(wt, W, d.out, d.in)
		gemm(blas.NoTrans, blas.NoTrans, n, d.out, d.in, alpha, x, d.in, wt, d.out, 1, y, d.out)
		return
	}
	if d.inOut {
		gemm(blas.NoTrans, blas.NoTrans, n, d.out, d.in, alpha, x, d.in, W, d.out, 1, y, d.out)
	} else {
		gemm(blas.NoTrans, blas.Trans, n, d.out, d.in, alpha, x, d.in, W, d.in, 1, y, d.out)
	}
}

// gemmOpWT computes dx = dy op(W)^T (beta 0 overwrites, beta 1 adds); wt
// as for gemmOpW.
func (d dense) gemmOpWT(dx, dy []float64, n int, beta float64, W, wt []float64) {
	if d.inOut && wt != nil && n >= transposeMin {
		wt = wt[:d.in*d.out]
		transposeTo(wt, W, d.in, d.out)
		gemm(blas.NoTrans, blas.NoTrans, n, d.in, d.out, 1, dy, d.out, wt, d.in, beta, dx, d.in)
		return
	}
	if d.inOut {
		gemm(blas.NoTrans, blas.Trans, n, d.in, d.out, 1, dy, d.out, W, d.out, beta, dx, d.in)
	} else {
		gemm(blas.NoTrans, blas.NoTrans, n, d.in, d.out, 1, dy, d.out, W, d.in, beta, dx, d.in)
	}
}

// gemmGradW computes gW += x^T dy laid out like W.
func (d dense) gemmGradW(gW, x, dy []float64, n int) {
	if d.inOut {
		gemm(blas.Trans, blas.NoTrans, d.in, d.out, n, 1, x, d.in, dy, d.out, 1, gW, d.out)
	} else {
		gemm(blas.Trans, blas.NoTrans, d.out, d.in, n, 1, dy, d.out, x, d.in, 1, gW, d.in)
	}
}

// forward sets y = x op(W) + b.
// wt is optional transposition scratch (see gemmOpW) for this and the
// other passes below.
func (d dense) forward(y, x []float64, n int, th, wt []float64) {
	b := d.bias(th)
	for r := 0; r < n; r++ {
		copy(y[r*d.out:(r+1)*d.out], b)
	}
	d.gemmOpW(y, x, n, 1, d.weight(th), wt)
}

// forwardR sets ry = rx op(W) + x op(RW) + Rb; rx nil means the input does
// not depend on the parameters.
func (d dense) forwardR(ry, x, rx []float64, n int, th, rth, wt []float64) {
	d.forward(ry, x, n, rth, wt)
	if rx != nil {
		d.gemmOpW(ry, rx, n, 1, d.weight(th), wt)
	}
}

// backward adds the parameter gradient to g and, if dx is not nil, sets
// dx = dy op(W)^T.
func (d dense) backward(dx, g, dy, x []float64, n int, th, wt []float64) {
	d.gemmGradW(d.weight(g), x, dy, n)
	gb := d.bias(g)
	for r := 0; r < n; r++ {
		row := dy[r*d.out : (r+1)*d.out]
		for j, v := range row {
			gb[j] += v
		}
	}
	if dx != nil {
		d.gemmOpWT(dx, dy, n, 0, d.weight(th), wt)
	}
}

// backwardR is the R-operator of backward: rg += R{g}, rdx = R{dx}.
func (d dense) backwardR(rdx, rg, dy, rdy, x, rx []float64, n int, th, rth, wt []float64) {
	d.backward(rdx, rg, rdy, x, n, th, wt)
	if rx != nil {
		d.gemmGradW(d.weight(rg), rx, dy, n)
	}
	if rdx != nil {
		d.gemmOpWT(rdx, dy, n, 1, d.weight(rth), wt)
	}
}

// relu sets h = max(pre, 0).
func relu(h, pre []float64) {
	for i, v := range pre {
		if v > 0 {
			h[i] = v
		} else {
			h[i] = 0
		}
	}
}

// reluMask sets dst = src where pre > 0, else 0 (ReLU's derivative; its
// second derivative is zero almost everywhere).
func reluMask(dst, src, pre []float64) {
	for i, v := range pre {
		if v > 0 {
			dst[i] = src[i]
		} else {
			dst[i] = 0
		}
	}
}

// aggregate sets z = A h per graph: z[g,i,:] = sum_j A_g[i][j] h[g,j,:] for
// nodes i in [from, nodes). h holds nodes rows of width f per graph; z holds
// nodes-from rows per graph.
func aggregate(z, h, adj []float64, graphs, nodes, from, f int) {
	rows := nodes - from
	for g := 0; g < graphs; g++ {
		A := adj[g*nodes*nodes : (g+1)*nodes*nodes]
		hg := h[g*nodes*f : (g+1)*nodes*f]
		for i := from; i < nodes; i++ {
			zi := z[(g*rows+i-from)*f : (g*rows+i-from+1)*f]
			clear(zi)
			for j := 0; j < nodes; j++ {
				a := A[i*nodes+j]
				if a == 0 {
					continue
				}
				hj := hg[j*f : (j+1)*f]
				for c, v := range hj {
					zi[c] += a * v
				}
			}
		}
	}
}

// aggregateBackward sets dh = A^T dz, the adjoint of aggregate.
func aggregateBackward(dh, dz, adj []float64, graphs, nodes, from, f int) {
	rows := nodes - from
	clear(dh[:graphs*nodes*f])
	for g := 0; g < graphs; g++ {
		A := adj[g*nodes*nodes : (g+1)*nodes*nodes]
		dhg := dh[g*nodes*f : (g+1)*nodes*f]
		for i := from; i < nodes; i++ {
			dzi := dz[(g*rows+i-from)*f : (g*rows+i-from+1)*f]
			for j := 0; j < nodes; j++ {
				a := A[i*nodes+j]
				if a == 0 {
					continue
				}
				dhj := dhg[j*f : (j+1)*f]
				for c, v := range dzi {
					dhj[c] += a * v
				}
			}
		}
	}
}

// transposeTo sets dst [cols][rows] to the transpose of src [rows][cols].
func transposeTo(dst, src []float64, rows, cols int) {
	for r := 0; r < rows; r++ {
		row := src[r*cols : (r+1)*cols]
		for c, v := range row {
			dst[c*rows+r] = v
		}
	}
}

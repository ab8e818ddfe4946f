package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// benchSink keeps results alive so nothing is optimised away.
var benchSink float32

// naiveConv32 is the naive baseline for the speed ratio: a direct float32
// convolution (ReLU'd input, folded weights and bias), the loop nest one
// writes first, with no packing or blocking.
func naiveConv32(dst, x, w, bias []float32, cin, h, wd, cout, k, stride, pad int, relu bool) {
	oh := (h+2*pad-k)/stride + 1
	ow := (wd+2*pad-k)/stride + 1
	for co := 0; co < cout; co++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				s := bias[co]
				for ci := 0; ci < cin; ci++ {
					for ky := 0; ky < k; ky++ {
						for kx := 0; kx < k; kx++ {
							iy, ix := oy*stride+ky-pad, ox*stride+kx-pad
							if iy < 0 || iy >= h || ix < 0 || ix >= wd {
								continue
							}
							s += w[((co*cin+ci)*k+ky)*k+kx] * reluIf(x[(ci*h+iy)*wd+ix], relu)
						}
					}
				}
				dst[(co*oh+oy)*ow+ox] = s
			}
		}
	}
}

// benchShapes are the network's convolution layers, one per distinct
// shape and algorithm.
var benchShapes = []struct {
	name                      string
	cin, cout, size, k, strid int
	algo                      convAlgo
}{
	{"stem_3to16_32x32_k3", 3, 16, 32, 3, 1, im2colGEMM},
	{"cell_16_32x32_k3_winograd", 16, 16, 32, 3, 1, winograd},
	{"cell_32_16x16_k3_winograd", 32, 32, 16, 3, 1, winograd},
	{"cell_64_8x8_k3_winograd", 64, 64, 8, 3, 1, winograd},
	{"cell_16_32x32_k3_winograd4", 16, 16, 32, 3, 1, winograd4},
	{"cell_32_16x16_k3_winograd4", 32, 32, 16, 3, 1, winograd4},
	{"cell_64_8x8_k3_winograd4", 64, 64, 8, 3, 1, winograd4},
	{"cell_16_32x32_k3_im2col", 16, 16, 32, 3, 1, im2colGEMM},
	{"cell_32_16x16_k3_im2col", 32, 32, 16, 3, 1, im2colGEMM},
	{"cell_64_8x8_k3_im2col", 64, 64, 8, 3, 1, im2colGEMM},
	{"cell_16_32x32_k1", 16, 16, 32, 1, 1, im2colGEMM},
	{"cell_32_16x16_k1", 32, 32, 16, 1, 1, im2colGEMM},
	{"cell_64_8x8_k1", 64, 64, 8, 1, 1, im2colGEMM},
	{"reduce_16to32_32x32_k3s2", 16, 32, 32, 3, 2, im2colGEMM},
	{"reduce_32to64_16x16_k3s2", 32, 64, 16, 3, 2, im2colGEMM},
}

// clockStep returns the smallest advance of time.Now seen in a few tries.
func clockStep() time.Duration {
	step := time.Duration(math.MaxInt64)
	for range 5 {
		t0 := time.Now()
		t1 := time.Now()
		for t1.Sub(t0) <= 0 {
			t1 = time.Now()
		}
		step = min(step, t1.Sub(t0))
	}
	return step
}

// timeLoop runs f b.N times and reports GFLOP/s (2·macs per call) from the
// mean wall time, as GFLOP/s-best from the fastest single call (if it is
// far above the clock's step) and, where
// the system has a thread CPU clock (Linux), as GFLOP/s-cpu from the mean
// CPU time. On a shared or loaded machine the mean wall time includes time
// the process was descheduled; the other two do not. It returns the mean
// wall time, the best call and the mean CPU time (0 without the clock).
func timeLoop(b *testing.B, macs int64, f func()) (mean, best, cpu time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best = time.Duration(math.MaxInt64)
	cpu0, haveCPU := threadCPUTime()
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	mean = time.Since(start) / time.Duration(b.N)
	b.ReportMetric(2*float64(macs)/float64(mean.Nanoseconds()), "GFLOP/s")
	// A browser coarsens its clock (100µs without cross-origin isolation);
	// a single call is only worth reporting far above that step.
	if best >= 100*clockStep() {
		b.ReportMetric(2*float64(macs)/float64(best.Nanoseconds()), "GFLOP/s-best")
	}
	if cpu1, ok := threadCPUTime(); haveCPU && ok {
		cpu = (cpu1 - cpu0) / time.Duration(b.N)
		b.ReportMetric(2*float64(macs)/float64(cpu.Nanoseconds()), "GFLOP/s-cpu")
	}
	return mean, best, cpu
}

// BenchmarkConv times each layer shape with the engine ("engine") and with
// naiveConv32 ("naive") in the same run; the GFLOP/s ratio is the speed-up.
func BenchmarkConv(b *testing.B) {
	g := newParamGen(1)
	for _, s := range benchShapes {
		p := g.conv(s.cin, s.cout, s.k, true)
		c := newConv(&p, convSpec{h: s.size, w: s.size, stride: s.strid, pad: (s.k - 1) / 2, reluIn: true, algo: s.algo})
		x := g.uniform(c.inLen(), -1, 1)
		dst := make([]float32, c.outLen())
		bl, ml := c.scratchLen()
		bs, ms := make([]float32, bl), make([]float32, ml)
		b.Run(s.name+"/engine", func(b *testing.B) {
			timeLoop(b, c.macs(), func() { c.forward(dst, x, bs, ms, false) })
			benchSink = dst[0]
		})
		if s.algo == winograd || s.algo == winograd4 {
			continue // the naive baseline is the same as the im2col row's
		}
		w, bias := p.folded()
		b.Run(s.name+"/naive", func(b *testing.B) {
			timeLoop(b, c.macs(), func() {
				naiveConv32(dst, x, w, bias, s.cin, s.size, s.size, s.cout, s.k, s.strid, (s.k-1)/2, true)
			})
			benchSink = dst[0]
		})
	}
}

// benchArchs returns the smallest, median and largest architectures by
// nasbench201.FLOPs, ties broken by index.
func benchArchs() map[string]nasbench201.Arch {
	all := nasbench201.Enumerate()
	sort.SliceStable(all, func(i, j int) bool { return nasbench201.FLOPs(all[i]) < nasbench201.FLOPs(all[j]) })
	return map[string]nasbench201.Arch{
		"smallest": all[0],
		"median":   all[len(all)/2],
		"largest":  all[len(all)-1],
	}
}

// BenchmarkForward times whole forward passes.
func BenchmarkForward(b *testing.B) {
	archs := benchArchs()
	for _, name := range []string{"smallest", "median", "largest"} {
		a := archs[name]
		n := New(a, 1)
		b.Run(name, func(b *testing.B) {
			b.Logf("%s: %v, %.1fM FLOPs (NAS-Bench-201 count: multiply-accumulates)", name, a, float64(nasbench201.FLOPs(a))/1e6)
			mean, best, cpu := timeLoop(b, n.MACs(), n.Forward)
			b.ReportMetric(float64(mean.Nanoseconds())/1e6, "ms/forward")
			if best >= 100*clockStep() {
				b.ReportMetric(float64(best.Nanoseconds())/1e6, "ms/forward-best")
			}
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/1e6, "ms/forward-cpu")
			}
			benchSink = n.Output()[0]
		})
	}
}

// BenchmarkGEMM times the micro-kernel alone on a cell-sized product.
func BenchmarkGEMM(b *testing.B) {
	for _, sz := range [][3]int{{16, 144, 1024}, {64, 576, 64}, {64, 64, 16}} {
		m, k, n := sz[0], sz[1], sz[2]
		rng := rand.New(rand.NewPCG(1, 2))
		w := make([]float32, m*k)
		for i := range w {
			w[i] = rng.Float32()
		}
		a := packA(w, m, k)
		bp := make([]float32, packedBLen(k, n))
		for i := range bp {
			bp[i] = rng.Float32()
		}
		c := make([]float32, m*n)
		b.Run(fmt.Sprintf("%dx%dx%d", m, k, n), func(b *testing.B) {
			timeLoop(b, int64(m*k*n), func() { gemm(c, a, bp, n, nil, false) })
			benchSink = c[0]
		})
	}
}

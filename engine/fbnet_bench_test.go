package engine

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/space/fbnet"
)

// naiveDepthwise32 is the naive baseline: the direct depthwise loop nest
// with an edge test per tap, folded weights, ReLU.
func naiveDepthwise32(dst, x, w, bias []float32, ch, h, wd, k, stride int) {
	pad := k / 2
	oh := (h+2*pad-k)/stride + 1
	ow := (wd+2*pad-k)/stride + 1
	for c := 0; c < ch; c++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				s := bias[c]
				for ky := 0; ky < k; ky++ {
					for kx := 0; kx < k; kx++ {
						iy, ix := oy*stride+ky-pad, ox*stride+kx-pad
						if iy < 0 || iy >= h || ix < 0 || ix >= wd {
							continue
						}
						s += w[(c*k+ky)*k+kx] * x[(c*h+iy)*wd+ix]
					}
				}
				dst[(c*oh+oy)*ow+ox] = relu32(s)
			}
		}
	}
}

// BenchmarkFBNetDepthwise times depthwise layers of FBNet blocks (e6 at
// each resolution, and the stride-2 stage entries) against
// naiveDepthwise32.
func BenchmarkFBNetDepthwise(b *testing.B) {
	g := newParamGen(1)
	for _, s := range []struct {
		name               string
		ch, size, k, strid int
	}{
		{"144ch_32x32_k3", 144, 32, 3, 1},
		{"144ch_32x32_k5", 144, 32, 5, 1},
		{"144ch_32x32_k3s2", 144, 32, 3, 2},
		{"144ch_32x32_k5s2", 144, 32, 5, 2},
		{"384ch_8x8_k3", 384, 8, 3, 1},
		{"672ch_8x8_k5", 672, 8, 5, 1},
		{"1104ch_4x4_k5", 1104, 4, 5, 1},
	} {
		p := g.conv(1, s.ch, s.k, true)
		d := newDepthwise(&p, s.size, s.size, s.strid)
		x := g.uniform(d.inLen(), -1, 1)
		dst := make([]float32, d.outLen())
		scratch := make([]float32, d.scratchLen())
		b.Run(s.name+"/engine", func(b *testing.B) {
			timeLoop(b, d.macs(), func() { d.forward(dst, x, scratch) })
			benchSink = dst[0]
		})
		b.Run(s.name+"/naive", func(b *testing.B) {
			timeLoop(b, d.macs(), func() { naiveDepthwise32(dst, x, d.wt, d.bias, s.ch, s.size, s.size, s.k, s.strid) })
			benchSink = dst[0]
		})
	}
}

// BenchmarkFBNetPointwise times FBNet's 1×1 convolutions, grouped (g2)
// and not, and the channel shuffle that follows a grouped expansion.
func BenchmarkFBNetPointwise(b *testing.B) {
	g := newParamGen(2)
	for _, s := range []struct {
		name                    string
		cin, cout, groups, size int
	}{
		{"expand_24to144_32x32", 24, 144, 1, 32},
		{"project_144to24_32x32", 144, 24, 1, 32},
		{"g2_24to24_32x32", 24, 24, 2, 32},
		{"g2_112to112_8x8", 112, 112, 2, 8},
		{"expand_112to672_8x8", 112, 672, 1, 8},
		{"project_672to112_8x8", 672, 112, 1, 8},
		{"head_352to1504_4x4", 352, 1504, 1, 4},
	} {
		n := s.size * s.size
		p := g.conv(s.cin/s.groups, s.cout, 1, true)
		pw := newPointwise(&p, s.groups, n, true)
		x := g.uniform(pw.inLen(), -1, 1)
		dst := make([]float32, pw.outLen())
		bs := make([]float32, pw.scratchLen())
		b.Run(s.name, func(b *testing.B) {
			timeLoop(b, pw.macs(), func() { pw.forward(dst, x, bs, false) })
			benchSink = dst[0]
		})
	}
	x := g.uniform(24*1024, -1, 1)
	dst := make([]float32, len(x))
	b.Run("shuffle_24ch_32x32", func(b *testing.B) {
		for b.Loop() {
			channelShuffle(dst, x, 24, 2, 1024)
		}
		benchSink = dst[0]
	})
}

// fbBenchArchs returns the smallest, median and largest of HELP's 5,000
// FBNet architectures by fbnet.FLOPs (ties by index), or skips b.
func fbBenchArchs(b *testing.B) map[string]fbnet.Arch {
	f, err := os.Open(filepath.Join(shareddata.Space(b, "fbnet"), "latency.csv"))
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	var all []fbnet.Arch
	for _, rec := range recs[1:] {
		a, err := fbnet.Parse(rec[1])
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, a)
	}
	sort.SliceStable(all, func(i, j int) bool { return fbnet.FLOPs(all[i]) < fbnet.FLOPs(all[j]) })
	return map[string]fbnet.Arch{"smallest": all[0], "median": all[len(all)/2], "largest": all[len(all)-1]}
}

// BenchmarkFBNetForward times whole FBNet forward passes.
func BenchmarkFBNetForward(b *testing.B) {
	archs := fbBenchArchs(b)
	for _, name := range []string{"smallest", "median", "largest"} {
		a := archs[name]
		n := NewFBNet(a, 1)
		b.Run(name, func(b *testing.B) {
			b.Logf("%s: %v, %.1fM FLOPs (multiply-accumulates)", name, a, float64(fbnet.FLOPs(a))/1e6)
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

package engine

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/shareddata"
	"github.com/helpwasm/helpwasm/latency"
	"github.com/helpwasm/helpwasm/space/ofa"
)

// BenchmarkOFAOps reports GFLOP/s (2 FLOPs per MAC) of each OFA op kind
// on shapes from the networks: h x w, channels, kernel, stride.
func BenchmarkOFAOps(b *testing.B) {
	g := newParamGen(1)
	for _, tc := range []struct {
		name                string
		ch, size, k, stride int
	}{
		{"dw3_s1_144x56", 144, 56, 3, 1}, {"dw5_s1_144x56", 144, 56, 5, 1}, {"dw7_s1_144x56", 144, 56, 7, 1},
		{"dw7_s2_144x112", 144, 112, 7, 2}, {"dw7_s1_816x7", 816, 7, 7, 1}, {"dw5_s1_544x14", 544, 14, 5, 1},
	} {
		p := g.conv(1, tc.ch, tc.k, true)
		d := newDWConv(&p, tc.size, tc.size, tc.stride, actHSwish)
		x, dst := g.uniform(d.inLen(), -1, 1), make([]float32, d.outLen())
		pad, means := make([]float32, d.scratchLen()), make([]float32, tc.ch)
		b.Run(tc.name, func(b *testing.B) {
			benchGFLOPs(b, d.macs(), func() { d.forward(dst, x, pad, means) })
		})
	}
	for _, tc := range []struct {
		name            string
		cin, cout, size int
	}{
		{"pw_expand_32to192_56", 32, 192, 56}, {"pw_project_192to32_56", 192, 32, 56},
		{"pw_expand_136to816_14", 136, 816, 14}, {"pw_project_816to192_7", 816, 192, 7}, {"pw_final_192to1152_7", 192, 1152, 7},
	} {
		p := g.conv(tc.cin, tc.cout, 1, true)
		pw := newPointwise(&p, 1, tc.size*tc.size, false)
		x, dst, bs := g.uniform(pw.inLen(), -1, 1), make([]float32, pw.outLen()), make([]float32, pw.scratchLen())
		scale := g.uniform(tc.cin, 0, 1)
		b.Run(tc.name, func(b *testing.B) {
			benchGFLOPs(b, pw.macs(), func() { pw.forward(dst, x, bs, false) })
		})
		b.Run(tc.name+"_se_scaled", func(b *testing.B) {
			benchGFLOPs(b, pw.macs(), func() { pw.forwardScaled(dst, x, bs, scale, false) })
		})
	}
	stem := g.conv(3, 24, 3, true)
	c := newConv(&stem, convSpec{h: 224, w: 224, stride: 2, pad: 1})
	bl, _ := c.scratchLen()
	x, dst, bs := g.uniform(c.inLen(), -1, 1), make([]float32, c.outLen()), make([]float32, bl)
	b.Run("stem_3to24_s2_224", func(b *testing.B) {
		benchGFLOPs(b, c.macs(), func() { c.forward(dst, x, bs, nil, false) })
	})
	sp := &seParams{mid: 816, se: 208}
	sp.reduceW, sp.reduceB = g.linear(816, 208)
	sp.expandW, sp.expandB = g.linear(208, 816)
	se := newSEModule(sp)
	means, scale, hid := g.uniform(816, 0, 1), make([]float32, 816), make([]float32, 208)
	b.Run("se_816_208", func(b *testing.B) {
		benchGFLOPs(b, se.macs(), func() { se.forward(scale, means, hid) })
	})
	w, xin, y := g.uniform(1536*1152, -1, 1), g.uniform(1152, -1, 1), make([]float32, 1536)
	b.Run("matvec_mix_1152to1536", func(b *testing.B) {
		benchGFLOPs(b, 1536*1152, func() { matVec(y, w, xin, nil) })
	})
	h0 := g.uniform(144*56*56, -4, 4)
	h := make([]float32, len(h0))
	b.Run("hswish_144x56x56", func(b *testing.B) {
		// A fresh copy per call (the copy is timed too): h-swish applied
		// to its own output drives the negatives into subnormals, which
		// x86 computes two orders of magnitude slower.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		cpu0, haveCPU := threadCPUTime()
		for b.Loop() {
			copy(h, h0)
			benchSink += applyAct(h, actHSwish)
		}
		b.ReportMetric(float64(len(h))*float64(b.N)/b.Elapsed().Seconds()/1e9, "Gelem/s")
		if cpu1, ok := threadCPUTime(); haveCPU && ok && cpu1 > cpu0 {
			b.ReportMetric(float64(len(h))*float64(b.N)/(cpu1-cpu0).Seconds()/1e9, "Gelem/s-cpu")
		}
	})
}

// benchGFLOPs runs f under b.Loop and reports GFLOP/s (timeLoop: also
// from the best call and from CPU time).
func benchGFLOPs(b *testing.B, macs int64, f func()) {
	f() // warm: under WASM the first calls run before V8's optimising tier
	timeLoop(b, macs, f)
}

// ofaBenchArchs returns the smallest, median and largest of HELP's 5,000
// by FLOPs (or, without the data, the space's extremes and the example).
func ofaBenchArchs(b *testing.B) []struct {
	name string
	a    ofa.Arch
} {
	type na = struct {
		name string
		a    ofa.Arch
	}
	dir := shareddata.Find()
	if dir != "" {
		if tab, err := latency.Load(filepath.Join(dir, "ofa")); err == nil {
			var as []ofa.Arch
			for r := range tab.Len() {
				as = append(as, ofa.MustParse(tab.Arch(r)))
			}
			slices.SortStableFunc(as, func(x, y ofa.Arch) int { return cmp.Compare(ofa.FLOPs(x), ofa.FLOPs(y)) })
			return []na{{"help_min", as[0]}, {"help_median", as[len(as)/2]}, {"help_max", as[len(as)-1]}}
		}
	}
	fmt.Fprintln(os.Stderr, "ofa bench: no shared data; using the space's extremes")
	return []na{{"space_min", ofaUniform(128, 2, 3, 3)}, {"space_max", ofaUniform(224, 4, 7, 6)}}
}

// BenchmarkOFAForward times whole networks: ms per forward (mean, best
// call, CPU time) and GFLOP/s.
func BenchmarkOFAForward(b *testing.B) {
	for _, c := range ofaBenchArchs(b) {
		n := NewOFA(c.a, 1)
		n.Forward()
		b.Run(fmt.Sprintf("%s_%dMMAC", c.name, n.MACs()/1e6), func(b *testing.B) {
			mean, best, cpu := timeLoop(b, n.MACs(), n.Forward)
			b.ReportMetric(float64(mean.Nanoseconds())/1e6, "ms/forward")
			b.ReportMetric(float64(best.Nanoseconds())/1e6, "ms/forward-best")
			if cpu > 0 {
				b.ReportMetric(float64(cpu.Nanoseconds())/1e6, "ms/forward-cpu")
			}
			benchSink = n.Output()[0]
		})
	}
}

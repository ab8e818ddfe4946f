package nasbench201

import "testing"

func TestCostKnown(t *testing.T) {
	tests := []struct {
		arch          string
		flops, params int64
	}{
		// No conv edges: stem 442,368 + two reductions 3,670,016 each + fc 650.
		// Params: stem 464, reductions 14,464 and 57,600, lastact 128, fc 650.
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 7_783_050, 73_306},
		{"|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|skip_connect~1|avg_pool_3x3~2|", 7_783_050, 73_306},
		// Every edge nor_conv_3x3: each stage adds 30 edges * 2,359,296 MACs
		// and 30*(9C^2+2C) params.
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 7_783_050 + 3*30*2_359_296, 73_306 + 70_080 + 278_400 + 1_109_760},
		// One nor_conv_1x1: 5 cells * 262,144 MACs per stage; 5*(C^2+2C) params.
		{"|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|none~2|", 7_783_050 + 3*5*262_144, 73_306 + 5*(288+1088+4224)},
	}
	for _, tc := range tests {
		a := MustParse(tc.arch)
		if got := FLOPs(a); got != tc.flops {
			t.Errorf("FLOPs(%s) = %d, want %d", tc.arch, got, tc.flops)
		}
		if got := Params(a); got != tc.params {
			t.Errorf("Params(%s) = %d, want %d", tc.arch, got, tc.params)
		}
	}
}

// TestCostRange checks the extremes over the space against NAS-Bench-201's
// published CIFAR-10 ranges: FLOPs 7.78M..220.11M (our max is 220.1197M,
// which the paper truncates), params 0.073M..1.531M.
func TestCostRange(t *testing.T) {
	minF, maxF := FLOPs(Arch{}), FLOPs(Arch{})
	minP, maxP := Params(Arch{}), Params(Arch{})
	for _, a := range Enumerate() {
		f, p := FLOPs(a), Params(a)
		minF, maxF = min(minF, f), max(maxF, f)
		minP, maxP = min(minP, p), max(maxP, p)
	}
	check := func(what string, got int64, lo, hi float64) {
		if m := float64(got) / 1e6; m < lo || m >= hi {
			t.Errorf("%s = %.4fM, want in [%g, %g)", what, m, lo, hi)
		}
	}
	check("min FLOPs", minF, 7.78, 7.79)
	check("max FLOPs", maxF, 220.11, 220.13)
	check("min params", minP, 0.073, 0.074)
	check("max params", maxP, 1.531, 1.532)
}

// TestCostMonotone: replacing a free op by a conv never lowers the cost,
// and a 3x3 costs more than a 1x1.
func TestCostMonotone(t *testing.T) {
	for _, a := range Enumerate() {
		for e := range a {
			if a[e] != None {
				continue
			}
			b, c := a, a
			b[e], c[e] = Conv1x1, Conv3x3
			if !(FLOPs(a) < FLOPs(b) && FLOPs(b) < FLOPs(c) && Params(a) < Params(b) && Params(b) < Params(c)) {
				t.Fatalf("cost not monotone at %v edge %d", a, e)
			}
		}
	}
}

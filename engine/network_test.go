package engine

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// scaledTol is the tolerance for engine (float32, reordered sums, Winograd)
// against the float64 reference, relative to the largest magnitude in the
// reference tensor: sums of many terms of mixed sign make elementwise
// relative error meaningless for values near zero.
const scaledTol = approx.Float32

// checkScaled compares got with want after dividing both by
// max(1, max|want|).
func checkScaled(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	scale := 1.0
	for _, v := range want {
		scale = math.Max(scale, math.Abs(v))
	}
	g := make([]float64, len(got))
	for i, v := range got {
		g[i] = float64(v) / scale
	}
	w := make([]float64, len(want))
	for i, v := range want {
		w[i] = v / scale
	}
	approx.Slices(t, what, g, w, tol)
}

// checkIdentical fails t unless got and want are bit-for-bit equal, for
// determinism checks (approx rejects a zero tolerance by design).
func checkIdentical(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: len %d, want %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Errorf("%s[%d] = %v, want identical %v", what, i, got[i], want[i])
			return
		}
	}
}

// testArchs are the named extremes plus random cells.
func testArchs(n int) []nasbench201.Arch {
	uniform := func(op nasbench201.Op) nasbench201.Arch {
		var a nasbench201.Arch
		for i := range a {
			a[i] = op
		}
		return a
	}
	archs := []nasbench201.Arch{
		uniform(nasbench201.None),
		uniform(nasbench201.SkipConnect),
		uniform(nasbench201.Conv1x1),
		uniform(nasbench201.Conv3x3),
		uniform(nasbench201.AvgPool3x3),
		nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"),
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < n; i++ {
		archs = append(archs, nasbench201.FromIndex(rng.IntN(nasbench201.NumArchs)))
	}
	return archs
}

func TestForwardMatchesReference(t *testing.T) {
	archs := testArchs(4)
	if testing.Short() {
		// The float64 reference is slow (seconds per conv-heavy net under
		// WASM); keep all-none, the mixed cell and one random cell.
		archs = []nasbench201.Arch{archs[0], archs[5], archs[6]}
	}
	for i, a := range archs {
		seed := uint64(100 + i)
		t.Run(a.String(), func(t *testing.T) {
			n := New(a, seed)
			input := append([]float32(nil), n.Input()...)
			n.Forward()
			if len(n.Output()) != numClasses {
				t.Fatalf("output len %d, want %d", len(n.Output()), numClasses)
			}
			want := refForward(newParams(a, seed), input)
			checkScaled(t, "logits", n.Output(), want, scaledTol)
			checkIdentical(t, "input after Forward", n.Input(), input)
			// A second pass over the same input gives the same logits
			// (buffers are reused, node buffers rotate).
			first := append([]float32(nil), n.Output()...)
			n.Forward()
			checkIdentical(t, "second Forward", n.Output(), first)
		})
	}
}

func TestForwardUsesInput(t *testing.T) {
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
	n := New(a, 3)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range n.Input() {
		n.Input()[i] = float32(rng.NormFloat64())
	}
	n.Forward()
	checkScaled(t, "logits", n.Output(), refForward(newParams(a, 3), n.Input()), scaledTol)
}

func TestDeterministicWeights(t *testing.T) {
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|")
	n1, n2, n3 := New(a, 42), New(a, 42), New(a, 43)
	n1.Forward()
	n2.Forward()
	n3.Forward()
	checkIdentical(t, "same seed", n1.Output(), n2.Output())
	same := true
	for i := range n1.Output() {
		same = same && n1.Output()[i] == n3.Output()[i]
	}
	if same {
		t.Errorf("seeds 42 and 43 gave identical logits %v", n1.Output())
	}
}

func TestForwardAllocatesNothing(t *testing.T) {
	for _, s := range []string{
		"|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", // every op
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
	} {
		a := nasbench201.MustParse(s)
		n := New(a, 1)
		n.Forward()
		if allocs := testing.AllocsPerRun(5, n.Forward); allocs != 0 {
			t.Errorf("%v: %v allocations per Forward, want 0", a, allocs)
		}
	}
}

func TestNewRejectsInvalidOp(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New accepted an op past NumOps")
		}
	}()
	New(nasbench201.Arch{nasbench201.NumOps}, 1)
}

func TestMACs(t *testing.T) {
	// Count by hand: stem 16·1024·27, reductions (conv_a, conv_b,
	// shortcut), cells by op, classifier.
	conv := func(cout, hw, cin, k int) int64 { return int64(cout * hw * cin * k * k) }
	base := conv(16, 1024, 3, 3) +
		conv(32, 256, 16, 3) + conv(32, 256, 32, 3) + conv(32, 256, 16, 1) +
		conv(64, 64, 32, 3) + conv(64, 64, 64, 3) + conv(64, 64, 32, 1) +
		numClasses*finalChannels
	perCell := func(k int) int64 {
		return 5 * (conv(16, 1024, 16, k) + conv(32, 256, 32, k) + conv(64, 64, 64, k))
	}
	for _, tc := range []struct {
		arch string
		want int64
	}{
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", base},
		{"|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|", base + 2*perCell(3) + perCell(1)},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", base + 6*perCell(3)},
	} {
		if got := New(nasbench201.MustParse(tc.arch), 1).MACs(); got != tc.want {
			t.Errorf("MACs(%s) = %d, want %d", tc.arch, got, tc.want)
		}
	}
}

func TestMACsMatchSpaceFLOPs(t *testing.T) {
	// nasbench201.FLOPs counts the same multiply-accumulates plus the
	// classifier's bias additions.
	for _, a := range testArchs(20) {
		if got, want := New(a, 1).MACs()+numClasses, nasbench201.FLOPs(a); got != want {
			t.Errorf("%v: MACs+%d = %d, nasbench201.FLOPs = %d", a, numClasses, got, want)
		}
	}
}

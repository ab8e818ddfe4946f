package blend

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/helpwasm/helpwasm/internal/approx"
	"github.com/helpwasm/helpwasm/opcost"
)

// fitTol is for coefficients recovered by NNLS from exact data.
const fitTol = 1e-6

// synthetic returns 20 labelled latencies y and 50 unlabelled ones, from
// two additive parts u and v (ms).
func synthetic() (u, v []float64) {
	rng := rand.New(rand.NewPCG(41, 42))
	u, v = make([]float64, 70), make([]float64, 70)
	for i := range u {
		u[i] = 1 + 10*rng.Float64()
		v[i] = 1 + 10*rng.Float64()
	}
	return u, v
}

func cand(name string, f func(i int) float64, n, m int) Candidate {
	c := Candidate{Name: name, LOO: make([]float64, n), Pred: make([]float64, m)}
	for i := range n {
		c.LOO[i] = f(i)
	}
	for i := range m {
		c.Pred[i] = f(n + i)
	}
	return c
}

func TestSelectCalibrates(t *testing.T) {
	u, v := synthetic()
	const n = 20
	y := make([]float64, len(u))
	for i := range y {
		y[i] = u[i] + v[i]
	}
	cands := []Candidate{
		cand("half", func(i int) float64 { return u[i] }, n, 50),
		cand("scaled", func(i int) float64 { return 2*y[i] + 3 }, n, 50), // exact up to calibration
	}
	b, err := Combine(y[:n], cands, Options{Mode: Select})
	if err != nil {
		t.Fatal(err)
	}
	if b.Mode != Select || b.Method != "scaled" {
		t.Fatalf("chose %v %q, want select scaled", b.Mode, b.Method)
	}
	approx.Slices(t, "weights", b.Weights, []float64{0, 0.5}, fitTol)
	approx.Equal(t, "intercept", b.Intercept, -1.5, fitTol)
	approx.Slices(t, "prediction", b.PredictTo(nil, cands), y[n:], fitTol)
	approx.Equal(t, "LOO loss", b.LOOLoss, 0, fitTol)
	if b.Scores[1] >= b.Scores[0] {
		t.Errorf("scores %v: the exact candidate should score best", b.Scores)
	}
	if b.Interval.Rel > fitTol {
		t.Errorf("interval half-width %g for an exact fit", b.Interval.Rel)
	}
}

// Each candidate sees one half of an additive latency: no single one is
// good, their sum is exact, and Auto must stack.
func TestAutoStacksComplementaryCandidates(t *testing.T) {
	u, v := synthetic()
	const n = 20
	y := make([]float64, len(u))
	for i := range y {
		y[i] = u[i] + v[i]
	}
	cands := []Candidate{
		cand("u", func(i int) float64 { return 2 * u[i] }, n, 50),
		cand("v", func(i int) float64 { return 4 * v[i] }, n, 50),
	}
	b, err := Combine(y[:n], cands, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Mode != Stack || b.Method != "stack" {
		t.Fatalf("chose %v %q, want stack", b.Mode, b.Method)
	}
	approx.Slices(t, "weights", b.Weights, []float64{0.5, 0.25}, fitTol)
	approx.Equal(t, "intercept", b.Intercept, 0, fitTol)
	approx.Slices(t, "prediction", b.PredictTo(nil, cands), y[n:], fitTol)
	for _, w := range b.Weights {
		if w < 0 {
			t.Errorf("negative weight in %v", b.Weights)
		}
	}
}

// relQuantileSlow counts: the smallest r with at least ceil((n+1)level)
// of the relative residuals <= r.
func relQuantileSlow(y, pred []float64, level float64) float64 {
	need := min(int(math.Ceil(float64(len(y)+1)*level)), len(y))
	best := math.Inf(1)
	for i := range y {
		r := math.Abs(y[i]-pred[i]) / math.Abs(pred[i])
		count := 0
		for j := range y {
			if math.Abs(y[j]-pred[j])/math.Abs(pred[j]) <= r {
				count++
			}
		}
		if count >= need && r < best {
			best = r
		}
	}
	return best
}

func TestRelQuantile(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	for _, n := range []int{1, 2, 5, 19, 20, 100} {
		for _, level := range []float64{0.5, 0.8, 0.9, 0.95} {
			y, pred := make([]float64, n), make([]float64, n)
			for i := range y {
				pred[i] = 1 + rng.Float64()*20
				y[i] = pred[i] * (1 + 0.1*rng.NormFloat64())
			}
			approx.Equal(t, "quantile", relQuantile(y, pred, level), relQuantileSlow(y, pred, level), approx.Float64)
		}
	}
}

func TestIntervalFormat(t *testing.T) {
	iv := Interval{Level: 0.9, Rel: 0.1}
	if got, want := iv.Format(21.5), "21.5 ms ± 2.1"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

func TestCombineErrors(t *testing.T) {
	y := []float64{1, 2, 3}
	for _, tc := range []struct {
		name  string
		cands []Candidate
		o     Options
	}{
		{"no candidates", nil, Options{}},
		{"short LOO", []Candidate{{Name: "a", LOO: []float64{1, 2}}}, Options{}},
		{"NaN LOO", []Candidate{{Name: "a", LOO: []float64{1, math.NaN(), 3}}}, Options{}},
	} {
		if _, err := Combine(y, tc.cands, tc.o); !errors.Is(err, ErrCandidates) {
			t.Errorf("%s: error %v, want ErrCandidates", tc.name, err)
		}
	}
	if _, err := Combine(y, []Candidate{{Name: "a", LOO: y}}, Options{Level: 1.5}); err == nil {
		t.Error("level 1.5 accepted")
	}
	if _, err := Combine([]float64{1, 0, 3}, []Candidate{{Name: "a", LOO: y}}, Options{}); !errors.Is(err, opcost.ErrBadData) {
		t.Errorf("zero latency with the relative loss: %v, want opcost.ErrBadData", err)
	}
}

func TestCombineDoesNotModifyInputs(t *testing.T) {
	u, v := synthetic()
	y := slices.Clone(u[:20])
	cands := []Candidate{
		cand("u", func(i int) float64 { return u[i] + v[i]/10 }, 20, 50),
		cand("v", func(i int) float64 { return v[i] }, 20, 50),
	}
	y0 := slices.Clone(y)
	loo0, pred0 := slices.Clone(cands[0].LOO), slices.Clone(cands[0].Pred)
	b, err := Combine(y, cands, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y, y0) || !slices.Equal(cands[0].LOO, loo0) || !slices.Equal(cands[0].Pred, pred0) {
		t.Fatal("inputs modified")
	}
	dst := make([]float64, 50)
	if a := testing.AllocsPerRun(10, func() { b.PredictTo(dst, cands) }); a != 0 {
		t.Errorf("PredictTo allocates %v times", a)
	}
}

// TestPreferKeepsPriorWithinMargin checks Prefer's decision against the
// candidates' calibrated scores (from Select) over noise levels where the
// prior is better, a little worse and much worse than the alternative.
func TestPreferKeepsPriorWithinMargin(t *testing.T) {
	u, v := synthetic()
	const n = 20
	y := make([]float64, len(u))
	for i := range y {
		y[i] = u[i] + v[i]
	}
	rng := rand.New(rand.NewPCG(7, 8))
	noise := make([]float64, len(y))
	for i := range noise {
		noise[i] = rng.NormFloat64()
	}
	switched, kept := 0, 0
	for _, a := range []float64{0.05, 0.5, 1, 1.1, 1.2, 1.3, 2, 4} {
		cands := []Candidate{
			cand("alt", func(i int) float64 { return y[i] + 0.1*noise[i] }, n, 50),
			cand("prior", func(i int) float64 { return y[i] + 0.1*a*noise[(i+7)%len(noise)] }, n, 50),
		}
		sel, err := Combine(y[:n], cands, Options{Mode: Select})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Combine(y[:n], cands, Options{Mode: Prefer, Prior: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := "prior"
		if sel.Scores[0] < (1-DefaultMargin)*sel.Scores[1] {
			want = "alt"
			switched++
		} else {
			kept++
		}
		if b.Mode != Prefer || b.Method != want {
			t.Errorf("noise ratio %g: scores %v, Prefer chose %v %q, want %q", a, sel.Scores, b.Mode, b.Method, want)
		}
		// The chosen candidate's calibration is Select's for that candidate.
		k := slices.Index([]string{"alt", "prior"}, want)
		one, err := Combine(y[:n], cands[k:k+1], Options{Mode: Select})
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float64, 2)
		w[k] = one.Weights[0]
		approx.Slices(t, "weights", b.Weights, w, fitTol)
		approx.Equal(t, "LOO loss", b.LOOLoss, one.LOOLoss, fitTol)
	}
	if switched == 0 || kept == 0 {
		t.Fatalf("the noise levels exercise only one branch (switched %d, kept %d)", switched, kept)
	}
	cands := []Candidate{cand("a", func(i int) float64 { return y[i] }, n, 0)}
	for _, o := range []Options{{Mode: Prefer, Prior: 1}, {Mode: Prefer, Prior: -1}, {Mode: Prefer, Margin: 1}, {Mode: Prefer, Margin: -0.1}} {
		if _, err := Combine(y[:n], cands, o); err == nil {
			t.Errorf("Combine with %+v: no error", o)
		}
	}
}

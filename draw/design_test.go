package draw

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/helpwasm/helpwasm/internal/approx"
)

// logDetInfo is the slow reference: log det(ridge I + sum z z^T) over
// rows, z = [1, x], by a fresh factorisation.
func logDetInfo(rows [][]float64, p int, ridge float64) float64 {
	m := mat.NewSymDense(p+1, nil)
	for j := range p + 1 {
		m.SetSym(j, j, ridge)
	}
	for _, x := range rows {
		z := mat.NewVecDense(p+1, append([]float64{1}, x...))
		m.SymRankOne(m, 1, z)
	}
	var c mat.Cholesky
	if !c.Factorize(m) {
		return math.Inf(-1)
	}
	return c.LogDet()
}

func randomRows(rng *rand.Rand, n, p int) [][]float64 {
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = make([]float64, p)
		for j := range p {
			rows[i][j] = float64(rng.IntN(4))
		}
	}
	return rows
}

// Each greedy step must pick the row that maximises the log determinant
// recomputed from scratch (lowest index among ties within tolerance), and
// the log determinant must increase.
func TestDOptimalGreedyStepsAreBest(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const ridge = 1e-3
	for trial := range 10 {
		p := 1 + rng.IntN(5)
		pool := randomRows(rng, 5+rng.IntN(20), p)
		prior := randomRows(rng, rng.IntN(6), p)
		n := 1 + rng.IntN(len(pool))
		got, err := DOptimal(pool, prior, n, ridge)
		if err != nil {
			t.Fatal(err)
		}
		design := slices.Clone(prior)
		prev := logDetInfo(design, p, ridge)
		taken := map[int]bool{}
		for step, c := range got {
			if taken[c] {
				t.Fatalf("trial %d: row %d chosen twice", trial, c)
			}
			best, bestLD := -1, math.Inf(-1)
			for i, x := range pool {
				if taken[i] {
					continue
				}
				if ld := logDetInfo(append(design, x), p, ridge); ld > bestLD+1e-9 {
					best, bestLD = i, ld
				}
			}
			ld := logDetInfo(append(design, pool[c]), p, ridge)
			name := fmt.Sprintf("trial %d step %d", trial, step)
			approx.Equal(t, name+" log det of the chosen row vs the best", ld, bestLD, 1e-9)
			if ld <= prev {
				t.Errorf("%s: log det %g did not increase from %g", name, ld, prev)
			}
			if c != best && !approx.Close(ld, bestLD, 1e-12) {
				t.Errorf("%s: chose %d, best %d", name, c, best)
			}
			taken[c] = true
			design = append(design, pool[c])
			prev = ld
		}
	}
}

// Rows already in the prior carry little new information, so the design
// avoids copies of them while new directions remain.
func TestDOptimalAvoidsPrior(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	const p = 7
	prior := randomRows(rng, 10, p)
	pool := slices.Concat(prior, randomRows(rng, 200, p))
	got, err := DOptimal(pool, prior, 10, DefaultRidge)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if c < len(prior) {
			t.Errorf("chose pool row %d, a copy of prior row %d", c, c)
		}
	}
}

func TestDOptimalDeterministicTies(t *testing.T) {
	pool := [][]float64{{0}, {1}, {1}, {0}, {1}}
	got, err := DOptimal(pool, nil, 2, DefaultRidge)
	if err != nil {
		t.Fatal(err)
	}
	// The first step sees two equally informative values; it takes the
	// lowest index of the better one, then the other value's lowest index.
	if want := []int{1, 0}; !slices.Equal(got, want) {
		t.Errorf("DOptimal = %v, want %v", got, want)
	}
}

func TestDOptimalErrors(t *testing.T) {
	pool := [][]float64{{1}, {2}}
	if _, err := DOptimal(pool, nil, 3, DefaultRidge); !errors.Is(err, ErrTooMany) {
		t.Errorf("n > pool: %v, want ErrTooMany", err)
	}
	if _, err := DOptimal(pool, nil, 1, 0); err == nil {
		t.Error("zero ridge accepted")
	}
	if got, err := DOptimal(pool, nil, 0, DefaultRidge); err != nil || len(got) != 0 {
		t.Errorf("n = 0: %v, %v", got, err)
	}
}

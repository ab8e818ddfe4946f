package rank

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Workspace holds scratch buffers reused across calls. The zero value is
// ready to use.
type Workspace struct {
	idx, tmp []int
	rx, ry   []float64
}

// Spearman returns Spearman's rank correlation of x and y. See the package
// comment for ties, NaN results and panics.
func Spearman(x, y []float64) float64 {
	var w Workspace
	return w.Spearman(x, y)
}

// Kendall returns Kendall's tau-b of x and y. See the package comment for
// ties, NaN results and panics.
func Kendall(x, y []float64) float64 {
	var w Workspace
	return w.Kendall(x, y)
}

// Ranks writes the average ranks of x (1-based; tied values share the mean
// of the ranks they span) into dst and returns it. dst is grown if it is
// shorter than x; it must not alias x. NaN values get unspecified ranks.
func Ranks(dst, x []float64) []float64 {
	var w Workspace
	return w.Ranks(dst, x)
}

// Ranks is the package-level Ranks, using w's scratch space.
func (w *Workspace) Ranks(dst, x []float64) []float64 {
	dst = grow(dst, len(x))
	idx := w.sortedIndex(x)
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		// Positions i..j-1 (0-based) hold ranks i+1..j; their mean:
		r := float64(i+j+1) / 2
		for _, k := range idx[i:j] {
			dst[k] = r
		}
		i = j
	}
	return dst
}

// Spearman is the package-level Spearman, using w's scratch space.
func (w *Workspace) Spearman(x, y []float64) float64 {
	checkLen("Spearman", x, y)
	if len(x) < 2 || hasNaN(x) || hasNaN(y) {
		return math.NaN()
	}
	w.rx = w.Ranks(w.rx, x)
	w.ry = w.Ranks(w.ry, y)
	return pearson(w.rx[:len(x)], w.ry[:len(y)])
}

// Kendall is the package-level Kendall, using w's scratch space.
//
// It counts, among all n(n-1)/2 pairs, concordant minus discordant pairs
// and divides by sqrt((n0-tx)(n0-ty)), where tx and ty count pairs tied in
// x and in y.
func (w *Workspace) Kendall(x, y []float64) float64 {
	checkLen("Kendall", x, y)
	n := len(x)
	if n < 2 || hasNaN(x) || hasNaN(y) {
		return math.NaN()
	}
	// Knight (1966): sort by (x, y); count ties in x and joint ties; then
	// merge sort by y, counting the swaps = discordant pairs; then count
	// ties in y.
	w.idx = growInt(w.idx, n)
	idx := w.idx[:n]
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(x[a], x[b]); c != 0 {
			return c
		}
		return cmp.Compare(y[a], y[b])
	})
	tiedX := tiedPairs(idx, func(a, b int) bool { return x[a] == x[b] })
	tiedXY := tiedPairs(idx, func(a, b int) bool { return x[a] == x[b] && y[a] == y[b] })

	w.tmp = growInt(w.tmp, n)
	discordant := mergeCount(idx, w.tmp[:n], y)
	tiedY := tiedPairs(idx, func(a, b int) bool { return y[a] == y[b] })

	total := n * (n - 1) / 2
	if total == tiedX || total == tiedY {
		return math.NaN()
	}
	concMinusDisc := total - tiedX - tiedY + tiedXY - 2*discordant
	// One square root of the product: two divisions by sqrt(6) made 4
	// concordant points 1.0000000000000002, which profile validation
	// rejects; the clamp catches any other rounding past 1.
	tau := float64(concMinusDisc) / math.Sqrt(float64(total-tiedX)*float64(total-tiedY))
	return math.Max(-1, math.Min(1, tau))
}

// sortedIndex returns w.idx holding 0..len(x)-1 sorted by x (stable).
func (w *Workspace) sortedIndex(x []float64) []int {
	w.idx = growInt(w.idx, len(x))
	idx := w.idx[:len(x)]
	for i := range idx {
		idx[i] = i
	}
	// Breaking ties by index makes the (faster) unstable sort stable.
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(x[a], x[b]); c != 0 {
			return c
		}
		return a - b
	})
	return idx
}

// tiedPairs counts pairs within runs of consecutive elements of idx that
// are equal under eq.
func tiedPairs(idx []int, eq func(a, b int) bool) int {
	pairs := 0
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && eq(idx[j-1], idx[j]) {
			j++
		}
		t := j - i
		pairs += t * (t - 1) / 2
		i = j
	}
	return pairs
}

// mergeCount sorts idx by key (stable, bottom-up merge sort using tmp) and
// returns the number of pairs it had in strictly decreasing key order.
func mergeCount(idx, tmp []int, key []float64) int {
	n := len(idx)
	swaps := 0
	src, dst := idx, tmp
	for width := 1; width < n; width *= 2 {
		for lo := 0; lo < n; lo += 2 * width {
			mid := min(lo+width, n)
			hi := min(lo+2*width, n)
			i, j, k := lo, mid, lo
			for i < mid && j < hi {
				if key[src[j]] < key[src[i]] {
					// src[j] jumps ahead of every remaining left element.
					swaps += mid - i
					dst[k] = src[j]
					j++
				} else {
					dst[k] = src[i]
					i++
				}
				k++
			}
			k += copy(dst[k:], src[i:mid])
			copy(dst[k:], src[j:hi])
		}
		src, dst = dst, src
	}
	if &src[0] != &idx[0] {
		copy(idx, src)
	}
	return swaps
}

func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN()
	}
	r := sxy / math.Sqrt(sxx*syy)
	// Rounding can push |r| a hair past 1.
	return math.Max(-1, math.Min(1, r))
}

func checkLen(fn string, x, y []float64) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("rank: %s: length mismatch %d != %d", fn, len(x), len(y)))
	}
}

func hasNaN(x []float64) bool {
	for _, v := range x {
		if v != v {
			return true
		}
	}
	return false
}

func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

func growInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

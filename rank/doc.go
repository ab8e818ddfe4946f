// Package rank measures how well one ordering agrees with another: Spearman's
// rank correlation and Kendall's tau-b, the metrics HELP reports for latency
// predictors.
//
// # Inputs
//
// Both functions take two equal-length slices x and y (for example predicted
// and measured latencies in ms; units do not matter, only order). A length
// mismatch is a programmer error and panics. Inputs are never modified.
//
// # Ties
//
// Ties are common (phone latencies have whole-millisecond resolution), so
// both metrics handle them: Spearman is the Pearson correlation of average
// (fractional) ranks, and Kendall's tau-b corrects for ties in x and in y,
// as scipy.stats.spearmanr and scipy.stats.kendalltau do.
//
// # Undefined cases
//
// The result is NaN when it is undefined: fewer than two elements, an input
// that is constant (all ties, zero rank variance), or any NaN in x or y.
//
// # Allocation
//
// Spearman and Kendall allocate scratch space on each call. Callers in hot
// loops (evaluating thousands of predictions) keep a Workspace, whose
// methods reuse its buffers and allocate only when an input is longer than
// any seen before. A Workspace is not safe for concurrent use.
//
// Kendall runs in O(n log n) (Knight's algorithm); Spearman in O(n log n).
package rank

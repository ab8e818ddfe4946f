// Package blend chooses among latency predictors for one device, or
// combines them, from how well each predicts the device's labelled
// networks when they are left out, and says how far to trust the result.
//
// # Candidates
//
// A Candidate is any predictor's output in ms: its leave-one-out (LOO)
// predictions on the n labelled networks, and its predictions on the
// networks to rank. The intended candidates on a visitor's device are HELP
// adapted (LOO by re-adapting without each support point), the op-cost
// model (opcost.Fit on nasbench201.Features), a known-device basis
// (opcost.Fit on the meta-train devices' latency columns), FLOPs
// (opcost.Fit on one FLOPs column: a linear calibration to ms) and the
// nearest known device (the same on one device's column). opcost.Model.LOO
// is already a candidate's LOO.
//
// # Combining
//
// Combine calibrates each candidate alone (a + b*pred, b >= 0, NNLS) and
// scores it by exact LOO of that calibration; Select keeps the best.
// Stack fits a + sum_k w_k pred_k with w >= 0 on the candidates' LOO
// predictions (stacked regression, Breiman 1996), the ridge chosen by LOO,
// and scores it by LOO over the labelled points (nested: the candidates'
// inputs are themselves LOO). Auto keeps whichever of the two scores
// better. The weights are in ms per ms, so a blend is its own calibration
// to ms.
//
// With 20 labelled points the choice is noisy. On HELP's six NAS-Bench-201
// meta-test devices (opcost's TestMetaTestDevices: structural, basis,
// FLOPs and nearest device, 10 seeds) Auto ranked at mean Spearman 0.947,
// Select 0.946 and Stack 0.944, against 0.950 for the op-cost model alone:
// blending helped raspi4 (0.924 against 0.903) and cost gold_6226 and
// pixel2. Prefer the op-cost model alone there; Auto is for devices where
// no one candidate is known to be best.
//
// # Interval
//
// Blend.Interval is a relative, split-conformal interval from the blend's
// LOO predictions: the ceil((n+1)*Level)-th smallest |y-LOO|/LOO over the
// labelled points, so a prediction t reads t ± Rel*t ("21.5 ms ± 2.1").
// It is as good as the LOO residuals are exchangeable with new networks'.
// On the meta-test devices (TestMetaTestDevices) Auto's 90% interval held
// 94.4% of query latencies with random support and 98.0% with D-optimal
// support (which labels the extremes of the space, so its residuals are
// larger than a typical network's).
//
// # Units and buffers
//
// Everything is in ms. Combine neither modifies nor retains its inputs.
// Blend.PredictTo writes into the caller's dst, growing it only if short.
package blend

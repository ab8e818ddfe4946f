// Package opcost is the op-cost model: a structural latency model that
// predicts a network's latency on one device as a fixed cost plus a
// non-negative cost per unit of each feature, fitted to a handful of
// measured networks. On NAS-Bench-201, whose latency is close to additive
// over the cell's six edges, it ranks HELP's six meta-test devices better
// than HELP (mean Spearman 0.950 from 10 reference and 10 random support
// networks, 0.954 with D-optimal support; see TestMetaTestDevices), with no
// meta-training, and fits and predicts the whole space in a few ms. Two
// such fits, with non-negative costs and with costs of free sign
// (Options.Signed), combined by blend's Prefer mode (blend.OpCost) reach
// 0.9509 / 0.9561 (TestAuto, 30 seeds); package blend documents the
// comparison of selection rules.
//
// # The model
//
// For raw features x (p of them) and per-feature scales s,
//
//	latency(x) = Intercept + sum_j Coef[j] * x[j] / s[j],   Coef >= 0
//
// fitted to n labelled points by non-negative least squares with a free
// (possibly negative, unpenalised) intercept and a ridge term
// lambda*|Coef|^2 (NNLS; Lawson-Hanson active set in Gram form). Dividing
// by the scale (typically each feature's largest |value| over the search
// space) makes one lambda suit every feature.
//
// The package does not know any search space: the caller supplies the
// feature rows. For NAS-Bench-201, nasbench201.Features gives the op
// counts and dead-edge counts and nasbench201.FeatureScale their scale.
// Other feature sets are the same model: the latency columns of known
// devices (a "known-device basis", scale = each column's maximum), or one
// column of FLOPs (a linear FLOPs-to-ms calibration with non-negative
// slope).
//
// # Units
//
// Latencies, Intercept, predictions, LOO predictions and residuals are in
// ms. Coef[j] is ms per unit of x[j]/Scale[j]; Coef[j]/Scale[j] is ms per
// unit of raw x[j].
//
// # Leave-one-out
//
// Fit is exact leave-one-out: for every lambda of the grid
// (DefaultLambdas: 0, 0.01, 0.1, 1) it refits without each labelled point
// in turn (downdating the Gram matrix, so n refits cost n small solves)
// and predicts the point left out. The lambda whose LOO predictions have
// the smallest Loss wins; Model.LOO and Model.Residual are those
// predictions and y - LOO. Options.Weights makes the fit weighted least
// squares (the LOO loss stays unweighted); HuberWeights computes robust
// weights from the fit's own residuals. The default loss is Relative (squared relative
// error); Squared (ms^2) ranks the same on HELP's devices. LOO predictions
// are what package blend needs to compare and combine predictors.
//
// Fit needs n >= 2. With fewer points than features, collinear or
// constant columns, NNLS leaves dependent features at 0 and the ridge
// keeps the fit sane; NaN or ±Inf in the data is an error wrapping
// ErrBadData. Shape mismatches (rows of different lengths, a Scale of the
// wrong length) are programmer errors and panic.
//
// # Buffers
//
// Fit and NNLS neither modify nor retain their arguments: the Model holds
// its own copy of the scale. Model.PredictTo writes into the caller's
// dst, growing it only if it is shorter than the rows, so predicting the
// whole space in a loop with a kept dst does not allocate. A Model is
// read-only after Fit and safe for concurrent prediction.
package opcost

// Package dataset is one search space's latency table under HELP's
// protocol, with its architectures encoded for the predictor, and HELP's
// meta-test on it: support rows drawn per seed, rankers (HELP and its
// Meta-SGD and MAML variants, FLOPs, the nearest known device) and
// per-device Spearman and Kendall tau-b over seeds. It also builds HELP's
// meta-training set-up (the episode sampler and the validation tasks).
//
// The package takes a space.Space and a space.Encoder and imports no
// concrete space: entry points pick them (package space/registry).
//
// # Rows and units
//
// A row is a row of the latency table (latency.Table). Data.Archs and
// Data.X are indexed by row. Latencies are milliseconds; normalised
// latencies (latency.Device.Normalised) are unitless.
//
// # Seeds
//
// Seed s on device d draws its support set with PCG(s, fnv64a(d)), so every
// method sees the same support sets for the same seed, whatever else it
// draws.
//
// # Ownership
//
// Data is immutable after New (Reencode aside) and its slices are shared:
// read them, do not modify them.
package dataset

// Package atlas is everything the page and the CLI need to know about the
// devices HELP's latency tables cover, derived once from the data and shipped
// beside the predictor weights (the page cannot read the tables).
//
// # Contents
//
// An Atlas holds, for one search space:
//
//   - Reference: the 10 reference architectures, in hardware-embedding order.
//   - Anchors: the consensus fastest and slowest architectures of the
//     meta-train devices. A new device measures them together with the
//     reference architectures to fix its min-max latency scale (12 anchors).
//   - Devices: per known device its name, its split (train, valid, test in
//     HELP's standard split), its raw reference and anchor latencies (ms) and
//     its hardware embedding (the reference latencies min-max normalised among
//     themselves: 0 for the fastest, 1 for the slowest).
//   - Pool: a small, seeded sample of HELP's query pool with every device's
//     latency on it (ms, float32), for the nearest-device baseline and for
//     validation against known devices.
//   - Candidates: architectures with a known accuracy, for latency-constrained
//     picks: MetaD2A's proposals with CIFAR-100 accuracy (NAS-Bench-201), the
//     networks HELP's search found with ImageNet top-1 (OFA).
//   - Map: a principal-component projection of the devices' embeddings to two
//     dimensions, so a new device can be placed among the known ones.
//
// # Similarity
//
// Nearest ranks devices by the correlation of their reference latencies with
// a target's. Pearson correlation is the default (Atlas.Nearest): on only 10
// reference architectures it separates devices better than Spearman, whose
// ranks tie often on phones with whole-millisecond timings. Both are
// invariant under the min-max normalisation, so raw latencies and embeddings
// may be passed interchangeably.
//
// # File format
//
// Write and Read use JSON (see File) with a format name and version; Read
// rejects other versions and checks every invariant (lengths, finite positive
// latencies, known splits) with an error naming the offending field, e.g.
// `devices[3].pool_ms[17]`.
//
// # Ownership
//
// Methods never modify their arguments and return freshly allocated slices.
// An Atlas is not modified after Build or Read and may be shared between
// goroutines.
package atlas

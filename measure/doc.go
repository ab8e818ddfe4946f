// Package measure times things on the machine it runs on, robustly, and
// records the results as a device profile: the JSON document the CLI and
// the browser page both read and write.
//
// # Protocol
//
// Measure times a set of items (anything with a Run method; callers wrap
// engine networks, so this package never imports the engine and is tested
// with fakes). For each item it
//
//   - runs Options.Warmup untimed warm-up runs;
//   - calibrates a number of inner repetitions so that one timed sample
//     lasts at least max(Options.MinSample, Options.ResolutionFactor x the
//     clock's resolution): a browser clock ticks every 5 us when the page is
//     cross-origin isolated and every 100 us otherwise, a native one in ns;
//   - takes Options.Rounds samples, one per round; in each round every item
//     is timed once, in an order shuffled per round from Options.Seed, so
//     drift (thermal, frequency scaling, other load) hits all items alike.
//
// Before every round (between samples, never inside one) it may run the
// garbage collector, and it discards any sample during which a GC cycle
// completed (read from runtime/metrics, about 0.4 us per read). Samples above
// median + OutlierK x MAD are dropped as outliers. The statistic is
// Options.Quantile of the kept samples. The presets take the lower
// quartile: interference (another thread on the same core, the garbage
// collector, the page's own rendering) only ever adds time, so low
// samples are the truthful ones, but a load that starts or stops during
// the last round must not set an item's value alone, as it would set the
// minimum. On this project's 2-vCPU machine a single network's forward
// pass alternated between about 13.7 and 21 ms with nothing else running.
// Timing 90 networks three times (wall clock; experiments/timepool, and
// replay -agree on experiments/data/native-*.json), the runs ranked them alike
// with pairwise Spearman 0.996-0.998 by the minimum, 0.990-0.996 by the
// lower quartile and 0.983-0.987 by the median. Under a simulated load
// that comes and goes (worker's TestProfileUnderChangingLoad, 12 quick
// profiles each of gold_6226 and pixel2), HELP's mean validation Spearman
// was 0.934 and 0.838 with the lower quartile, 0.928 and 0.854 with the
// minimum, 0.923 and 0.741 with the median.
// The spread is 1.4826 x MAD / median, a robust
// coefficient of variation (about the relative standard deviation for
// Gaussian noise). Items with too few kept samples or a spread above
// MaxSpread are re-measured, up to MaxRetries times, each time with Rounds
// more samples pooled with the earlier ones; if they stay unstable
// Result.Stable is false, so callers can report it. Nothing unstable is
// passed off as stable.
//
// Measure is cancellable through its context (checked between samples),
// reports progress through Options.Progress, and pauses while
// Options.Interrupted returns true (the page sets it while its tab is
// hidden and browsers throttle it): a round during which an interruption
// was seen is discarded and repeated.
//
// # Units and ownership
//
// Latencies are float64 milliseconds per single run of an item. The clock
// is injectable (Options.Clock) so tests are deterministic. Results and
// their Samples slices are newly allocated and owned by the caller.
//
// # Profiles
//
// Profile is the versioned device profile (see profile.go for the JSON
// format). Embedding and Normaliser turn its reference and anchor timings
// into the predictor's inputs and back into milliseconds, following HELP:
// the hardware embedding is the reference latencies min-max normalised
// among themselves, and a new device's latencies are normalised with the
// minimum and maximum over the 12 anchors (10 reference architectures plus
// the consensus fastest and slowest) as y = (t-min)/(max-min)*0.9 + 0.05.
package measure

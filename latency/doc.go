// Package latency loads HELP's measured latency tables and implements
// HELP's data protocol on them: training and query pools, outlier
// trimming, min-max normalisation, the hardware embedding and the
// consensus fastest and slowest architectures.
//
// # Files
//
// Load reads one search space's directory:
//
//	latency.csv             index,arch,<device>...  one row per architecture;
//	                        index is HELP's architecture index, arch the
//	                        space's architecture string, then one latency
//	                        in milliseconds per device.
//	reference_archs.csv     index,arch: the reference architectures whose
//	                        latencies form the hardware embedding, in
//	                        embedding order. Each row must match the table.
//	metad2a_candidates.csv  arch,cifar100_accuracy,score (optional):
//	                        MetaD2A's proposals, each an arch of the table.
//
// Latencies must be finite and positive. Errors are *ParseError values
// naming file, line, column and field, wrapping one of the Err* sentinels
// (or encoding/csv's errors), so callers can test them with errors.Is.
//
// The package stores architecture strings and leaves parsing them to the
// space packages; it only recognises which space a table is (Space).
//
// # Rows, indices and units
//
// A row is a position in the table (0..Len()-1, file order). HELP's
// architecture index is a column of its own (Index, RowOfIndex); in the
// published tables row r has index r. Latencies are float64 milliseconds;
// normalised latencies are unitless.
//
// # Ownership
//
// Slices returned by Table methods (Latency, ReferenceRows, ...) are the
// table's storage: read them, do not modify them. A Table is immutable
// after Load and safe for concurrent reads. Functions taking a dst slice
// write into it, growing it if it is too short, and return it.
//
// # HELP's protocol
//
// For a space, the training pool is the architectures with HELP index in
// [0, Train) and the query pool those in [Train, Train+Query) (Pools).
// Per device each pool is sorted by latency and only positions
// [int(0.1n), int(0.9n)) are kept (Trim): HELP's
// idx[argsort(lat[idx])[int(n*0.1):int(n*0.9)]]. Latencies are then
// min-max normalised over the trimmed training pool with portion 0.9:
// y = (t-min)/(max-min)*0.9 + 0.05 (Scale). The hardware embedding is the
// reference latencies min-max normalised among themselves with portion 1.0
// (Embedding). For a device outside the table, HELP's "nas" mode
// normalises over 12 anchors instead: the consensus slowest and fastest
// architectures of the meta-train and meta-validation devices (Consensus,
// Protocol.AnchorDevices) and the reference architectures (Anchors).
package latency

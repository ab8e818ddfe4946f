package nasbench201

// NumOpFeatures is the length of the op-cost feature vector Features
// writes (not to be confused with NumFeatures and FeaturesLen, the sizes
// of the graph encoding).
const NumOpFeatures = 7

// FeatureNames names the columns Features writes, in order.
var FeatureNames = [NumOpFeatures]string{
	"none", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3",
	"dead_nor_conv_1x1", "dead_nor_conv_3x3", "dead_avg_pool_3x3",
}

// FeatureScale is each feature's largest value over all NumArchs cells
// (every feature is a non-negative count): 6 edges of one operation, and
// at most 3 dead edges, those into nodes 1 and 2 (edges 0, 1 and 2), when
// edges 3<-1 and 3<-2 are none. An op-cost model divides by it so that one
// ridge weight suits every feature.
var FeatureScale = [NumOpFeatures]float64{6, 6, 6, 6, 3, 3, 3}

// Features writes a's op-cost features to dst and returns it (grown only
// if shorter than NumOpFeatures):
//
//	0..3  how many of the 6 edges carry none, nor_conv_1x1, nor_conv_3x3,
//	      avg_pool_3x3 (skip_connect is the baseline the others are
//	      measured against, so its count is left out: the five counts
//	      sum to 6)
//	4..6  how many nor_conv_1x1, nor_conv_3x3, avg_pool_3x3 edges are
//	      dead
//
// Edge i->j is dead when node j cannot reach the output (node 3) through
// edges that are not none: its result never reaches the output, so a
// runtime that prunes unused work (a graph compiler, an accelerator's
// toolchain) skips it, while an eager framework still runs it. Linear
// models on these features rank NAS-Bench-201 latency well because
// latency is close to additive over the edges (see package opcost).
func Features(dst []float64, a Arch) []float64 {
	if cap(dst) < NumOpFeatures {
		dst = make([]float64, NumOpFeatures)
	}
	dst = dst[:NumOpFeatures]
	clear(dst)
	alive := liveNodes(a)
	for e, op := range a {
		var c int
		switch op {
		case None:
			dst[0]++
			continue
		case Conv1x1:
			c = 1
		case Conv3x3:
			c = 2
		case AvgPool3x3:
			c = 3
		default:
			continue
		}
		dst[c]++
		if !alive[Edges[e].To] {
			dst[c+3]++
		}
	}
	return dst
}

// liveNodes reports for each cell node whether it reaches the output
// (node 3) through edges that are not none. Edges runs in topological
// order, so a backward pass settles every node.
func liveNodes(a Arch) [4]bool {
	var alive [4]bool
	alive[3] = true
	for e := NumEdges - 1; e >= 0; e-- {
		if a[e] != None && alive[Edges[e].To] {
			alive[Edges[e].From] = true
		}
	}
	return alive
}

// NumPrunedOpFeatures is the length of the vector FeaturesPruned writes.
const NumPrunedOpFeatures = NumOpFeatures + 3

// PrunedFeatureScale is FeaturesPruned's scale for an op-cost model: the
// largest |value| of each column over all cells.
var PrunedFeatureScale = [NumPrunedOpFeatures]float64{6, 6, 6, 6, 3, 3, 3, 3, 3, 3}

// FeaturesPruned writes Features (columns 0..6) followed by the negated
// dead-edge counts (columns 7..9: -dead_nor_conv_1x1, -dead_nor_conv_3x3,
// -dead_avg_pool_3x3) and returns dst (grown only if shorter than
// NumPrunedOpFeatures).
//
// With Features alone a non-negative op-cost model can make a dead edge
// cost more than a live one but never less, so it cannot describe a
// runtime that skips dead work. The negated columns let a dead edge cost
// less (down to nothing), while a ridge still shrinks towards "a dead
// edge costs what a live one does". On raspi4 this lifts the ceiling of
// the op-cost model (fitted to every non-query cell) from 0.910 to 0.940
// Spearman; with only 20 labelled cells it is noisier elsewhere, which is
// why blend's Prefer mode uses it only when leave-one-out says it fits
// clearly better (see package blend).
func FeaturesPruned(dst []float64, a Arch) []float64 {
	if cap(dst) < NumPrunedOpFeatures {
		dst = make([]float64, NumPrunedOpFeatures)
	}
	dst = dst[:NumPrunedOpFeatures]
	Features(dst[:NumOpFeatures], a)
	for j := range 3 {
		dst[NumOpFeatures+j] = -dst[4+j]
	}
	return dst
}

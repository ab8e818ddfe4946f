package nasbench201

// Structural features for the op-cost latency model (package opcost).
//
// NAS-Bench-201 latency is close to additive over the six edges, with one
// twist: an edge whose target node cannot reach the output through
// non-none edges computes a result nobody reads. Frameworks still run it
// (the device tables show the cost), but it may cost differently from a
// live edge, so dead edges get their own columns. skip_connect is the
// baseline operation the intercept absorbs.
const NumFeatures201 = 7

// featureNames name the columns Features writes, in order.
var featureNames = [NumFeatures201]string{
	"none edges", "nor_conv_1x1 edges", "nor_conv_3x3 edges", "avg_pool_3x3 edges",
	"dead nor_conv_1x1 edges", "dead nor_conv_3x3 edges", "dead avg_pool_3x3 edges",
}

// FeatureNames returns the names of Features' columns.
func FeatureNames() []string { return append([]string(nil), featureNames[:]...) }

// FeatureScale returns each feature's largest value over the space: six
// edges for the counts, and for the dead counts the edges that can be dead
// at once (those into nodes 1 and 2: three).
func FeatureScale() []float64 { return []float64{6, 6, 6, 6, 3, 3, 3} }

// Features writes a's structural features (edge counts per operation, and
// per operation the edges that are dead) into dst[:NumFeatures201],
// allocating only if dst is too short, and returns it.
func Features(dst []float64, a Arch) []float64 {
	if cap(dst) < NumFeatures201 {
		dst = make([]float64, NumFeatures201)
	}
	dst = dst[:NumFeatures201]
	clear(dst)
	live := liveNodes(a)
	for e, op := range a {
		col := -1
		switch op {
		case None:
			dst[0]++
			continue
		case SkipConnect:
			continue
		case Conv1x1:
			col = 1
		case Conv3x3:
			col = 2
		case AvgPool3x3:
			col = 3
		}
		dst[col]++
		if !live[Edges[e].To] {
			dst[col+3]++
		}
	}
	return dst
}

// liveNodes reports for each node whether it reaches the output (node 3)
// through non-none edges. Edges run from lower to higher nodes, so one pass
// from the output down suffices.
func liveNodes(a Arch) [4]bool {
	var live [4]bool
	live[3] = true
	for n := 2; n >= 0; n-- {
		for e, edge := range Edges {
			if edge.From == n && a[e] != None && live[edge.To] {
				live[n] = true
			}
		}
	}
	return live
}

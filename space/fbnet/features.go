package fbnet

// Structural features for a linear latency model: per-layer analytic
// components summed over the 22 layers (issue 8: NNLS on these plus the
// meta-train devices' latencies reached 0.975 Spearman on fpga, raspi4 and
// eyeriss, against HELP's 0.910 and FLOPs' 0.923).

// NumFeatures is the length of the Features vector.
const NumFeatures = 14

// featureNames are in Features order; see FeatureNames.
var featureNames = [NumFeatures]string{
	"expand_macs",  // 1x1 expansion convolutions (grouped for _g2)
	"dw_macs",      // depthwise kxk convolutions
	"project_macs", // 1x1 projection convolutions (grouped for _g2)
	"skip_macs",    // conv1x1 of skips that change shape
	"act_in",       // input elements of every layer that computes
	"act_mid",      // expanded elements, before plus after the depthwise
	"act_out",      // output elements of every layer that computes
	"params",       // parameters of the 22 layers
	"blocks",       // number of blocks (non-skip layers)
	"shuffle",      // elements moved by channel shuffles (_g2 blocks)
	"residual",     // elements of residual additions
	"dw5_out",      // depthwise output elements of 5x5 blocks
	"projections",  // number of projecting skips
	"one",          // 1: the stem, head and classifier, equal for every architecture
}

// FeatureNames returns the names of the Features values, in order (a new
// slice each call).
func FeatureNames() []string {
	s := make([]string, NumFeatures)
	copy(s, featureNames[:])
	return s
}

// layerFeatures writes one layer's terms into v[:NumFeatures], adding.
func (lc layerCost) addTo(v []float64) {
	v = v[:NumFeatures]
	v[0] += float64(lc.expandMACs)
	v[1] += float64(lc.dwMACs)
	v[2] += float64(lc.projectMACs)
	v[3] += float64(lc.skipMACs)
	v[4] += float64(lc.actIn)
	v[5] += float64(lc.actMid)
	v[6] += float64(lc.actOut)
	v[7] += float64(lc.params)
	v[8] += float64(lc.block)
	v[9] += float64(lc.shuffle)
	v[10] += float64(lc.residual)
	v[11] += float64(lc.dw5)
	v[12] += float64(lc.projection)
}

// Features writes a's NumFeatures structural features into
// dst[:NumFeatures], allocating only if dst is too short, and returns it.
// Every value is a count of scalars or of layers (not normalised; divide
// by FeatureScales for a well-conditioned fit). It panics if a holds a
// choice >= NumChoices.
func Features(dst []float64, a Arch) []float64 {
	if cap(dst) < NumFeatures {
		dst = make([]float64, NumFeatures)
	}
	dst = dst[:NumFeatures]
	clear(dst)
	for i, l := range Skeleton() {
		costOf(l, a[i]).addTo(dst)
	}
	dst[NumFeatures-1] = 1
	return dst
}

// FeatureScales writes each feature's largest value over the whole space
// into dst[:NumFeatures] (allocating only if dst is too short) and returns
// it. Every feature is a sum of non-negative per-layer terms and layers are
// chosen independently, so the maximum is the sum over layers of the
// per-layer maximum: exact, not an estimate. Every scale is positive, so
// Features/FeatureScales lies in [0, 1].
func FeatureScales(dst []float64) []float64 {
	if cap(dst) < NumFeatures {
		dst = make([]float64, NumFeatures)
	}
	dst = dst[:NumFeatures]
	clear(dst)
	var v [NumFeatures]float64
	for _, l := range Skeleton() {
		var best [NumFeatures]float64
		for c := range NumChoices {
			clear(v[:])
			costOf(l, c).addTo(v[:])
			for j := range v {
				best[j] = max(best[j], v[j])
			}
		}
		for j := range best {
			dst[j] += best[j]
		}
	}
	dst[NumFeatures-1] = 1
	return dst
}

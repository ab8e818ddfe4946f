package ofa

// Structural features for a linear latency model (package opcost): the
// work of each block split by what tends to cost differently per MAC on
// real hardware (depthwise kernel size, 1x1 width, SE), the activation
// traffic, and the resolution-only parts.

// NumFeatures is the length of the Features vector.
const NumFeatures = 20

var featureNames = [NumFeatures]string{
	"pw_macs_e3",   // 1x1 expansion + projection MACs of e3 blocks
	"pw_macs_e4",   // ... of e4 blocks
	"pw_macs_e6",   // ... of e6 blocks
	"dw_macs_k3",   // depthwise MACs of 3x3 blocks
	"dw_macs_k5",   // ... 5x5
	"dw_macs_k7",   // ... 7x7
	"se_macs",      // squeeze-and-excitation 1x1 MACs
	"se_elems",     // elements pooled and rescaled by SE
	"act_in",       // block input elements
	"act_mid",      // expanded elements, before plus after the depthwise
	"act_out",      // block output elements
	"hswish_elems", // expanded elements through h-swish
	"residual",     // elements of residual additions
	"params",       // parameters of the blocks
	"blocks",       // active blocks (layers launched)
	"stem_macs",    // stem and first block (resolution only)
	"head_macs",    // final expansion, feature mix, classifier (resolution only)
	"pixels",       // input pixels r*r
	"resolution",   // r
	"one",          // 1
}

// FeatureNames returns the names of the Features values, in order (a new
// slice each call).
func FeatureNames() []string {
	s := make([]string, NumFeatures)
	copy(s, featureNames[:])
	return s
}

func (c blockCost) addTo(v []float64, b Block) {
	v = v[:NumFeatures]
	pw := float64(c.expandMACs + c.projectMACs)
	switch b.E {
	case 3:
		v[0] += pw
	case 4:
		v[1] += pw
	default:
		v[2] += pw
	}
	switch b.K {
	case 3:
		v[3] += float64(c.dwMACs)
	case 5:
		v[4] += float64(c.dwMACs)
	default:
		v[5] += float64(c.dwMACs)
	}
	v[6] += float64(c.seMACs)
	v[7] += float64(c.seElems)
	v[8] += float64(c.actIn)
	v[9] += float64(c.actMid)
	v[10] += float64(c.actOut)
	v[11] += float64(c.hswish)
	v[12] += float64(c.residual)
	v[13] += float64(c.params)
	v[14]++
}

// Features writes a's NumFeatures structural features into
// dst[:NumFeatures], allocating only if dst is too short, and returns it.
// Values are counts (not normalised; divide by FeatureScales). It does
// not validate a.
func Features(dst []float64, a Arch) []float64 {
	if cap(dst) < NumFeatures {
		dst = make([]float64, NumFeatures)
	}
	dst = dst[:NumFeatures]
	clear(dst)
	var buf [NumBlocks]Block
	for _, b := range Blocks(buf[:0], a) {
		costOf(b).addTo(dst, b)
	}
	stem, head, _ := fixedCost(a.R)
	dst[15], dst[16] = float64(stem), float64(head)
	dst[17], dst[18], dst[19] = float64(a.R*a.R), float64(a.R), 1
	return dst
}

// FeatureScales writes each feature's largest value over the space into
// dst[:NumFeatures] (allocating only if dst is too short) and returns it.
// Every feature is a sum of non-negative per-block terms that grow with
// the resolution and the depth, and a block's shape does not depend on
// the other blocks' choices, so the maximum is at r = 224 and depth 4
// with each block's own maximum over its 9 (kernel, expansion) choices:
// exact, not an estimate. Every scale is positive.
func FeatureScales(dst []float64) []float64 {
	if cap(dst) < NumFeatures {
		dst = make([]float64, NumFeatures)
	}
	dst = dst[:NumFeatures]
	clear(dst)
	a := Arch{R: MaxResolution}
	for i := range a.D {
		a.D[i] = MaxDepth
	}
	var v [NumFeatures]float64
	for i := range NumBlocks {
		var best [NumFeatures]float64
		for _, k := range Kernels {
			for _, e := range Expansions {
				a.KS[i], a.E[i] = k, e
				b := Blocks(nil, a)[i]
				clear(v[:])
				costOf(b).addTo(v[:], b)
				for j := range v {
					best[j] = max(best[j], v[j])
				}
			}
		}
		for j := range best {
			dst[j] += best[j]
		}
	}
	stem, head, _ := fixedCost(MaxResolution)
	dst[15], dst[16] = float64(stem), float64(head)
	dst[17], dst[18], dst[19] = MaxResolution*MaxResolution, MaxResolution, 1
	return dst
}

package fbnet

import "fmt"

// layerCost is the analytic work and size of one layer choice, each a
// count of scalars (multiply-accumulates, parameters, tensor elements).
type layerCost struct {
	expandMACs, dwMACs, projectMACs, skipMACs int64
	params                                    int64
	actIn, actMid, actOut                     int64 // input, expanded (before and after the depthwise), output
	shuffle                                   int64 // elements moved by the channel shuffle
	residual                                  int64 // elements of the residual add
	dw5                                       int64 // depthwise output elements of a 5x5 kernel
	block, projection                         int64 // 1 for a block, 1 for a projecting skip
}

// costOf returns the cost of choice c at layer l. It panics on an invalid
// choice.
func costOf(l Layer, c Choice) layerCost {
	if c >= NumChoices {
		panic(fmt.Sprintf("fbnet: invalid choice %d", c))
	}
	hw, ohw := int64(l.Size*l.Size), int64(l.OutSize()*l.OutSize())
	in, out := int64(l.In), int64(l.Out)
	var lc layerCost
	switch {
	case l.Projects(c):
		lc.skipMACs = ohw * out * in
		lc.params = in*out + 2*out
		lc.actIn, lc.actOut = in*hw, out*ohw
		lc.projection = 1
	case c == Skip:
		// The identity: no work.
	default:
		g, k := int64(c.Groups()), int64(c.Kernel())
		mid := in * int64(c.Expansion())
		lc.expandMACs = hw * mid * (in / g)
		lc.dwMACs = ohw * mid * k * k
		lc.projectMACs = ohw * out * (mid / g)
		lc.params = (in/g)*mid + 2*mid + mid*k*k + 2*mid + (mid/g)*out + 2*out
		lc.actIn, lc.actMid, lc.actOut = in*hw, mid*hw+mid*ohw, out*ohw
		if g > 1 {
			lc.shuffle = mid * hw
		}
		if l.Residual(c) {
			lc.residual = out * ohw
		}
		if k == 5 {
			lc.dw5 = mid * ohw
		}
		lc.block = 1
	}
	return lc
}

func (lc layerCost) macs() int64 {
	return lc.expandMACs + lc.dwMACs + lc.projectMACs + lc.skipMACs
}

// Fixed parts of the network, the same for every architecture.
const (
	stemMACs   = InputSize * InputSize * StemChannels * InputChannels * 9
	stemParams = InputChannels*9*StemChannels + 2*StemChannels
	headMACs   = FinalSize * FinalSize * HeadChannels * FinalChannels
	headParams = FinalChannels*HeadChannels + 2*HeadChannels
	fcMACs     = HeadChannels*NumClasses + NumClasses // weights plus bias additions
	fcParams   = HeadChannels*NumClasses + NumClasses
)

// FLOPs returns the multiply-accumulate count of one forward pass of a's
// CIFAR-100 network at batch 1, in units (not millions), with the
// convention of nasbench201.FLOPs (xautodl's get_model_infos, which
// NAS-Bench-201's published FLOPs use):
//
//   - a convolution with Cin inputs, Cout outputs, g groups, a k x k kernel
//     and an H x W output counts H*W*Cout*(Cin/g)*k*k (a depthwise
//     convolution, g = Cin = Cout, counts H*W*C*k*k);
//   - the classifier counts in*out + out (its bias);
//   - nothing else: no BN (folded), ReLU, channel shuffle, residual add or
//     pooling. The convolutions have no bias.
//
// HW-NAS-Bench publishes no FLOPs for FBNet (its API sums per-block
// latency and energy lookup tables), and HELP's FBNet FLOPs baseline is
// not in its published code, so this count is checked against a literal
// transcription of FBNet_Infer's constructor and against the engine's own
// count of the layers it runs (engine tests). Over the space FLOPs run
// from 11,326,820 to 160,926,180 (all k5_e6); all skip is 11,609,060,
// not the minimum, because some stage entries (184->352 at 4x4) cost less
// as a k3_e1_g2 block than as a projecting skip.
func FLOPs(a Arch) int64 {
	f := int64(stemMACs + headMACs + fcMACs)
	for i, l := range Skeleton() {
		f += costOf(l, a[i]).macs()
	}
	return f
}

// Params returns the trainable parameter count of a's network:
// convolution weights, BN scale and shift (2 per channel; running
// statistics are buffers) and the classifier's weights and bias.
func Params(a Arch) int64 {
	p := int64(stemParams + headParams + fcParams)
	for i, l := range Skeleton() {
		p += costOf(l, a[i]).params
	}
	return p
}

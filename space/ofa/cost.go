package ofa

// blockCost is the analytic work and size of one active block, each a
// count of scalars (multiply-accumulates, parameters, tensor elements).
type blockCost struct {
	expandMACs, dwMACs, seMACs, projectMACs int64
	params                                  int64
	actIn, actMid, actOut                   int64 // input, expanded (before and after the depthwise), output
	hswish                                  int64 // elements through h-swish
	seElems                                 int64 // elements pooled and scaled by SE
	residual                                int64 // elements of the residual add
}

func costOf(b Block) blockCost {
	hw, ohw := int64(b.Size*b.Size), int64(b.OutSize*b.OutSize)
	in, mid, out, se, kk := int64(b.In), int64(b.Mid), int64(b.Out), int64(b.SEMid), int64(b.K*b.K)
	c := blockCost{
		expandMACs:  hw * mid * in,
		dwMACs:      ohw * mid * kk,
		projectMACs: ohw * out * mid,
		params:      in*mid + 2*mid + mid*kk + 2*mid + mid*out + 2*out,
		actIn:       in * hw,
		actMid:      mid*hw + mid*ohw,
		actOut:      out * ohw,
	}
	if b.SE {
		c.seMACs = mid*se + se*mid
		c.params += mid*se + se + se*mid + mid
		c.seElems = mid * ohw
	}
	if b.HSwish {
		c.hswish = mid*hw + mid*ohw
	}
	if b.Residual {
		c.residual = out * ohw
	}
	return c
}

func (c blockCost) macs() int64 { return c.expandMACs + c.dwMACs + c.seMACs + c.projectMACs }

// fixedCost is the work of the parts every architecture has at
// resolution r: stem, first block, final expansion, feature mix and
// classifier.
func fixedCost(r int) (stem, head, params int64) {
	s := int64(StemSize(r))
	f := int64(FinalSize(r))
	const (
		c0, c1 = StemChannels, FirstBlockChannels
		last   = LastStageWidth
	)
	stem = s*s*c0*InputChannels*9 + // first_conv 3x3/2
		s*s*c0*9 + // first block depthwise 3x3
		s*s*c1*c0 // first block 1x1 projection
	head = f*f*FinalExpandWidth*last + // final_expand_layer
		FinalExpandWidth*FeatureMixWidth + // feature_mix_layer on the pooled 1x1
		FeatureMixWidth*NumClasses // classifier (count_linear: no bias term)
	params = InputChannels*9*c0 + 2*c0 +
		c0*9 + 2*c0 + c0*c1 + 2*c1 +
		last*FinalExpandWidth + 2*FinalExpandWidth +
		FinalExpandWidth*FeatureMixWidth +
		FeatureMixWidth*NumClasses + NumClasses
	return stem, head, params
}

// LastStageWidth is StageWidth[4], the final expansion's input.
const LastStageWidth = 192

// FLOPs returns the multiply-accumulate count of one batch-1 forward pass
// of a's network at its resolution a.R, in units (not millions), by the
// rules of OFA's ofa/utils/flops_counter.py (which HELP's repository
// vendors):
//
//   - a convolution counts Cin * (output elements) * k*k / groups, so a
//     depthwise one counts C*H*W*k*k and squeeze-and-excitation's two 1x1
//     convolutions on the pooled 1x1 tensor count Mid*SEMid each;
//   - a linear layer counts in*out (no bias term);
//   - nothing else: batch norm (folded), activations, pooling, the SE
//     multiply and residual additions count 0.
//
// The count is checked against a transcription of the active subnet's
// modules under those rules and against the engine's own MAC count
// (tests).
func FLOPs(a Arch) int64 {
	stem, head, _ := fixedCost(a.R)
	f := stem + head
	var buf [NumBlocks]Block
	for _, b := range Blocks(buf[:0], a) {
		f += costOf(b).macs()
	}
	return f
}

// Params returns the parameter count of a's network as flops_counter's
// profile sums it: every parameter of every leaf module (convolution
// weights, BN weight and bias, SE biases, the classifier's weights and
// bias; BN running statistics are buffers).
func Params(a Arch) int64 {
	_, _, p := fixedCost(a.R)
	var buf [NumBlocks]Block
	for _, b := range Blocks(buf[:0], a) {
		p += costOf(b).params
	}
	return p
}

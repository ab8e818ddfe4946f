package ofa

// The OFA MobileNetV3 macro network HELP measured: OFAMobileNetV3 of
// ofa_mbv3.py with width_mult 1.2 (HELP's validate_imagenet.py loads
// ofa_net('ofa_mbv3_d234_e346_k357_w1.2')); see the package comment.
const (
	WidthMult     = 1.2
	InputChannels = 3
	// Widths after make_divisible(base*1.2, 8) of base_stage_width
	// [16, 16, 24, 40, 80, 112, 160, 960, 1280].
	StemChannels       = 24   // first_conv 3x3/2 + BN + h-swish
	FirstBlockChannels = 24   // first block: dw 3x3 + BN + ReLU, 1x1 + BN, + input
	FinalExpandWidth   = 1152 // final_expand_layer 1x1 + BN + h-swish
	FeatureMixWidth    = 1536 // feature_mix_layer 1x1 (no BN, no bias) + h-swish after pooling
	NumClasses         = 1000
	ChannelDivisible   = 8 // MyNetwork.CHANNEL_DIVISIBLE
	SEReduction        = 4 // SEModule.REDUCTION
)

// Per searchable stage: output width, stride of its first block, and
// whether its blocks use h-swish (else ReLU) and squeeze-and-excitation
// (act_stages and se_stages of ofa_mbv3.py without the first block's).
var (
	StageWidth  = [NumStages]int{32, 48, 96, 136, 192}
	StageStride = [NumStages]int{2, 2, 2, 1, 2}
	StageHSwish = [NumStages]bool{false, false, true, true, true}
	StageSE     = [NumStages]bool{false, true, false, true, true}
)

// MakeDivisible is OFA's make_divisible(v, divisor) (min_val = divisor):
// v rounded to the nearest multiple of divisor, at least divisor, and not
// more than 10% below v.
func MakeDivisible(v float64, divisor int) int {
	n := max(divisor, int(v+float64(divisor)/2)/divisor*divisor)
	if float64(n) < 0.9*v {
		n += divisor
	}
	return n
}

// Block is the fixed shape of one active inverted-residual block
// (MBConvLayer of the active subnet): input and output channels, the
// expanded width Mid = make_divisible(round(In*E), 8), the squeeze width
// SEMid = make_divisible(Mid/4, 8) (0 without SE), kernel, expansion,
// stride, input size Size x Size and output size OutSize x OutSize.
type Block struct {
	Stage, Slot   int // stage 0..4, slot 0..19
	In, Out, Mid  int
	SEMid         int
	K, E, Stride  int
	Size, OutSize int
	HSwish, SE    bool
	Residual      bool // stride 1 and In == Out: the input is added
}

// outSize is a same-padded k x k convolution's output size at stride s:
// (size + 2(k/2) - k)/s + 1 = ceil(size/s) for odd k.
func outSize(size, s int) int { return (size + s - 1) / s }

// StemSize is the stem's (and the first block's) output resolution.
func StemSize(r int) int { return outSize(r, 2) }

// Blocks appends the active blocks of a, in execution order, to dst and
// returns it. It does not validate a.
func Blocks(dst []Block, a Arch) []Block {
	in, size := FirstBlockChannels, StemSize(a.R)
	for s := range NumStages {
		for j := range a.D[s] {
			slot := s*BlocksPerStage + j
			b := Block{
				Stage: s, Slot: slot, In: in, Out: StageWidth[s],
				K: a.KS[slot], E: a.E[slot], Stride: 1, Size: size,
				HSwish: StageHSwish[s], SE: StageSE[s],
			}
			if j == 0 {
				b.Stride = StageStride[s]
			}
			// round(In*E) is exact: both are integers.
			b.Mid = MakeDivisible(float64(in*b.E), ChannelDivisible)
			if b.SE {
				b.SEMid = MakeDivisible(float64(b.Mid/SEReduction), ChannelDivisible)
			}
			b.OutSize = outSize(size, b.Stride)
			b.Residual = b.Stride == 1 && b.In == b.Out
			dst = append(dst, b)
			in, size = b.Out, b.OutSize
		}
	}
	return dst
}

// FinalSize is the last stage's output resolution (the final expansion's
// input): the stem's stride 2 and four stride-2 stages.
func FinalSize(r int) int {
	size := StemSize(r)
	for _, s := range StageStride {
		size = outSize(size, s)
	}
	return size
}

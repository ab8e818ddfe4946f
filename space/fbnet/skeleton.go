package fbnet

// The CIFAR-100 macro network HW-NAS-Bench measured (FBNet_Infer in
// hw_nas_bench_api/fbnet_models/model_infer.py, dataset "cifar100"); see the
// package comment.
const (
	InputSize     = 32   // input is InputChannels x InputSize x InputSize
	InputChannels = 3    //
	StemChannels  = 16   // stem conv3x3 stride 1 + BN + ReLU
	HeadChannels  = 1504 // head conv1x1 + BN + ReLU
	NumClasses    = 100  // CIFAR-100
	NumStages     = 7
)

// Per-stage layer count, output channels and stride of the stage's first
// layer (FBNetV1 widths; the CIFAR strides of HW-NAS-Bench).
var (
	stageLayers   = [NumStages]int{1, 4, 4, 4, 4, 4, 1}
	stageChannels = [NumStages]int{16, 24, 32, 64, 112, 184, 352}
	stageStride   = [NumStages]int{1, 1, 2, 2, 1, 2, 1}
)

// Layer is the fixed shape of one searchable layer: input and output
// channels, stride, and input resolution (Size x Size).
type Layer struct {
	In, Out, Stride, Size int
}

// OutSize is the layer's output resolution.
func (l Layer) OutSize() int { return l.Size / l.Stride }

// Skeleton returns the shape of each of the 22 layers: the first layer of
// a stage takes the previous stage's width (the stem's for stage 0) and
// the stage's stride; the others keep width and resolution.
func Skeleton() [NumLayers]Layer {
	var ls [NumLayers]Layer
	in, size, i := StemChannels, InputSize, 0
	for s := range NumStages {
		for j := range stageLayers[s] {
			l := Layer{In: in, Out: stageChannels[s], Stride: 1, Size: size}
			if j == 0 {
				l.Stride = stageStride[s]
			}
			ls[i] = l
			in, size = l.Out, l.OutSize()
			i++
		}
	}
	return ls
}

// FinalChannels and FinalSize are the last layer's width and resolution,
// the head's input.
const (
	FinalChannels = 352
	FinalSize     = 4
)

// Residual reports whether choice c at layer l adds its input to its
// output: a block (not Skip) with stride 1 and equal widths.
func (l Layer) Residual(c Choice) bool {
	return c != Skip && l.Stride == 1 && l.In == l.Out
}

// Projects reports whether choice c at layer l is a skip that changes
// shape and so is a conv1x1 (stride l.Stride) + BN + ReLU rather than
// the identity.
func (l Layer) Projects(c Choice) bool {
	return c == Skip && (l.Stride != 1 || l.In != l.Out)
}

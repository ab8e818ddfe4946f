package nasbench201

// Macro skeleton constants.
const (
	CellsPerStage = 5
	NumClasses    = 10
	InputSize     = 32 // CIFAR images are 3 x InputSize x InputSize
	InputChannels = 3
	StemChannels  = 16
	NumStages     = 3
)

// FLOPs returns the multiply-accumulate count of one forward pass of a's
// network at batch 1, as NAS-Bench-201's "flops" (in units, not millions).
//
// The CIFAR-10 network (input 3x32x32, 10 classes) is counted as
// NAS-Bench-201 does (xautodl's get_model_infos).
//
// FLOPs are multiply-accumulates of convolutions and the classifier:
// a k x k conv from Cin to Cout channels with an HxW output counts
// H*W*Cout*Cin*k*k; the linear layer counts in*out + out (its bias).
// Nothing else is counted: no BN, ReLU, pooling (xautodl hooks pooling but
// leaves it out of the sum), additions at nodes, or the none op. The
// network's convs have no bias (BN follows each).
//
// Params counts trainable parameters: conv weights, BN scale and shift (2
// per channel; running statistics are buffers, not parameters) and the
// classifier's weights and bias. NAS-Bench-201 reports both in millions
// (FLOPs/1e6; params/1e6 in the original release, /2^20 in later xautodl).
//
// The network: stem conv3x3 3->16 + BN; 5 cells at 16 channels 32x32;
// residual reduction 16->32 (ReLU-conv3x3 s2-BN, ReLU-conv3x3-BN, shortcut
// avgpool 2x2 s2 + conv1x1); 5 cells at 32 channels 16x16; reduction
// 32->64; 5 cells at 64 channels 8x8; BN-ReLU; global average pool; linear
// 64->10. A cell edge nor_conv_kxk is ReLU-conv(kxk)-BN; avg_pool_3x3,
// skip_connect and none have neither FLOPs nor parameters here.
//
// Over the space FLOPs run from 7,783,050 (7.78M, no conv edges) to
// 220,119,690 (all nor_conv_3x3) and params from 73,306 to 1,531,546.
func FLOPs(a Arch) int64 {
	var f int64
	hw := int64(InputSize * InputSize)
	c := int64(StemChannels)
	f += hw * c * InputChannels * 9 // stem
	for s := range NumStages {
		if s > 0 {
			cin := c
			c *= 2
			hw /= 4
			f += hw * c * cin * 9 // conv_a, stride 2
			f += hw * c * c * 9   // conv_b
			f += hw * c * cin     // shortcut conv1x1 after avgpool
		}
		f += CellsPerStage * hw * cellMACsPerPixel(a, c)
	}
	f += c*NumClasses + NumClasses // classifier
	return f
}

// Params returns the trainable parameter count of a's network; see FLOPs
// for what is counted.
func Params(a Arch) int64 {
	var p int64
	c := int64(StemChannels)
	p += InputChannels*9*c + 2*c // stem conv + BN
	for s := range NumStages {
		if s > 0 {
			cin := c
			c *= 2
			p += cin*c*9 + 2*c // conv_a + BN
			p += c*c*9 + 2*c   // conv_b + BN
			p += cin * c       // shortcut conv1x1
		}
		var cell int64
		for _, op := range a {
			switch op {
			case Conv1x1:
				cell += c*c + 2*c
			case Conv3x3:
				cell += c*c*9 + 2*c
			}
		}
		p += CellsPerStage * cell
	}
	p += 2 * c                     // lastact BN
	p += c*NumClasses + NumClasses // classifier
	return p
}

// cellMACsPerPixel is one cell's conv multiply-accumulates per output pixel
// at c channels.
func cellMACsPerPixel(a Arch, c int64) int64 {
	var m int64
	for _, op := range a {
		switch op {
		case Conv1x1:
			m += c * c
		case Conv3x3:
			m += c * c * 9
		}
	}
	return m
}

package engine

import (
	"github.com/helpwasm/helpwasm/space/fbnet"
)

// Net is a network ready to time: what the measurement worker needs
// (measure.ItemFunc(net.Forward)). *Network and *FBNet implement it.
type Net interface {
	// Forward runs the network on Input and leaves the logits in Output.
	Forward()
	// Input is the network's input buffer (CHW); callers may overwrite it.
	Input() []float32
	// Output holds the logits of the last Forward.
	Output() []float32
	// MACs counts the multiply-accumulates of one Forward as direct
	// convolutions plus the classifier (FLOPs = 2·MACs).
	MACs() int64
}

var (
	_ Net = (*Network)(nil)
	_ Net = (*FBNet)(nil)
)

// fbKind is what one FBNet layer computes.
type fbKind uint8

const (
	fbIdentity   fbKind = iota // skip with unchanged shape: nothing
	fbProjection               // skip that changes shape: conv1×1/s + BN + ReLU
	fbBlock                    // expand, [shuffle], depthwise, project, [+ input]
)

// fbLayer is one of the 22 searchable layers, built.
type fbLayer struct {
	kind            fbKind
	proj            *conv // fbProjection
	expand, project *pointwise
	dw              *depthwise
	groups          int  // > 1: channel shuffle after expand
	residual        bool // project adds into the input buffer
	mid, hw         int  // expanded channels, input pixels
	inLen, outLen   int
}

// FBNet is the HW-NAS-Bench FBNet CIFAR-100 network of one architecture
// (see the package comment) with fixed pseudo-random weights, ready to
// run. All buffers are allocated by NewFBNet; Forward allocates nothing.
// An FBNet is not safe for concurrent use.
type FBNet struct {
	arch   fbnet.Arch
	input  []float32 // 3×32×32
	out    []float32 // 100 logits
	stem   *conv
	layers [fbnet.NumLayers]fbLayer
	head   *pointwise // 352→1504 + BN + ReLU at 4×4
	fcW    []float32  // NumClasses×HeadChannels
	fcB    []float32
	pooled []float32 // HeadChannels

	act  [2][]float32 // block inputs and outputs, ping-ponged
	mid  [2][]float32 // expanded tensors: expand out, shuffle out, depthwise out
	bs   []float32    // packed-operand and padded-plane scratch
	macs int64
}

// NewFBNet builds arch's network with weights drawn from seed; the input
// buffer is filled with deterministic values from the same seed. It
// panics if arch holds a choice >= fbnet.NumChoices.
func NewFBNet(arch fbnet.Arch, seed uint64) *FBNet {
	p := newFBParams(arch, seed)
	n := &FBNet{arch: arch}
	const in = fbnet.InputSize
	n.input = newParamGen(^seed).uniform(fbnet.InputChannels*in*in, -1, 1)
	n.out = make([]float32, fbnet.NumClasses)
	n.stem = newConv(&p.stem, convSpec{h: in, w: in, stride: 1, pad: 1})
	bl, _ := n.stem.scratchLen()
	actLen, midLen := n.stem.outLen(), 0
	n.macs = n.stem.macs()
	for i := range n.layers {
		bp, l := &p.blocks[i], &n.layers[i]
		s := bp.shape
		hw, ohw := s.Size*s.Size, s.OutSize()*s.OutSize()
		l.hw, l.inLen, l.outLen = hw, s.In*hw, s.Out*ohw
		actLen = max(actLen, l.inLen, l.outLen)
		switch {
		case bp.proj != nil:
			l.kind = fbProjection
			l.proj = newConv(bp.proj, convSpec{h: s.Size, w: s.Size, stride: s.Stride})
			b, _ := l.proj.scratchLen()
			bl = max(bl, b)
			n.macs += l.proj.macs()
		case bp.choice == fbnet.Skip:
			l.kind = fbIdentity
		default:
			l.kind = fbBlock
			l.groups = bp.choice.Groups()
			l.mid = bp.expand.cout
			l.residual = s.Residual(bp.choice)
			l.expand = newPointwise(&bp.expand, l.groups, hw, true)
			l.dw = newDepthwise(&bp.dw, s.Size, s.Size, s.Stride)
			l.project = newPointwise(&bp.project, l.groups, ohw, false)
			bl = max(bl, l.expand.scratchLen(), l.dw.scratchLen(), l.project.scratchLen())
			midLen = max(midLen, l.mid*hw)
			n.macs += l.expand.macs() + l.dw.macs() + l.project.macs()
		}
	}
	const fs = fbnet.FinalSize
	n.head = newPointwise(&p.head, 1, fs*fs, true)
	bl = max(bl, n.head.scratchLen())
	midLen = max(midLen, n.head.outLen())
	n.macs += n.head.macs() + fbnet.NumClasses*fbnet.HeadChannels
	for i := range n.act {
		n.act[i] = make([]float32, actLen)
		n.mid[i] = make([]float32, midLen)
	}
	n.bs = make([]float32, bl)
	n.fcW, n.fcB = p.fcW, p.fcB
	n.pooled = make([]float32, fbnet.HeadChannels)
	return n
}

// Arch returns the network's architecture.
func (n *FBNet) Arch() fbnet.Arch { return n.arch }

// Input returns the network's input tensor (3×32×32, CHW). The caller may
// overwrite it between Forward calls; the slice stays valid for the
// FBNet's life.
func (n *FBNet) Input() []float32 { return n.input }

// Output returns the 100 logits of the last Forward. The slice is owned by
// the FBNet and overwritten by the next Forward.
func (n *FBNet) Output() []float32 { return n.out }

// MACs is the number of multiply-accumulates in the network's convolutions
// and classifier, counted as direct convolutions (FLOPs = 2·MACs;
// fbnet.FLOPs adds the classifier's 100 bias additions).
func (n *FBNet) MACs() int64 { return n.macs }

// Forward runs the network on Input and leaves the logits in Output.
func (n *FBNet) Forward() {
	cur := 0
	x := n.act[cur][:n.stem.outLen()]
	n.stem.forward(x, n.input, n.bs, nil, false)
	reluInPlace(x)
	for i := range n.layers {
		l := &n.layers[i]
		x := n.act[cur][:l.inLen]
		switch l.kind {
		case fbIdentity:
		case fbProjection:
			y := n.act[1-cur][:l.outLen]
			l.proj.forward(y, x, n.bs, nil, false)
			reluInPlace(y)
			cur = 1 - cur
		case fbBlock:
			e := n.mid[0][:l.mid*l.hw]
			l.expand.forward(e, x, n.bs, false)
			dwIn, dwOut := e, n.mid[1][:l.dw.outLen()]
			if l.groups > 1 {
				dwIn = n.mid[1][:len(e)]
				channelShuffle(dwIn, e, l.mid, l.groups, l.hw)
				dwOut = n.mid[0][:l.dw.outLen()]
			}
			l.dw.forward(dwOut, dwIn, n.bs)
			if l.residual {
				// In place: the input buffer becomes the output.
				l.project.forward(x, dwOut, n.bs, true)
				continue
			}
			l.project.forward(n.act[1-cur][:l.outLen], dwOut, n.bs, false)
			cur = 1 - cur
		}
	}
	const fs = fbnet.FinalSize
	h := n.mid[0][:n.head.outLen()]
	n.head.forward(h, n.act[cur][:fbnet.FinalChannels*fs*fs], n.bs, false)
	n.fbHead(h)
}

// fbHead is global average pooling and the classifier.
func (n *FBNet) fbHead(x []float32) {
	const hw = fbnet.FinalSize * fbnet.FinalSize
	for c := range n.pooled {
		var s float32
		for _, v := range x[c*hw : (c+1)*hw] {
			s += v
		}
		n.pooled[c] = s / hw
	}
	for k := range n.out {
		w := n.fcW[k*fbnet.HeadChannels : (k+1)*fbnet.HeadChannels]
		s := n.fcB[k]
		for c, v := range n.pooled {
			s += w[c] * v
		}
		n.out[k] = s
	}
}

package engine

import (
	"testing"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

// TestFoldNASBench201 checks what FoldNASBench201 shares with New: the
// input, the MACs, the layer shapes and the folded weights of the conv
// edges (its functional check, a whole forward from these weights, is
// engine/webgpu's TestInterpretMatchesEngine).
func TestFoldNASBench201(t *testing.T) {
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
	n := New(a, 5)
	f := FoldNASBench201(a, 5)
	checkIdentical(t, "input", f.Input, n.Input())
	if f.MACs != n.MACs() {
		t.Errorf("MACs %d, New %d", f.MACs, n.MACs())
	}
	p := newParams(a, 5)
	for s := range f.Cells {
		for i := range f.Cells[s] {
			for e, c := range f.Cells[s][i] {
				cp := p.cells[s][i].edges[e]
				if (c == nil) != (cp == nil) {
					t.Fatalf("stage %d cell %d edge %d: folded %v, params %v", s, i, e, c != nil, cp != nil)
				}
				if c == nil {
					continue
				}
				w, b := cp.folded()
				checkIdentical(t, "weights", c.Weights, w)
				checkIdentical(t, "bias", c.Bias, b)
				if oh, ow := c.OutSize(); oh != stageSize[s] || ow != stageSize[s] || !c.ReLUIn {
					t.Errorf("stage %d edge %d: out %dx%d relu %v", s, e, oh, ow, c.ReLUIn)
				}
			}
		}
	}
	for i, r := range f.Reductions {
		if oh, _ := r.A.OutSize(); oh != stageSize[i+1] || r.A.Stride != 2 {
			t.Errorf("reduction %d a: out %d stride %d", i, oh, r.A.Stride)
		}
		if oh, _ := r.Shortcut.OutSize(); oh != stageSize[i+1] || r.Shortcut.Bias != nil || !r.Shortcut.AvgPool2 {
			t.Errorf("reduction %d shortcut: out %d, bias %v, pool %v", i, oh, r.Shortcut.Bias != nil, r.Shortcut.AvgPool2)
		}
	}
}

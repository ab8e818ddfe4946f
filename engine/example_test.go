package engine_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func Example() {
	arch := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	n := engine.New(arch, 1)
	// Input is the network's own 3×32×32 buffer; overwrite it to run on
	// other data.
	in := n.Input()
	for i := range in {
		in[i] = 0.5
	}
	n.Forward()
	fmt.Println(len(in), len(n.Output()))
	fmt.Printf("%.2fM multiply-accumulates\n", float64(n.MACs())/1e6)
	// Output:
	// 3072 10
	// 113.95M multiply-accumulates
}

package nasbench201_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/space/nasbench201"
)

func ExampleEncode() {
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	enc := nasbench201.Encode(nil, a, nasbench201.DefaultTypeOrder)
	x := enc[:nasbench201.FeaturesLen]
	adj := enc[nasbench201.FeaturesLen:]
	fmt.Println("node 3 (avg_pool_3x3):", x[3*nasbench201.NumFeatures:4*nasbench201.NumFeatures])
	fmt.Println("output aggregates from:", adj[7*nasbench201.NumNodes:8*nasbench201.NumNodes])
	// Output:
	// node 3 (avg_pool_3x3): [0 1 0 0 0 0 0 0]
	// output aggregates from: [0 0 0 0 1 1 1 1 0]
}

func ExampleFLOPs() {
	a := nasbench201.MustParse("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	fmt.Printf("%.2f MFLOPs, %.3f M params\n", float64(nasbench201.FLOPs(a))/1e6, float64(nasbench201.Params(a))/1e6)
	// Output: 220.12 MFLOPs, 1.532 M params
}

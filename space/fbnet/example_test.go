package fbnet_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/space/fbnet"
)

func ExampleEncode() {
	a := fbnet.MustParse("k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2")
	enc := fbnet.Encode(nil, a)
	fmt.Println(len(enc), enc[0:6], enc[6:12], enc[12:18])
	// Output: 132 [0 1 0 0 0 1] [0 0 0 0 0 0] [1 0 0 1 0 0]
}

func ExampleFeatures() {
	a := fbnet.MustParse("k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2")
	f := fbnet.Features(nil, a)
	scale := fbnet.FeatureScales(nil)
	names := fbnet.FeatureNames()
	for _, j := range []int{1, 8, 12} {
		fmt.Printf("%s %.0f (max %.0f)\n", names[j], f[j], scale[j])
	}
	fmt.Println(fbnet.FLOPs(a), fbnet.Params(a))
	// Output:
	// dw_macs 7552512 (max 28608000)
	// blocks 17 (max 22)
	// projections 2 (max 6)
	// 67605476 1790500
}

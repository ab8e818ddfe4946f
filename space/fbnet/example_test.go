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

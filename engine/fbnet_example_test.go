package engine_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/engine"
	"github.com/helpwasm/helpwasm/space/fbnet"
)

func ExampleNewFBNet() {
	arch := fbnet.MustParse("k5_e6-skip-k3_e1_g2-skip-k5_e1-skip-skip-skip-k5_e6-k5_e1-k3_e1_g2-k5_e1-k5_e6-k3_e6-k3_e3-k5_e6-k3_e6-k3_e3-k5_e1-k3_e3-k5_e1-k5_e1_g2")
	var n engine.Net = engine.NewFBNet(arch, 1)
	n.Forward()
	fmt.Println(len(n.Input()), len(n.Output()))
	fmt.Println(n.MACs()+fbnet.NumClasses == fbnet.FLOPs(arch))
	// Output:
	// 3072 100
	// true
}

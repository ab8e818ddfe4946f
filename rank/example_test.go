package rank_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/rank"
)

func Example() {
	predicted := []float64{1.2, 3.4, 2.2, 5.0, 4.1}
	measured := []float64{10, 31, 25, 48, 48} // whole-ms ties are fine
	fmt.Printf("Spearman %.4f\n", rank.Spearman(predicted, measured))
	fmt.Printf("Kendall  %.4f\n", rank.Kendall(predicted, measured))
	// Output:
	// Spearman 0.9747
	// Kendall  0.9487
}

func ExampleWorkspace() {
	var w rank.Workspace // reuse across calls: no allocation once grown
	for _, m := range [][]float64{{1, 2, 3}, {3, 2, 1}} {
		fmt.Println(w.Spearman([]float64{10, 20, 30}, m))
	}
	// Output:
	// 1
	// -1
}

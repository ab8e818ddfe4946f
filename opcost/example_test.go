package opcost_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/opcost"
)

// A device where each conv costs 3 ms and each pool 1 ms on top of 2 ms
// of fixed cost: six measured networks recover the costs, and the model
// predicts the rest.
func ExampleFit() {
	// Features: number of convs, number of pools.
	xs := [][]float64{{0, 0}, {1, 0}, {2, 1}, {0, 3}, {3, 3}, {1, 2}}
	ms := []float64{2, 5, 9, 5, 14, 7}
	m, err := opcost.Fit(xs, ms, opcost.Options{Scale: []float64{6, 6}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("lambda %g, intercept %.2f ms, per conv %.2f ms, per pool %.2f ms\n",
		m.Lambda, m.Intercept, m.Coef[0]/m.Scale[0], m.Coef[1]/m.Scale[1])
	pred := m.PredictTo(nil, [][]float64{{6, 0}, {0, 6}})
	fmt.Printf("6 convs: %.1f ms, 6 pools: %.1f ms\n", pred[0], pred[1])
	// Output:
	// lambda 0, intercept 2.00 ms, per conv 3.00 ms, per pool 1.00 ms
	// 6 convs: 20.0 ms, 6 pools: 8.0 ms
}

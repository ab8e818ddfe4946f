package blend_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/blend"
)

// Two predictors of five labelled networks: "flops" is off by a factor,
// "structural" is close. Combine picks and calibrates, and gives an
// interval.
func ExampleCombine() {
	ms := []float64{10, 12, 15, 20, 30}
	cands := []blend.Candidate{
		{Name: "flops", LOO: []float64{4, 7, 6, 9, 14}, Pred: []float64{5, 11}},
		{Name: "structural", LOO: []float64{10.5, 11.6, 15.3, 19.4, 30.8}, Pred: []float64{21.5, 25}},
	}
	b, err := blend.Combine(ms, cands, blend.Options{Mode: blend.Select})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := b.PredictTo(nil, cands)
	fmt.Println("method:", b.Method)
	fmt.Println("next network:", b.Interval.Format(pred[0]))
	// Output:
	// method: structural
	// next network: 21.3 ms ± 1.8
}

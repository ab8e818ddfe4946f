package latency_test

import (
	"fmt"

	"github.com/helpwasm/helpwasm/latency"
)

// A new device's latencies are normalised over HELP's 12 anchors and the
// predictions mapped back to milliseconds with the same Scale.
func ExampleScale() {
	anchorsMS := []float64{8, 30, 12, 15, 9, 22, 11, 14, 27, 19, 10, 16}
	s := latency.ScaleOf(anchorsMS, latency.LatencyPortion)
	y := s.Normalise(19)
	fmt.Printf("19 ms -> %.4f -> %.1f ms\n", y, s.Denormalise(y))
	fmt.Printf("fastest anchor -> %.2f, slowest -> %.2f\n", s.Normalise(8), s.Normalise(30))
	// Output:
	// 19 ms -> 0.5000 -> 19.0 ms
	// fastest anchor -> 0.05, slowest -> 0.95
}

func ExampleEmbedding() {
	fmt.Println(latency.Embedding(nil, []float64{4, 2, 6, 3}))
	// Output: [0.5 0 1 0.25]
}

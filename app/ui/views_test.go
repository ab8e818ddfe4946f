package ui

import (
	"testing"

	"github.com/helpwasm/helpwasm/app/protocol"
)

func TestPredictedText(t *testing.T) {
	r := &protocol.Result{ScaleMS: [2]float64{4.24, 47.7}}
	for _, c := range []struct {
		v    float64
		r    *protocol.Result
		want string
	}{
		{12.34, r, "12.3 ms"},
		{2.5, r, "2.50 ms"}, // below the fastest anchor but a latency: shown as predicted
		{0, r, "< 4.24 ms"},
		{-1.63, r, "< 4.24 ms"},
		{-1.63, nil, "-1.63 ms"},
	} {
		if got := predictedText(c.v, c.r); got != c.want {
			t.Errorf("predictedText(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}
